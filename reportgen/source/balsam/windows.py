"""Time windows of an event query, so that several connections can fetch it at once (pure).

A window is the query narrowed by `timestamp_after`/`timestamp_before`. Windows are cut at
the query's own quantiles (the timestamp of the record at offset k * count / W in timestamp
order), so each holds about as many records however the events bunch in time (a site's
creation events are dated by the server's clock, years after a replayed history). Together
they are the query: the first keeps the query's own lower bound, the last its upper bound,
and each ends a microsecond before the next begins (the server's bounds are inclusive and
its timestamps have microseconds), so no record is in two windows or in none. A window's
records are a stable set, so its offsets do not drift while other windows are read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

Params = list[tuple[str, str]]

WINDOWS_PER_CONNECTION = 1
"""Every request costs the server a count and a sort of the query (Balsam counts each page):
4 windows per connection took 19.7 s for 95,058 events over 4 connections, 1 took 15.4 s
(benchmarks/fetch_rate.py)."""
MIN_WINDOW_RECORDS = 500
"""Below this, a window costs more in requests than it saves in time."""
BOUNDS = ("timestamp_after", "timestamp_before")
ONE_MICROSECOND = timedelta(microseconds=1)


def window_count(count: int, connections: int) -> int:
    """How many windows to cut a query of `count` records into; 1 means: fetch it whole."""
    if connections < 2:
        return 1
    return max(1, min(connections * WINDOWS_PER_CONNECTION, count // MIN_WINDOW_RECORDS))


def quantile_offsets(count: int, windows: int) -> list[int]:
    """The offsets (in timestamp order) whose records' timestamps cut the windows."""
    return [count * k // windows for k in range(1, windows)]


def cut_points(first: str, quantiles: list[str | None]) -> list[datetime] | None:
    """Where windows begin after the first: each quantile once, later than the first record's
    timestamp; None if a timestamp is not one the server writes (then fetch the query whole).

    A quantile of None (an offset past the end: records were deleted since the count) cuts
    nothing.
    """
    try:
        start = datetime.fromisoformat(first)
        cuts = {datetime.fromisoformat(q) for q in quantiles if q is not None}
    except (TypeError, ValueError):
        return None
    if start.tzinfo is not None or any(cut.tzinfo is not None for cut in cuts):
        return None  # the server writes naive UTC; anything else is not its format
    return sorted(cut for cut in cuts if cut > start)


def window_params(
    params: Params, cuts: list[datetime], bounds: tuple[str, str] = BOUNDS
) -> list[Params]:
    """The query's parameters once per window, in time order (one window if no cuts);
    `bounds` name the filters of the time windows are cut in (events': their timestamp)."""
    after_key, before_key = bounds
    base = [(key, value) for key, value in params if key not in bounds]
    after = [(key, value) for key, value in params if key == after_key]
    before = [(key, value) for key, value in params if key == before_key]
    starts = [after, *([(after_key, stamp(cut))] for cut in cuts)]
    ends = [*([(before_key, stamp(cut - ONE_MICROSECOND))] for cut in cuts), before]
    return [[*base, *start, *end] for start, end in zip(starts, ends, strict=True)]


def stamp(moment: datetime) -> str:
    """With microseconds, as the server's filters read it (events' naive UTC as naive)."""
    return moment.isoformat(timespec="microseconds")
