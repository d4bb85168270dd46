"""Incremental fetch: a query's kept records brought up to date, proven by the server's counts.

A list is dated by one field (events: `timestamp`; jobs: `last_update`, which the server moves
with every change of a job, and so with every event it writes for it). Kept records newer
than the kept newest one minus a safety lag (records reach the server late: launchers send
state changes in batches, a transaction commits after it stamped its rows) are dropped and
that recent zone is fetched again; the older zone is kept. Jobs are brought up to date first;
then each event query drops the kept events of jobs that changed or are gone and fetches the
events of the changed jobs again (by `job_id`, a hundred per request): an event inserted late,
dated hours back, belongs to a job that changed. Then the counts decide (`limit=0`, cheap):

- the whole query's count equals the merged records': done (an unchanged server costs the
  recent zone's request or two and this one);
- else the older zone is split at its records' median time, each half counted and split again
  where its count differs, down to small buckets (MIN_BUCKET), and only those are fetched
  again (this is what finds changes when the jobs could not say: a report without them in
  the cache yet);
- then the older zone is counted again; if it still disagrees (the server is changing under
  the fetch), the query is fetched whole. A merged result whose counts disagree is never
  returned.

`--refresh` fetches everything again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from reportgen.source.balsam import windows
from reportgen.source.balsam.store import FetchedStore, Kept, kept
from reportgen.source.files import Record

if TYPE_CHECKING:
    from reportgen.source.balsam.client import BalsamClient, Params

JOBS_PER_REQUEST = 100
"""`job_id=N&` repeated: 100 of them keep a request line well under gunicorn's 4094 bytes."""
MIN_BUCKET = 25
BUCKETS = 1000
"""A bucket of MIN_BUCKET records or of 1/BUCKETS of the kept ones, whichever is more, is
fetched again rather than split further: below that, two more counts cost more than its
records (a count on a large site takes a while too)."""


@dataclass(frozen=True)
class Dating:
    """The field that dates a list's records and the filters that bound it."""

    path: str
    field: str
    after: str
    before: str

    @property
    def bounds(self) -> tuple[str, str]:
        return self.after, self.before


EVENTS = Dating("events", "timestamp", "timestamp_after", "timestamp_before")
JOBS = Dating("jobs", "last_update", "last_update_after", "last_update_before")
DATINGS = {dating.path: dating for dating in (EVENTS, JOBS)}


@dataclass(frozen=True)
class JobChanges:
    """What changed in the jobs list since the build that kept it (`build`): the jobs fetched
    again (new or changed: the server moves `last_update` with every event it writes) and
    those gone (deleted, or no longer matching)."""

    build: str
    changed: frozenset[int]
    gone: frozenset[int]


