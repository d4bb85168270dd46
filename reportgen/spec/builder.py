"""Build the frozen model (`Report` and what it holds) from a spec's checked values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportgen.spec.context import Context
from reportgen.spec.figure import figure_options
from reportgen.spec.model import (
    BalsamSource,
    BatchJobQuery,
    Chart,
    EventQuery,
    Fetched,
    FetchedSet,
    FilesSource,
    Report,
    RunsByTag,
    RunSpec,
    Source,
    Summary,
    TimeAxis,
)


def build_report(path: Path, raw: dict[str, Any], text: str, ctx: Context) -> Report:
    source = _source(path.parent, raw["source"])
    event_queries, batch_queries = _queries(raw["queries"])
    # as text in a chart's options: they are written to the manifest and key the cache
    fractions = tuple(str(f) for f in raw["steady_state"])
    compared = {"steady_state": fractions, "baseline": raw["baseline"]}
    charts = tuple(_chart(c, raw["figure"], compared) for c in raw["charts"])
    baseline_node = raw.get("__node__baseline")
    summary_raw = raw["summary"] or {"events": None, "batch_jobs": None}
    summary = Summary(
        events=summary_raw["events"] or next(iter(event_queries), None),
        batch_jobs=summary_raw["batch_jobs"] or next(iter(batch_queries), None),
    )
    axis = raw["time_axis"]
    time_axis = TimeAxis(axis) if axis in ("elapsed_minutes", "utc") else TimeAxis("zone", axis)
    return Report(
        path=path,
        slug=path.stem,
        title=raw["title"],
        description=raw["description"],
        source=source,
        as_of=raw["as_of"],
        time_axis=time_axis,
        event_queries=event_queries,
        batch_job_queries=batch_queries,
        charts=charts,
        summary=summary,
        spec_text=text,
        warnings=tuple(ctx.warnings),
        runs=_runs(path.parent, raw["runs"]),
        baseline=raw["baseline"],
        baseline_where="" if baseline_node is None else ctx.where(baseline_node),
        steady_state=raw["steady_state"],
        group=raw["group"],
    )


def _source(folder: Path, raw: dict[str, Any]) -> Source:
    files, balsam = raw["files"], raw["balsam"]
    if files is not None:
        return FilesSource(
            **{
                k: (folder / files[k]).resolve() if files[k] else None
                for k in ("events", "jobs", "batch_jobs")
            },
            fetched=_fetched(files["fetched"]) if files["fetched"] else None,
        )
    config = balsam["client_config"]
    return BalsamSource(
        api_root=balsam["api_root"],
        client_config=(folder / config).resolve() if config else None,
        page_size=balsam["page_size"],
        snapshots=balsam["snapshots"],
        retry_backoff_s=balsam["retry_backoff_s"],
        parallel=balsam["parallel"],
        lag_s=balsam["lag_s"],
    )


def _fetched(raw: dict[str, Any]) -> Fetched:
    """A snapshot's record of its live fetch (see `source/snapshot.py`)."""
    sets = tuple(
        FetchedSet(s["kind"], s["query"], s["path"], s["params"], s["records"])
        for s in raw["record_sets"]
    )
    return Fetched(
        raw["api_root"],
        raw["server_version"],
        raw["server_version_origin"],
        raw["started"],
        raw["ended"],
        sets,
    )


def _queries(
    raw: dict[str, Any] | None,
) -> tuple[dict[str, EventQuery], dict[str, BatchJobQuery]]:
    """The checked `queries:` of a report or a run, by name."""
    queries = raw or {"events": {}, "batch_jobs": {}}
    return (
        {n: EventQuery(name=n, **_plain(q)) for n, q in queries["events"].items()},
        {n: BatchJobQuery(name=n, **_plain(q)) for n, q in queries["batch_jobs"].items()},
    )


def _runs(folder: Path, raw: dict[str, Any] | None) -> tuple[RunSpec, ...] | RunsByTag:
    if raw is None:
        return ()
    if "by_tag" in raw:
        return RunsByTag(raw["by_tag"], raw["tags"])
    runs = []
    for name, run in raw.items():
        event_queries, batch_queries = _queries(run["queries"])
        runs.append(
            RunSpec(
                name=name,
                tags=run["tags"],
                source=None if run["source"] is None else _source(folder, run["source"]),
                as_of=run["as_of"],
                event_queries=event_queries,
                batch_job_queries=batch_queries,
            )
        )
    return tuple(runs)


def _plain(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if not k.startswith("__node__")}


def _chart(raw: dict[str, Any], figure: dict[str, Any] | None, compared: dict[str, Any]) -> Chart:
    from reportgen.kinds import KINDS  # the kinds import the spec's checks

    values = _plain(raw)
    kind = KINDS[values["type"]]
    return Chart(
        id=values["id"],
        type=kind.name,
        title=values["title"] or kind.title,
        width=values["width"],
        height=values["height"],
        formats=tuple(dict.fromkeys(values["formats"])),
        options=kind.make_options(
            **{name: values[name] for name in kind.options},
            **{name: compared[name] for name in kind.report_keys},
        ),
        figure=figure_options(figure, values["figure"]),
    )
