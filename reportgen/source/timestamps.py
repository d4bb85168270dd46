"""Vectorised parsing of Balsam's timestamps into int64 microseconds since the epoch, UTC.

Only ISO 8601 date-times as Balsam writes them are times: `2024-03-01T12:00:00`, with an
optional fraction of up to six digits, naive (= UTC) or ending in `Z` or an offset such as
`+02:00`, whose moment in UTC is within years 1 to 9999 (`0001-01-01T00:00:00+01:00` is in
year 0, and nothing could write it back). NumPy's own parser is not used: it takes `"now"`
(the build's clock), `"today"`, `"2024"` and `"2024-03-01"` as times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from reportgen.source.tables import NO_TIME, Ints
from reportgen.times import to_micros

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)?")
"""The one shape of a time in a record (checked with `fullmatch`)."""
_HEAD = b"0000-00-00T00:00:00"
"""The first 19 bytes of every naive time; '0' stands for a digit."""
_LOW = np.frombuffer(_HEAD, dtype=np.uint8)
_SPAN = np.frombuffer(bytes(9 if c == ord("0") else 0 for c in _HEAD), dtype=np.uint8)
"""Byte minus _LOW: at most 9 where a digit belongs, 0 at a mark (uint8 wraps below 0)."""
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)
_BLOCK = 1 << 15
"""Times parsed at once: the byte matrix of a block stays in the CPU's cache."""
_FRACTION_SCALE = 10 ** np.arange(5, -1, -1, dtype=np.int32)


def parse_timestamps(texts: Sequence[str | None]) -> tuple[Ints, int | None]:
    """Parse ISO times (naive = UTC, as Balsam writes them); None stays NO_TIME.

    Returns the times and the index of the first string that is not a time (None if all
    are). Naive times with or without a fraction are parsed by array arithmetic on their
    bytes; anything else (a `Z`, an offset, a mistake) goes through `parse_one`, one by one.
    """
    values = np.full(len(texts), NO_TIME, dtype=np.int64)
    present = [i for i, t in enumerate(texts) if t is not None]
    if not present:
        return values, None
    strings = [texts[i] for i in present] if len(present) < len(texts) else list(texts)
    parsed = parse_all(strings)  # type: ignore[arg-type]  # (no None left)
    if parsed is None:
        return _parse_slowly(texts)
    values[present] = parsed
    return values, None


def parse_all(strings: list[str]) -> Ints | None:
    """The times of strings none of which is None, or None if one is not a time."""
    if not strings:
        return np.empty(0, dtype=np.int64)
    parts = [_parse_naive(strings[i : i + _BLOCK]) for i in range(0, len(strings), _BLOCK)]  # type: ignore[arg-type]  # (a list is invariant)
    if all(part is not None for part in parts):
        return np.concatenate(parts) if len(parts) != 1 else parts[0]  # type: ignore[arg-type]
    values, bad = _parse_slowly(strings)
    return None if bad is not None else values


def _parse_naive(strings: list[str | None]) -> Ints | None:
    """`YYYY-MM-DDTHH:MM:SS[.ffffff]` strings as microseconds, or None if any is not one."""
    try:
        text = np.array(strings, dtype=np.bytes_)
    except (UnicodeEncodeError, TypeError, ValueError):
        return None
    width = text.dtype.itemsize
    if not 19 <= width <= 26:
        return None
    # one row per byte position: every step below runs along contiguous memory
    columns = np.ascontiguousarray(text.view(np.uint8).reshape(len(strings), width).T)
    d = columns[:19] - _LOW[:, None]
    if (d > _SPAN[:, None]).any():
        return None
    fraction = _fraction(columns[19:])
    if fraction is None:
        return None
    year, month, day, hour, minute, second = (
        _number(d, places)
        for places in ((0, 1, 2, 3), (5, 6), (8, 9), (11, 12), (14, 15), (17, 18))
    )
    days = _days(year, month, day)
    if days is None or (hour > 23).any() or (minute > 59).any() or (second > 59).any():
        return None
    seconds = days * 86_400 + (hour * 3600 + minute * 60 + second)
    result: Ints = seconds * 1_000_000 + fraction
    return result


def _number(digits: np.ndarray, places: tuple[int, ...]) -> np.ndarray:
    """The number the digit rows `places` spell, per column."""
    value: np.ndarray = digits[places[0]].astype(np.int32)
    for place in places[1:]:
        value *= 10
        value += digits[place]
    return value


def _fraction(tail: np.ndarray) -> np.ndarray | None:
    """The microseconds of `.f` to `.ffffff` after the seconds (0 if none), or None if the
    bytes after the seconds are anything else. Shorter strings are padded with NUL bytes.
    `tail` has one row per byte position after the seconds."""
    count = tail.shape[1]
    if len(tail) == 0:
        return np.zeros(count, dtype=np.int32)
    ended = tail == 0
    places = tail[1:] - np.uint8(ord("0"))
    digit = places <= 9
    dot = tail[0] == ord(".")
    if not (dot | ended[0]).all() or not (digit | ended[1:]).all():
        return None
    if (ended[:-1] & ~ended[1:]).any() or (dot & (ended[1] if len(tail) > 1 else True)).any():
        return None  # a NUL inside, or a '.' with no digit after it
    fraction = np.zeros(count, dtype=np.int32)
    for place in range(len(places)):
        fraction += np.where(digit[place], places[place], 0) * _FRACTION_SCALE[place]
    return fraction


def _days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> Ints | None:
    """Days since the epoch of civil dates (Howard Hinnant's `days_from_civil`), or None if
    a year, month or day is out of range."""
    if (year < 1).any() or (month < 1).any() or (month > 12).any() or (day < 1).any():
        return None
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    if (day > _MONTH_DAYS[month] + (leap & (month == 2))).any():
        return None
    y = year - (month <= 2)
    era, year_of_era = y // 400, y % 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days: Ints = (era * 146_097 + day_of_era - 719_468).astype(np.int64)
    return days


def _parse_slowly(texts: Sequence[str | None]) -> tuple[Ints, int | None]:
    values = np.full(len(texts), NO_TIME, dtype=np.int64)
    for index, text in enumerate(texts):
        if text is None:
            continue
        micros = parse_one(text)
        if micros is None:
            return values, index
        values[index] = micros
    return values, None


def parse_one(text: object) -> int | None:
    """One ISO time to microseconds since the epoch (naive = UTC); None if it is not one."""
    if not isinstance(text, str) or not ISO_TIME.fullmatch(text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return to_micros(moment.replace(tzinfo=UTC))
    try:  # an offset may carry the moment out of years 1-9999 in UTC, which no file can write
        return to_micros(moment.astimezone(UTC))
    except OverflowError:
        return None
