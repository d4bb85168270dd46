"""Checks of a spec's source beyond its schema: one source, holding what the queries read."""

from __future__ import annotations

from typing import Any

from reportgen.spec.context import INVALID, Context


def check_one_source(source: Any, where: str, ctx: Context) -> None:
    if source is INVALID:
        return
    given = [k for k in ("files", "balsam") if source[k] is not None]
    if len(given) != 1:
        ctx.problem(
            source["__node__"],
            where,
            "expected exactly one of files or balsam; got "
            + (" and ".join(given) if given else "neither"),
        )


def check_source_covers_queries(
    source: Any,
    queries: Any,
    where: str,
    ctx: Context,
    run_tags: bool = False,
    queries_at: str = "queries",
) -> None:
    """Saved files must include what the queries need: an empty chart must never be silent.
    `where` is the source's key path and `queries_at` the queries'; `run_tags` says a run
    adds tags to every event query."""
    if source is INVALID or queries is INVALID or queries is None:
        return
    files = source["files"]
    if files is None or files is INVALID or source["balsam"] is not None:
        return
    events = queries["events"] if queries["events"] is not INVALID else {}
    batch_jobs = queries["batch_jobs"] if queries["batch_jobs"] is not INVALID else {}
    files_node = source["__node__files"]
    for name, query in events.items():
        if query is INVALID:
            continue
        _check_event_query(files, files_node, name, query, where, ctx, run_tags, queries_at)
        if files["events"] is None:
            ctx.problem(
                files_node,
                f"{where}.files.events",
                f"missing ({queries_at}.events.{name} needs it)",
            )
            break
    if batch_jobs and files["batch_jobs"] is None:
        ctx.problem(
            files_node,
            f"{where}.files.batch_jobs",
            f"missing ({queries_at}.batch_jobs.{next(iter(batch_jobs))} needs it)",
        )


_NEEDS_OF_KEY = (
    ("tags", "jobs"),
    ("batch_job_id", "jobs"),
    ("scheduler_id", "jobs"),
    ("scheduler_id", "batch_jobs"),
)
"""The event-query keys that only another table can answer, and that table."""


def _check_event_query(
    files: Any,
    files_node: Any,
    name: str,
    query: Any,
    where: str,
    ctx: Context,
    run_tags: bool,
    queries_at: str,
) -> None:
    """The files one event query reads beyond the events."""
    for key, needs in _NEEDS_OF_KEY:
        if query[key] not in (None, ()) and files[needs] is None:
            ctx.problem(
                query[f"__node__{key}"],
                f"{queries_at}.events.{name}.{key}",
                f"needs {where}.files.{needs} (events carry no {key}); add it",
            )
    if run_tags and files["jobs"] is None and query["tags"] in (None, ()):
        ctx.problem(
            files_node,
            f"{where}.files.jobs",
            f"missing (the run's tags narrow {queries_at}.events.{name} by job)",
        )
