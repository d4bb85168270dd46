"""Runs: the checks a spec's `runs:` needs beyond its schema, and a run's view of its report
(the report's queries narrowed to the run's tags, with the run's source and as-of)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from reportgen.spec.checks import INVALID, Context
from reportgen.spec.model import Pairs, Report, RunSpec


def check_runs(
    raw: dict[str, Any],
    ctx: Context,
    one_source: Callable[[Any, str, Context], None],
    covers_queries: Callable[..., None],
) -> None:
    """Each run's own source is one source covering the queries, and no run's tags contradict
    a query's (a job has one value per tag, so the two could never both match)."""
    runs = raw["runs"]
    if runs is None or runs is INVALID:
        return
    if not raw["__node__runs"].value:  # an empty mapping, not one of only bad names
        ctx.problem(raw["__node__runs"], "runs", "expected at least one run; got none")
        return
    if "by_tag" in runs:
        tags = () if runs["tags"] is INVALID else runs["tags"]
        if runs["by_tag"] is not INVALID:
            _check_tags(raw, ((runs["by_tag"], None), *tags), runs["__node__"], "runs", ctx)
        covers_queries(raw["source"], raw["queries"], "source", ctx, True)
        _check_jobs_file(raw["source"], runs["__node__"], ctx)
        return
    for name, run in runs.items():
        if run is INVALID:
            continue
        where = f"runs.{name}"
        if run["tags"] is not INVALID:
            _check_tags(raw, run["tags"], run["__node__"], where, ctx)
        source = run["source"] if run["source"] is not None else raw["source"]
        if run["source"] is not None:
            one_source(run["source"], f"{where}.source", ctx)
        source_path = f"{where}.source" if run["source"] is not None else "source"
        covers_queries(source, raw["queries"], source_path, ctx, bool(run["tags"]))


def _check_tags(raw: dict[str, Any], tags: Any, node: Any, where: str, ctx: Context) -> None:
    """`tags` (pairs; a None value: any value, as `by_tag`'s key) against the queries' own:
    every event query's `tags` and batch-job query's `filter_tags`."""
    queries = raw["queries"]
    if queries is None or queries is INVALID:
        return
    for group, key_name in (("events", "tags"), ("batch_jobs", "filter_tags")):
        if queries[group] is INVALID:
            continue
        for query_name, query in queries[group].items():
            if query is INVALID or query[key_name] is INVALID:
                continue
            theirs = dict(query[key_name])
            for key, value in tags:
                if key in theirs and value != theirs[key]:
                    ctx.problem(
                        node,
                        f"{where}.tags.{key}" if value is not None else f"{where}.by_tag",
                        f"conflicts with queries.{group}.{query_name}.{key_name}.{key} "
                        f"({theirs[key]!r}): a job has one value per tag",
                    )


def _check_jobs_file(source: Any, node: Any, ctx: Context) -> None:
    """`by_tag` finds its runs in the jobs' tags: saved files must include the jobs."""
    if source is INVALID or source["files"] in (None, INVALID):
        return
    if source["files"]["jobs"] is None:
        ctx.problem(node, "runs.by_tag", "needs source.files.jobs (runs are found in job tags)")


def run_report(report: Report, run: RunSpec) -> Report:
    """The report as one run sees it: queries narrowed to the run's tags, the run's source
    and as-of where it has its own. An implicit run (no `runs:`) is the report itself."""
    if not run.name and not run.tags and run.source is None and run.as_of is None:
        return report
    return replace(
        report,
        source=run.source or report.source,
        as_of=run.as_of or report.as_of,
        event_queries={
            name: replace(query, tags=_merged(query.tags, run.tags))
            for name, query in report.event_queries.items()
        },
        batch_job_queries={
            name: replace(query, filter_tags=_merged(query.filter_tags, run.tags))
            for name, query in report.batch_job_queries.items()
        },
        runs=(),
        run=run.name,
    )


def _merged(pairs: Pairs, more: Pairs) -> Pairs:
    """Both sets of `key: value` pairs (the loader has refused contradicting ones)."""
    merged = dict(pairs)
    for key, value in more:
        assert merged.setdefault(key, value) == value, f"tag {key} given two values"
    return tuple(sorted(merged.items()))
