"""The index page's groups: the reports' rows under each spec's `group:`."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.site.model import IndexRow

OTHERS = "Other reports"
"""The heading of reports without a `group:` when other reports have one."""


@dataclass(frozen=True)
class IndexGroup:
    name: str
    """Its heading; empty when no report has a group (the page is one table, no heading)."""
    rows: tuple[IndexRow, ...]


def index_groups(rows: list[IndexRow]) -> list[IndexGroup]:
    """Groups in the order their first report comes, each with its rows in report order;
    reports without a group last, under OTHERS."""
    if not any(row.group for row in rows):
        return [IndexGroup("", tuple(rows))] if rows else []
    names = dict.fromkeys(row.group for row in rows if row.group)
    groups = [IndexGroup(name, tuple(r for r in rows if r.group == name)) for name in names]
    others = tuple(row for row in rows if not row.group)
    return groups + ([IndexGroup(OTHERS, others)] if others else [])
