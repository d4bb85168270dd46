"""Spec stage: read report YAML, validate it against the schema, return frozen `Report`s."""

from __future__ import annotations

from reportgen.spec.loader import load_report, load_reports
from reportgen.spec.model import (
    BatchJobQuery,
    Chart,
    EventQuery,
    FilesSource,
    Report,
    Summary,
    TimeAxis,
)

__all__ = [
    "BatchJobQuery",
    "Chart",
    "EventQuery",
    "FilesSource",
    "Report",
    "Summary",
    "TimeAxis",
    "load_report",
    "load_reports",
]
