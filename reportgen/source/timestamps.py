"""Vectorised parsing of Balsam's timestamps into int64 microseconds since the epoch, UTC."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from reportgen.source.tables import NO_TIME, Ints


def parse_timestamps(texts: Sequence[str | None]) -> tuple[Ints, int | None]:
    """Parse ISO times (naive = UTC, as Balsam writes them); None stays NO_TIME.

    Returns the times and the index of the first unparseable string (None if all parsed).
    NumPy parses naive strings with or without a fraction in one C loop; strings with an
    offset (`Z`, `+00:00`) are rare in Balsam output and go through `fromisoformat`.
    """
    values = np.full(len(texts), NO_TIME, dtype=np.int64)
    present = [i for i, t in enumerate(texts) if t is not None]
    if not present:
        return values, None
    strings = [texts[i] for i in present] if len(present) < len(texts) else list(texts)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            parsed = np.array(strings, dtype="datetime64[us]").astype(np.int64)
        if (parsed == NO_TIME).any():  # "NaT" is not a time
            raise ValueError
    except (ValueError, TypeError, DeprecationWarning, UserWarning):
        return _parse_slowly(texts)
    values[present] = parsed
    return values, None


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
    if not isinstance(text, str) or len(text) < 16:
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
