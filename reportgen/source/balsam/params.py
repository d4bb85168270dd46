"""Spec queries as the query strings Balsam's server understands, never one it would misread.

Lists become repeated keys, tags `key:value` (keys with ':' are rejected by the spec loader),
times naive UTC. Two event filters are never sent: the server ignores `scheduler_id` on
`/events/` (it returns every event of the site), and its `batch_job_id` joins batch jobs in a
way that repeats rows, so pages come back short and offsets drift (found against the real
server: limit=97 returns 13 events). reportgen applies both itself, from the jobs' latest
batch job, exactly as the files source does.
"""

from __future__ import annotations

from datetime import UTC, datetime

from reportgen.spec.model import BatchJobQuery, EventQuery, Pairs

Params = list[tuple[str, str]]


def naive_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat()


def _pairs(key: str, pairs: Pairs) -> Params:
    return [(key, f"{k}:{v}") for k, v in pairs]


def event_params(query: EventQuery) -> Params:
    """The `/events/` parameters of every filter the server applies correctly."""
    params: Params = [("ordering", "timestamp")]
    params += [("id", str(i)) for i in query.id or ()]
    params += [("job_id", str(i)) for i in query.job_id or ()]
    params += _pairs("tags", query.tags) + _pairs("data", query.data)
    if query.from_state:
        params.append(("from_state", query.from_state))
    if query.to_state:
        params.append(("to_state", query.to_state))
    if query.timestamp_after:
        params.append(("timestamp_after", naive_utc(query.timestamp_after)))
    if query.timestamp_before:
        params.append(("timestamp_before", naive_utc(query.timestamp_before)))
    return params


def batch_job_params(query: BatchJobQuery) -> Params:
    params: Params = [("id", str(i)) for i in query.id or ()]
    params += [("site_id", str(i)) for i in query.site_id or ()]
    params += [("state", s) for s in query.state or ()]
    if query.scheduler_id is not None:
        params.append(("scheduler_id", str(query.scheduler_id)))
    if query.queue is not None:
        params.append(("queue", query.queue))
    params += _pairs("filter_tags", query.filter_tags)
    for key in ("start_time_before", "start_time_after", "end_time_before", "end_time_after"):
        value = getattr(query, key)
        if value is not None:
            params.append((key, naive_utc(value)))
    return params


def job_params(tags: Pairs) -> Params:
    """`/jobs/` by tags only: its `batch_job_id` filter is broken on the server (returns all)."""
    return [("ordering", "id"), *_pairs("tags", tags)]


def common_tags(queries: list[EventQuery]) -> Pairs:
    """Tags every event query requires: jobs fetched with them cover all queries' jobs."""
    if not queries:
        return ()
    shared = set(queries[0].tags)
    for query in queries[1:]:
        shared &= set(query.tags)
    return tuple(sorted(shared))
