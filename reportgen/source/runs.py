"""A report's runs, expanded: named runs as written, or one run per value of a job tag found
in the data (`runs: {by_tag: ...}`), from saved job records or the live server's."""

from __future__ import annotations

import math

import numpy as np

from reportgen.errors import SourceError
from reportgen.source import read_jobs
from reportgen.source.balsam.params import common_tags, job_params
from reportgen.source.reads import Reads
from reportgen.spec.model import BalsamSource, FilesSource, Pairs, Report, RunsByTag, RunSpec


def expand_runs(report: Report, reads: Reads) -> list[RunSpec]:
    """The report's runs in their order; a report without `runs:` is one unnamed run.
    `reads` keeps the jobs file `by_tag` reads for the runs' own loading."""
    if isinstance(report.runs, RunsByTag):
        return _runs_by_tag(report, report.runs, reads)
    return list(report.runs) or [RunSpec("")]


def _runs_by_tag(report: Report, by: RunsByTag, reads: Reads) -> list[RunSpec]:
    values = _tag_values(report, by, reads)
    if not values:
        among = " among the jobs tagged " + ", ".join(f"{k}:{v}" for k, v in by.tags)
        raise SourceError(
            f"{report.path}: runs.by_tag: no job has the tag {by.tag!r}"
            + (among if by.tags else "")
            + ", so there is no run to report"
        )
    return [
        RunSpec(value, tuple(sorted({**dict(by.tags), by.tag: value}.items())))
        for value in ordered(values)
    ]


def ordered(values: set[str]) -> list[str]:
    """Numeric order when every value is a finite number (`"32" < "128"`), else text order."""
    numbers = {}
    for value in values:
        try:
            numbers[value] = float(value)
        except ValueError:
            return sorted(values)
        if not math.isfinite(numbers[value]):
            return sorted(values)
    return sorted(values, key=lambda v: (numbers[v], v))


def _tag_values(report: Report, by: RunsByTag, reads: Reads) -> set[str]:
    """The values of `by.tag` among the jobs that have all of `by.tags` and the tags every
    event query asks for (a job no query matches would make an empty run)."""
    tags = tuple(
        sorted({**dict(common_tags(list(report.event_queries.values()))), **dict(by.tags)}.items())
    )
    source = report.source
    if isinstance(source, FilesSource):
        assert source.jobs is not None, "the spec loader requires a jobs file for by_tag"
        jobs = read_jobs(reads, source.jobs, {by.tag, *dict(tags)})
        mask = np.ones(len(jobs), dtype=bool)
        for key, value in tags:
            mask &= jobs.tag_values[key] == value
        return {v for v in jobs.tag_values[by.tag][mask].tolist() if v is not None}
    return _live_tag_values(source, by.tag, tags)


def _live_tag_values(source: BalsamSource, tag: str, tags: Pairs) -> set[str]:
    # (imported here: a files build never loads the HTTP client, `requests`)
    from reportgen.source.balsam.client import BalsamClient
    from reportgen.source.balsam.credentials import resolve_credentials

    client = BalsamClient(resolve_credentials(source), source.page_size, source.retry_backoff_s)
    try:
        records = client.fetch_all("jobs", "jobs", job_params(tags))
    finally:
        client.close()
    values = ((record.get("tags") or {}).get(tag) for record in records)
    return {str(v) for v in values if v is not None}
