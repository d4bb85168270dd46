"""What a report must load: the union of its kinds' needs and the headline's."""

from __future__ import annotations

from reportgen.kinds import KINDS
from reportgen.source.data import Needs
from reportgen.spec.model import Report


def report_needs(report: Report) -> Needs:
    """The headline integrates node-weighted utilization, so it needs job records (for the
    weight fallback) whenever it has summary events."""
    needs = Needs(job_records=report.summary.events is not None)
    for chart in report.charts:
        needs |= KINDS[chart.type].needs(chart.options)
    return needs
