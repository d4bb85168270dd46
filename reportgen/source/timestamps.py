"""Vectorised parsing of Balsam's timestamps into int64 microseconds since the epoch, UTC.

Only ISO 8601 date-times as Balsam writes them are times: `2024-03-01T12:00:00`, with an
optional fraction of up to six digits, naive (= UTC) or ending in `Z` or an offset such as
`+02:00`. NumPy's own parser is not used: it takes `"now"` (the build's clock), `"today"`,
`"2024"` and `"2024-03-01"` as times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from reportgen.source.tables import NO_TIME, Ints

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)?")
"""The one shape of a time in a record (checked with `fullmatch`)."""
_HEAD = b"0000-00-00T00:00:00"
"""The first 19 bytes of every naive time; '0' stands for a digit."""
_LOW = np.frombuffer(_HEAD, dtype=np.uint8)
_HIGH = np.frombuffer(_HEAD.replace(b"0", b"9"), dtype=np.uint8)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)
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
    parsed = _parse_naive(strings)
    if parsed is None:
        return _parse_slowly(texts)
    values[present] = parsed
    return values, None


def parse_all(strings: list[str]) -> Ints | None:
    """The times of strings none of which is None, or None if one is not a time."""
    parsed = _parse_naive(strings)  # type: ignore[arg-type]  # (a list is invariant)
    if parsed is not None:
        return parsed
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
    codes = text.view(np.uint8).reshape(len(strings), width)
    head = codes[:, :19]
    if ((head < _LOW) | (head > _HIGH)).any():
        return None
    fraction = _fraction(codes[:, 19:], text)
    if fraction is None:
        return None
    d = head.astype(np.int32)
    d -= ord("0")
    days = _days(d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3], d)
    if days is None:
        return None
    hour, minute, second = (
        d[:, 11] * 10 + d[:, 12],
        d[:, 14] * 10 + d[:, 15],
        d[:, 17] * 10 + d[:, 18],
    )
    if (hour > 23).any() or (minute > 59).any() or (second > 59).any():
        return None
    seconds = days * 86_400 + (hour * 3600 + minute * 60 + second)
    result: Ints = seconds * 1_000_000 + fraction
    return result


def _fraction(tail: np.ndarray, text: np.ndarray) -> Ints | np.ndarray | None:
    """The microseconds of `.f` to `.ffffff` after the seconds (0 if none), or None if the
    bytes after the seconds are anything else. Shorter strings are padded with NUL bytes."""
    if tail.shape[1] == 0:
        return np.zeros(len(tail), dtype=np.int32)
    length = np.strings.str_len(text)
    if (length == 20).any() or (tail[length > 19, 0] != ord(".")).any():
        return None
    places = tail[:, 1:]
    inside = np.arange(20, 20 + places.shape[1]) < length[:, None]
    if (inside & ((places < ord("0")) | (places > ord("9")))).any():
        return None
    digits = np.where(inside, places, ord("0")).astype(np.int32) - ord("0")
    return digits @ _FRACTION_SCALE[: places.shape[1]]


def _days(year: np.ndarray, d: np.ndarray) -> Ints | None:
    """Days since the epoch of the dates in digit columns `d` (Howard Hinnant's
    `days_from_civil`), or None if a month or day is out of range."""
    month, day = d[:, 5] * 10 + d[:, 6], d[:, 8] * 10 + d[:, 9]
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
        moment = moment.replace(tzinfo=UTC)
    return to_micros(moment)


def to_micros(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (exact, no float)."""
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def format_micros(micros: int) -> str:
    """`2024-03-01T12:00:00.123456Z`: the one way reportgen writes a time."""
    return str(np.datetime64(int(micros), "us")) + "Z"
