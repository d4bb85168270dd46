"""Runs: the checks a spec's `runs:` needs beyond its schema, and a run's view of its report
(the report's queries narrowed to the run's tags, with the run's source and as-of)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reportgen.spec.context import INVALID, Context
from reportgen.spec.model import Pairs, Report, RunSpec
from reportgen.spec.sourcechecks import check_one_source, check_source_covers_queries


def check_runs(raw: dict[str, Any], ctx: Context) -> None:
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
            by_tag = ((runs["by_tag"], None), *tags)
            _check_tags(raw["queries"], by_tag, runs["__node__"], "runs", ctx)
        check_source_covers_queries(raw["source"], raw["queries"], "source", ctx, True)
        _check_jobs_file(raw["source"], runs["__node__"], ctx)
        return
    for name, run in runs.items():
        if run is INVALID:
            continue
        where = f"runs.{name}"
        own = _own_queries(raw["queries"], run, where, ctx)
        if run["tags"] is not INVALID:
            pairs = ((_replaced(raw["queries"], own), "queries"), (own, f"{where}.queries"))
            for queries, at in pairs:
                _check_tags(queries, run["tags"], run["__node__"], where, ctx, at)
        source = run["source"] if run["source"] is not None else raw["source"]
        if run["source"] is not None:
            check_one_source(run["source"], f"{where}.source", ctx)
        source_path = f"{where}.source" if run["source"] is not None else "source"
        narrowed = bool(run["tags"])
        check_source_covers_queries(
            source, _replaced(raw["queries"], own), source_path, ctx, narrowed
        )
        if own is not None:
            check_source_covers_queries(source, own, source_path, ctx, narrowed, f"{where}.queries")


def _own_queries(report: Any, run: dict[str, Any], where: str, ctx: Context) -> Any:
    """The run's `queries:` (None without), each named as one of the report's: charts name
    the report's queries, and a run's replace them by name. Unknown names are left out."""
    own = run["queries"]
    if own is None or own is INVALID:
        return None
    if report is None or report is INVALID:  # the implied queries are filled in first
        return None
    kept: dict[str, Any] = {}
    for group in ("events", "batch_jobs"):
        kept[group] = {}
        if own[group] is INVALID:
            continue
        theirs = report[group] if report[group] is not INVALID else {}
        for name, query in own[group].items():
            if name in theirs:
                kept[group][name] = query
                continue
            defined = ", ".join(theirs) or "none"
            ctx.problem(
                query["__node__"] if isinstance(query, dict) else own[f"__node__{group}"],
                f"{where}.queries.{group}.{name}",
                f"not one of the report's queries (queries.{group} has: {defined}); a run's "
                "queries replace the report's of the same name, which the charts name",
            )
    return kept


def _replaced(report: Any, own: Any) -> Any:
    """The report's queries less those the run replaces."""
    if own is None or report is None or report is INVALID:
        return report
    return {
        group: report[group]
        if report[group] is INVALID
        else {n: q for n, q in report[group].items() if n not in own[group]}
        for group in ("events", "batch_jobs")
    }


def _check_tags(
    queries: Any, tags: Any, node: Any, where: str, ctx: Context, at: str = "queries"
) -> None:
    """`tags` (pairs; a None value: any value, as `by_tag`'s key) against the queries' own
    (`at`: where they are written): every event query's `tags` and batch-job query's
    `filter_tags`."""
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
                        f"conflicts with {at}.{group}.{query_name}.{key_name}.{key} "
                        f"({theirs[key]!r}): a job has one value per tag",
                    )


def _check_jobs_file(source: Any, node: Any, ctx: Context) -> None:
    """`by_tag` finds its runs in the jobs' tags: saved files must include the jobs."""
    if source is INVALID or source["files"] in (None, INVALID):
        return
    if source["files"]["jobs"] is None:
        ctx.problem(node, "runs.by_tag", "needs source.files.jobs (runs are found in job tags)")


def run_report(report: Report, run: RunSpec) -> Report:
    """The report as one run sees it: its queries, those the run defines replaced by the run's,
    narrowed to the run's tags; the run's source and as-of where it has its own. An implicit
    run (no `runs:`) is the report itself."""
    if run == RunSpec(""):
        return report
    event_queries = {**report.event_queries, **run.event_queries}
    batch_job_queries = {**report.batch_job_queries, **run.batch_job_queries}
    return replace(
        report,
        source=run.source or report.source,
        as_of=run.as_of or report.as_of,
        event_queries={
            name: replace(query, tags=_merged(query.tags, run.tags))
            for name, query in event_queries.items()
        },
        batch_job_queries={
            name: replace(query, filter_tags=_merged(query.filter_tags, run.tags))
            for name, query in batch_job_queries.items()
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
