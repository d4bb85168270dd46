"""The CSV of duration samples: `stage,job_id,start,seconds`, one row per sample, with a
leading `run` column when the samples come from several runs. Written as byte matrices, a
block of rows at a time, as `csvfile` writes series: 10^6-row files in about a second."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reportgen.analytics.durations import StageSamples
from reportgen.cachekey import entry_hash
from reportgen.site.csvfile import _digits, _text_matrix, _time_texts, csv_field
from reportgen.source.tables import Ints

HEADER = "stage,job_id,start,seconds\n"
BLOCK = 100_000


@dataclass(frozen=True)
class SampleGroup:
    """One stage's samples (already ordered by start, then job id), and its run if the CSV
    has several."""

    stage: str
    samples: StageSamples
    run: str | None = None


def samples_hash(groups: Sequence[SampleGroup]) -> str:
    """The key of what the CSV is made from (`cachekey.py`): equal keys, equal files."""
    digest = entry_hash()
    for group in groups:
        digest.update(f"\0{group.run}\0{group.stage}\0{len(group.samples)}\0".encode())
        for column in (group.samples.job_id, group.samples.start, group.samples.micros):
            digest.update(column.tobytes())
    return digest.hexdigest()


def write_samples_csv(path: Path, groups: Sequence[SampleGroup]) -> None:
    """Rows group after group, each in its samples' order; start in UTC to the microsecond,
    seconds with exactly 6 decimals (the integer microseconds, printed exactly)."""
    several = any(group.run is not None for group in groups)
    with path.open("wb") as out:  # rows are UTF-8 bytes already
        out.write(("run," + HEADER if several else HEADER).encode())
        for group in groups:
            prefix = f"{csv_field(group.run)}," if group.run is not None else ""
            lead = _text_matrix([prefix + csv_field(group.stage) + ","])
            samples = group.samples
            for first in range(0, len(samples), BLOCK):
                part = slice(first, first + BLOCK)
                count = samples.micros[part].size
                rows = np.hstack(
                    [
                        np.repeat(lead, count, axis=0),
                        integer_texts(samples.job_id[part], ","),
                        _time_texts(samples.start[part]),
                        seconds_texts(samples.micros[part]),
                        np.full((count, 1), ord("\n"), dtype=np.uint8),
                    ]
                )
                out.write(rows.tobytes().replace(b"\0", b""))


_POWERS = 10 ** np.arange(1, 19, dtype=np.int64)


def integer_texts(values: Ints, suffix: str = "") -> np.ndarray:
    """Non-negative integers in decimal (NUL-padded on the left), each followed by `suffix`."""
    length = np.searchsorted(_POWERS, values, side="right") + 1
    digits = int(length.max(initial=1))
    digits += digits % 2
    out = np.zeros((values.size, digits + len(suffix)), dtype=np.uint8)
    _digits(out, 0, values, digits)
    column = np.arange(digits)
    out[:, :digits][column[None, :] < (digits - length)[:, None]] = 0  # leading zeros
    if suffix:
        out[:, digits:] = np.frombuffer(suffix.encode(), dtype=np.uint8)
    return out


def seconds_texts(micros: Ints) -> np.ndarray:
    """Non-negative microseconds as seconds with exactly 6 decimals: `12.000250`."""
    if micros.size and int(micros.min()) < 0:
        raise ValueError("a negative duration")
    whole, fraction = np.divmod(micros, 1_000_000)
    out = np.zeros((micros.size, 7), dtype=np.uint8)
    out[:, 0] = ord(".")
    _digits(out[:, 1:], 0, fraction, 6)
    return np.hstack([integer_texts(whole), out])
