"""The CSV of a chart's series: `series,timestamp,value`, one row per change, in time order
(or series by series); with a leading `run` column when the chart's series come from several
runs."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import numpy as np

from reportgen.analytics.steps import StepSeries
from reportgen.cachekey import entry_hash

HEADER = "series,timestamp,value\n"
BLOCK = 100_000
"""Rows formatted at a time: 10^6-row CSVs are written without holding them as one string."""


def series_hash(
    series: list[StepSeries], runs: list[str] | None = None, by_series: bool = False
) -> str:
    """The key of what a CSV is made from (`cachekey.py`): equal keys, equal files."""
    digest = entry_hash()
    if runs is not None:
        digest.update(repr(runs).encode())
    if by_series:
        digest.update(b"\0by series\0")
    for s in series:
        digest.update(f"\0{s.name}\0{s.integral}\0{len(s)}\0".encode())
        digest.update(s.times.tobytes())
        digest.update(s.values.tobytes())
    return digest.hexdigest()


def write_series_csv(
    path: Path, series: list[StepSeries], runs: list[str] | None = None, by_series: bool = False
) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        write_rows(out, series, runs, by_series)


def write_rows(
    out: TextIO, series: list[StepSeries], runs: list[str] | None = None, by_series: bool = False
) -> None:
    """Rows sorted by time; at one instant, in the chart's series order (`by_series`: each
    series' rows together, in the series' order, each by time). With `runs` (the run of each
    series), rows are by run first, each led by its run. Counts are integers, node-weighted
    values the float rounded to 9 decimals (shortest exact repr).

    Rows are assembled as byte matrices, BLOCK rows at a time, with NUL padding removed at
    the end; Python formats only the rare value outside `_value_texts`' range.
    """
    out.write(HEADER if runs is None else "run," + HEADER)
    if not series:
        return
    times = np.concatenate([s.times for s in series])
    rank = np.concatenate([np.full(len(s), i, dtype=np.int64) for i, s in enumerate(series)])
    values = np.concatenate([s.values for s in series]) + 0.0  # -0.0 is written 0.0
    integral = np.array([s.integral for s in series])
    keys = (times, rank) if by_series else (rank, times)
    if runs is None:
        order = np.lexsort(keys)
        names = _text_matrix([f"{s.name}," for s in series])
    else:
        run_rank = np.array([runs.index(r) for r in runs])[rank]
        order = np.lexsort((*keys, run_rank))
        prefixes = [f"{csv_field(r)},{s.name}," for r, s in zip(runs, series, strict=True)]
        names = _text_matrix(prefixes)
    for first in range(0, order.size, BLOCK):
        block = order[first : first + BLOCK]
        which = rank[block]
        rows = np.hstack(
            [
                names[which],
                _time_texts(times[block]),
                _value_texts(values[block], integral[which]),
                np.full((block.size, 1), ord("\n"), dtype=np.uint8),
            ]
        )
        out.write(rows.tobytes().replace(b"\0", b"").decode("utf-8"))


def csv_field(text: str) -> str:
    """One CSV field: quoted (RFC 4180) when it holds a comma, quote or line break."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _text_matrix(texts: list[str]) -> np.ndarray:
    """Texts as rows of UTF-8 bytes, padded with NUL."""
    encoded = [t.encode("utf-8") for t in texts]
    width = max((len(t) for t in encoded), default=0)
    joined = b"".join(t.ljust(width, b"\0") for t in encoded)
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(texts), width)


_PAIRS = np.frombuffer("".join(f"{i:02d}" for i in range(100)).encode(), np.uint16)
"""The two ASCII digits of 0..99 as one uint16 each, to write numbers two digits at a time."""


