"""Analytics stage: pure NumPy functions from record tables to exact step series."""

from __future__ import annotations

from reportgen.analytics.available_nodes import UncountedBatchJob as UncountedBatchJob
from reportgen.analytics.available_nodes import available_nodes as available_nodes
from reportgen.analytics.steps import StepSeries as StepSeries
from reportgen.analytics.steps import integrate as integrate
from reportgen.analytics.steps import step_series as step_series
from reportgen.analytics.throughput import throughput as throughput
from reportgen.analytics.utilization import UtilizationNotes as UtilizationNotes
from reportgen.analytics.utilization import job_chain_order as job_chain_order
from reportgen.analytics.utilization import utilization as utilization
