"""The CSV of a chart's series: `series,timestamp,value`, one row per change, in time order."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TextIO

import numpy as np

from reportgen.analytics.steps import StepSeries
from reportgen.fingerprint import code_fingerprint

HEADER = "series,timestamp,value\n"
BLOCK = 100_000
"""Rows formatted at a time: 10^6-row CSVs are written without holding them as one string."""


def series_hash(series: list[StepSeries]) -> str:
    """What a CSV is made from, hashed (with reportgen's code): equal hashes, equal files."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for s in series:
        digest.update(f"\0{s.name}\0{s.integral}\0{len(s)}\0".encode())
        digest.update(s.times.tobytes())
        digest.update(s.values.tobytes())
    return digest.hexdigest()


def write_series_csv(path: Path, series: list[StepSeries]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        write_rows(out, series)


def write_rows(out: TextIO, series: list[StepSeries]) -> None:
    """Rows sorted by time; at one instant, in the chart's series order. Counts are integers,
    node-weighted values the float rounded to 9 decimals (shortest exact repr).

    Rows are assembled as byte matrices, BLOCK rows at a time: formatting each row in Python
    took 6.8 s for the 3.3 million rows of a 10^7-event report.
    """
    out.write(HEADER)
    if not series:
        return
    times = np.concatenate([s.times for s in series])
    rank = np.concatenate([np.full(len(s), i, dtype=np.int64) for i, s in enumerate(series)])
    values = np.concatenate([s.values for s in series])
    order = np.lexsort((rank, times))
    names = _text_matrix([f"{s.name}," for s in series])
    for first in range(0, order.size, BLOCK):
        block = order[first : first + BLOCK]
        which = rank[block]
        value_matrix = _value_matrix(values[block], which, series)
        rows = np.hstack(
            [
                names[which],
                _time_matrix(times[block]),
                value_matrix,
                np.full((block.size, 1), ord("\n"), dtype=np.uint8),
            ]
        )
        out.write(rows.tobytes().replace(b"\0", b"").decode("ascii"))


def _value_matrix(values: np.ndarray, which: np.ndarray, series: list[StepSeries]) -> np.ndarray:
    """Each row's value as text; each distinct value of a series is formatted once."""
    parts = []
    for index, one in enumerate(series):
        mine = which == index
        distinct, inverse = np.unique(values[mine] + 0.0, return_inverse=True)  # -0.0 -> 0.0
        texts = [str(int(v)) if one.integral else repr(v) for v in distinct.tolist()]
        parts.append((mine, _text_matrix(texts), inverse))
    width = max(matrix.shape[1] for _, matrix, _ in parts)
    rows = np.zeros((values.size, width), dtype=np.uint8)
    for mine, matrix, inverse in parts:
        rows[mine, : matrix.shape[1]] = matrix[inverse]
    return rows


def _text_matrix(texts: list[str]) -> np.ndarray:
    """ASCII texts as rows of bytes, padded with NUL (removed once the rows are joined)."""
    width = max((len(t) for t in texts), default=0)
    return np.frombuffer(
        "".join(t.ljust(width, "\0") for t in texts).encode("ascii"), dtype=np.uint8
    ).reshape(len(texts), width)


def _time_matrix(micros: np.ndarray) -> np.ndarray:
    """`YYYY-MM-DDTHH:MM:SS.ffffffZ,` per time, digits computed in bulk (no per-row Python:
    `np.datetime_as_string` took 0.65 s per 10^6 rows, this ~0.05 s)."""
    days, of_day = np.divmod(micros, 86_400_000_000)
    date = days.astype("datetime64[D]")
    year = date.astype("datetime64[Y]").astype(np.int64) + 1970
    if year.size and (year.min() < 1 or year.max() > 9999):
        raise ValueError("a time outside years 1-9999 cannot be written as ISO 8601")
    month = date.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (date - date.astype("datetime64[M]")).astype(np.int64) + 1
    seconds, fraction = np.divmod(of_day, 1_000_000)
    hour, rest = np.divmod(seconds, 3600)
    minute, second = np.divmod(rest, 60)
    fields = [(year, 4, "-"), (month, 2, "-"), (day, 2, "T"), (hour, 2, ":")]
    fields += [(minute, 2, ":"), (second, 2, "."), (fraction, 6, "Z,")]
    columns = []
    for number, digits, after in fields:
        for power in range(digits - 1, -1, -1):
            columns.append(number // 10**power % 10 + ord("0"))
        columns += [np.full(micros.size, ord(c)) for c in after]
    return np.stack(columns, axis=1).astype(np.uint8)