def _digits(out: np.ndarray, column: int, number: np.ndarray, width: int) -> None:
    """Write `number` (0 <= number < 10**width, width even) as `width` digits from `column`."""
    for pair in range(width // 2 - 1, -1, -1):
        number, last_two = np.divmod(number, 100)
        out[:, column + 2 * pair : column + 2 * pair + 2].view(np.uint16)[:, 0] = _PAIRS[last_two]


def _time_texts(micros: np.ndarray) -> np.ndarray:
    """`YYYY-MM-DDTHH:MM:SS.ffffffZ,` per time."""
    days, of_day = np.divmod(micros, 86_400_000_000)
    date = days.astype("datetime64[D]")
    month_start = date.astype("datetime64[M]")
    year = date.astype("datetime64[Y]").astype(np.int64) + 1970
    if year.size and (year.min() < 1 or year.max() > 9999):
        raise ValueError("a time outside years 1-9999 cannot be written as ISO 8601")
    seconds, fraction = np.divmod(of_day, 1_000_000)
    out = np.empty((micros.size, 28), dtype=np.uint8)
    out[:] = np.frombuffer(b"0000-00-00T00:00:00.000000Z,", dtype=np.uint8)
    _digits(out, 0, year, 4)
    _digits(out, 5, month_start.astype(np.int64) % 12 + 1, 2)
    _digits(out, 8, (date - month_start).astype(np.int64) + 1, 2)
    _digits(out, 11, seconds // 3600, 2)
    _digits(out, 14, seconds // 60 % 60, 2)
    _digits(out, 17, seconds % 60, 2)
    _digits(out, 20, fraction, 6)
    return out


_POWERS = 10 ** np.arange(1, 19, dtype=np.int64)


def _value_texts(values: np.ndarray, integral: np.ndarray) -> np.ndarray:
    """Counts as integers; weighted values as `repr` writes them, which for values rounded to
    9 decimals, with 1e-4 <= |v| < 1e6, is the 9-decimal form without trailing zeros (there
    doubles are closer than 1e-9, so no shorter decimal maps to the same one). Each such value
    is checked to be exactly that decimal (`m / 1e9 == v`, a correctly rounded division);
    any other value is formatted by Python's `repr` (or `int`)."""
    magnitude = np.abs(values)
    in_range = magnitude < 1e16  # False for NaN too
    magnitude = np.where(in_range, magnitude, 0.0)
    scaled = np.rint(magnitude * 1e9)
    whole = np.where(integral, magnitude, np.floor(scaled / 1e9))
    fraction = np.where(integral, 0, scaled - whole * 1e9)
    bulk = in_range & np.where(
        integral,
        values == np.trunc(values),
        ((magnitude >= 1e-4) & (magnitude < 1e6) & (scaled / 1e9 == magnitude)) | (values == 0),
    )
    whole = np.where(bulk, whole, 0).astype(np.int64)
    fraction = np.where(bulk, fraction, 0).astype(np.int64)
    length = np.searchsorted(_POWERS, whole, side="right") + 1  # digits of the integer part
    digits = int(length.max(initial=1)) + int(length.max(initial=1)) % 2
    decimals = 0 if integral.all() else 10  # the point and 9 decimals, if any are weighted
    out = np.zeros((values.size, 1 + digits + decimals), dtype=np.uint8)
    _digits(out, 1, whole, digits)
    column = np.arange(out.shape[1])
    # blank the integer part's leading zeros (keeping one), then place the sign before it
    out[:, : 1 + digits][column[None, : 1 + digits] < (1 + digits - length)[:, None]] = 0
    negative = values < 0
    out[negative, digits - length[negative]] = ord("-")
    if decimals:
        _digits(out[:, 1 + digits :], 0, fraction, 10)  # the point's column is overwritten
        out[:, 1 + digits] = ord(".")
        # keep the decimals up to the last non-zero one (at least one), none for counts
        kept = np.full(values.size, 9)
        for power in _POWERS[:8]:
            kept -= fraction % power == 0
        kept[integral] = -1
        out[column[None, :] > (1 + digits + kept)[:, None]] = 0
    return _with_rare_values(out, values, integral, np.flatnonzero(~bulk))


def _with_rare_values(
    out: np.ndarray, values: np.ndarray, integral: np.ndarray, rare: np.ndarray
) -> np.ndarray:
    """`out` with the rows at `rare` replaced by Python's own text of their values."""
    if not rare.size:
        return out
    texts = [
        str(int(v)) if whole_number else repr(v)
        for v, whole_number in zip(values[rare].tolist(), integral[rare].tolist(), strict=True)
    ]
    matrix = _text_matrix(texts)
    if matrix.shape[1] > out.shape[1]:
        out = np.hstack([out, np.zeros((values.size, matrix.shape[1] - out.shape[1]), np.uint8)])
    out[rare] = 0
    out[rare, : matrix.shape[1]] = matrix
    return out