class Incremental:
    """Fetches lists through a `BalsamClient`, keeping their records in a `FetchedStore`
    under this build's id (`build`)."""

    def __init__(
        self, client: BalsamClient, store: FetchedStore, api_root: str, lag: timedelta, build: str
    ) -> None:
        self.client = client
        self.store = store
        self.api_root = api_root
        self.lag = lag
        self.build = build
        self.jobs: JobChanges | None = None
        """Set when the jobs were brought up to date: then events follow their jobs."""
        self.fetched: dict[tuple[str, str], list[Record]] = {}

    def fetch(self, dating: Dating, what: str, params: Params) -> list[Record]:
        """Every record of the query, sorted by id, as a whole fetch would return them."""
        sent = urlencode(params, safe=":")
        if (dating.path, sent) not in self.fetched:
            old = self.store.load(self.api_root, dating.path, sent)
            records = None if old is None else self._update(dating, what, params, old)
            if records is None:
                records = self.client.fetch_all(what, dating.path, params)
            self.store.save(kept(self.api_root, dating.path, sent, records, self.build))
            self.fetched[dating.path, sent] = records
        return self.fetched[dating.path, sent]

    def _update(self, dating: Dating, what: str, params: Params, old: Kept) -> list[Record] | None:
        """The kept records brought up to date; None if they cannot be (fetch it whole: no
        records, or times that are not the server's)."""
        records = old.records()
        try:
            times = {r["id"]: _time(r[dating.field]) for r in records}
            since = _within(max(times.values()) - self.lag, params, dating)
        except (KeyError, TypeError, ValueError):  # (mixed naive and aware times: TypeError)
            return None
        older_params, recent_params = windows.window_params(params, [since], dating.bounds)
        recent = self.client.fetch_all(
            f"{what} since {windows.stamp(since)}", dating.path, recent_params
        )
        older = [r for r in records if times[r["id"]] < since]
        again: list[Record] = []
        if dating is EVENTS and self.jobs is not None and self.jobs.build == old.build:
            touched = self.jobs.changed | self.jobs.gone
            older = [r for r in older if r.get("job_id") not in touched]
            again = self._events_of(what, params, self.jobs.changed)
        merged = {r["id"]: r for r in [*older, *again, *recent]}
        if self.client.count(dating.path, params) != len(merged):
            try:
                times.update((r["id"], _time(r[dating.field])) for r in again)
            except (KeyError, TypeError, ValueError):
                return None
            zone = list({r["id"]: r for r in [*older, *again] if times[r["id"]] < since}.values())
            smallest = max(MIN_BUCKET, len(zone) // BUCKETS)
            zone = self._repair(dating, what, older_params, zone, times, smallest)
            if self.client.count(dating.path, older_params) != len(zone):
                self.client.notes.append(f"{what}: counts still differ; fetched whole")
                return None
            merged = {r["id"]: r for r in [*zone, *recent]}
        if dating is JOBS:  # (a job at the high-water mark fetched again is not a change)
            before = {r["id"]: r for r in records}
            changed = frozenset(r["id"] for r in recent if before.get(r["id"]) != r)
            self.jobs = JobChanges(old.build, changed, frozenset(times) - merged.keys())
        self.client.notes.append(
            f"{what}: {len(older):,} record(s) kept from the last build, "
            f"{len(merged) - len(older):,} fetched again"
        )
        return [merged[i] for i in sorted(merged)]

    def _events_of(self, what: str, params: Params, jobs: frozenset[int]) -> list[Record]:
        """Every event of the query of these jobs (a job_id filter of the query's own is
        kept: only its jobs), a few jobs per request (the server caps a request line)."""
        own = {int(value) for key, value in params if key == "job_id"}
        wanted = sorted(jobs & own if own else jobs)
        base = [(key, value) for key, value in params if key != "job_id"]
        found: list[Record] = []
        for first in range(0, len(wanted), JOBS_PER_REQUEST):
            ids = [("job_id", str(i)) for i in wanted[first : first + JOBS_PER_REQUEST]]
            found += self.client.fetch_all(f"{what} of changed jobs", "events", [*base, *ids])
        return found

    def _repair(
        self,
        dating: Dating,
        what: str,
        params: Params,
        records: list[Record],
        times: dict[int, datetime],
        smallest: int,
    ) -> list[Record]:
        """The zone's records where its count differs from the server's: split in two at the
        records' median time while it is large, else fetched again."""
        if self.client.count(dating.path, params) == len(records):
            return records
        ordered = sorted(times[r["id"]] for r in records)
        later = [t for t in ordered[len(ordered) // 2 :] if t > ordered[0]]
        if len(records) <= smallest or not later:
            bucket = f"{what} (a bucket whose count changed)"
            return self.client.fetch_all(bucket, dating.path, params)
        cut = later[0]
        lower, upper = windows.window_params(params, [cut], dating.bounds)
        before = [r for r in records if times[r["id"]] < cut]
        after = [r for r in records if times[r["id"]] >= cut]
        return [
            *self._repair(dating, what, lower, before, times, smallest),
            *self._repair(dating, what, upper, after, times, smallest),
        ]


def _time(text: object) -> datetime:
    if not isinstance(text, str):
        raise TypeError(f"not a time: {text!r}")
    return datetime.fromisoformat(text)


def _within(since: datetime, params: Params, dating: Dating) -> datetime:
    """`since` moved inside the query's own time bounds, so that the zones split the query."""
    for key, value in params:
        if key == dating.after:
            since = max(since, _time(value))
        elif key == dating.before:
            since = min(since, _time(value) + windows.ONE_MICROSECOND)
    return since
