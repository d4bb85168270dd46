"""Checks of a spec's charts beyond its schema: what their kinds need, their own options, ids."""

from __future__ import annotations

from typing import Any

from reportgen.spec.context import INVALID, Context
from reportgen.spec.schema import kinds_requiring_jobs


def check_charts(raw: dict[str, Any], ctx: Context) -> None:
    from reportgen.kinds import KINDS  # the kinds import the spec's checks

    charts = raw["charts"]
    if charts is INVALID:
        return
    seen: set[str] = set()
    source = raw["source"]
    files = None if source is INVALID or source["balsam"] is not None else source["files"]
    without_jobs = files not in (None, INVALID) and files["jobs"] is None
    for index, chart in enumerate(charts):
        if chart is INVALID:
            continue
        path = f"charts[{index}]"
        if without_jobs and chart["type"] in kinds_requiring_jobs():
            ctx.problem(
                chart["__node__type"],
                f"{path}.type",
                f"a {chart['type']} chart needs source.files.jobs (the job records); add it",
            )
        kind = KINDS.get(chart["type"]) if isinstance(chart["type"], str) else None
        if kind is not None and kind.check_options is not None:
            kind.check_options(chart, path, ctx)
        if chart["id"] is not INVALID:
            if chart["id"] in seen:
                ctx.error(chart["__node__id"], f"{path}.id", "an id not used before", chart["id"])
            seen.add(chart["id"])
