"""Instants as reportgen holds and writes them: integer microseconds since the Unix epoch, UTC.

Used by every stage (spec values, records, pages, CSVs), so it depends on none of them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np


def to_micros(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (exact, no float)."""
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def format_moment(moment: datetime) -> str:
    """A spec's time as its user wrote it, in ISO 8601 (`Z` for UTC): `2024-03-01T12:00:00Z`
    (`format_micros` always writes the microseconds)."""
    return moment.isoformat().replace("+00:00", "Z")


def format_micros(micros: int) -> str:
    """`2024-03-01T12:00:00.123456Z`: the one way reportgen writes a time."""
    return str(np.datetime64(int(micros), "us")) + "Z"


_UNITS = ((86_400_000_000, "d"), (3_600_000_000, "h"), (60_000_000, "min"), (1_000_000, "s"))


def duration_text(micros: int) -> str:
    """A duration for readers, to 3 significant digits in the largest unit it fills:
    `0 s`, `250 ms`, `4.5 s`, `12.3 min`, `1.5 h`, `2 d`."""
    for size, unit in _UNITS:
        if micros >= size:
            return f"{micros / size:.3g} {unit}"
    if micros == 0:
        return "0 s"
    return f"{micros / 1000:.3g} ms"


def span_text(micros: int) -> str:
    """A long span for readers in its two largest units: `9 h 58 min`, `12 min 5 s`,
    `42.5 s` (a makespan; `duration_text` gives one unit, to 3 significant digits)."""
    seconds = micros / 1_000_000
    if seconds < 60:
        return f"{seconds:,.1f} s"
    minutes, second = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {second} s"
    hours, minute = divmod(round(seconds / 60), 60)
    if hours < 48:
        return f"{hours} h {minute} min"
    days, hour = divmod(round(seconds / 3600), 24)
    return f"{days:,} d {hour} h"


def prose_time(micros: int) -> str:
    """`2024-03-01 18:00:00 UTC`: a time in prose, to the second (truncated; CSVs, tooltips
    and `<time datetime>` keep the microseconds)."""
    return str(np.datetime64(int(micros) // 1_000_000, "s")).replace("T", " ") + " UTC"


def zone_time(micros: int, zone: str) -> str:
    """`2024-03-01 02:00:00 America/Chicago`: a time in prose in an IANA zone, to the second."""
    from zoneinfo import ZoneInfo

    moment = datetime.fromtimestamp(micros // 1_000_000, UTC).astimezone(ZoneInfo(zone))
    return f"{moment:%Y-%m-%d %H:%M:%S} {zone}"
