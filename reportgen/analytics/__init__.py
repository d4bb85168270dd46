"""Analytics stage: pure NumPy functions from record tables to exact step series."""

from __future__ import annotations

from reportgen.analytics.available_nodes import UncountedBatchJob, available_nodes
from reportgen.analytics.steps import StepSeries, integrate, step_series
from reportgen.analytics.throughput import throughput
from reportgen.analytics.utilization import UtilizationNotes, job_chain_order, utilization

__all__ = [
    "StepSeries",
    "UncountedBatchJob",
    "UtilizationNotes",
    "available_nodes",
    "integrate",
    "job_chain_order",
    "step_series",
    "throughput",
    "utilization",
]
