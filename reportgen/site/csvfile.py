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
    node-weighted values the float rounded to 9 decimals (shortest exact repr)."""
    out.write(HEADER)
    if not series:
        return
    times = np.concatenate([s.times for s in series])
    rank = np.concatenate([np.full(len(s), i, dtype=np.int64) for i, s in enumerate(series)])
    values = np.concatenate([s.values for s in series])
    integral = np.array([s.integral for s in series])
    names = [s.name for s in series]
    order = np.lexsort((rank, times))
    for first in range(0, order.size, BLOCK):
        block = order[first : first + BLOCK]
        stamps = np.datetime_as_string(times[block].astype("datetime64[us]"), unit="us")
        out.write(
            "".join(
                f"{names[which]},{stamp}Z,{int(value) if integral[which] else repr(value)}\n"
                for which, stamp, value in zip(
                    rank[block].tolist(), stamps.tolist(), values[block].tolist(), strict=True
                )
            )
        )
