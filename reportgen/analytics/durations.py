"""Stage latencies: how long each job took from entering one state to entering another, one
sample per attempt, and their order statistics. Times and durations are integer microseconds."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from reportgen.source.tables import Codes, Ints

QUANTILES = (0.5, 0.9, 0.99)
"""The summary's p50, p90 and p99."""


@dataclass(frozen=True)
class StageSamples:
    """One stage's samples, ordered by start, then job id, and the entries left without one."""

    job_id: Ints
    start: Ints
    """When the job entered the stage's `from` state."""
    micros: Ints
    """How long until it entered `to`."""
    incomplete: int
    """Entries into `from` followed by another entry into `from`, or by nothing, by the as-of
    time: no sample."""

    def __len__(self) -> int:
        return int(self.micros.size)

    @property
    def entries(self) -> int:
        """Every event entering `from`: a sample each, or incomplete."""
        return len(self) + self.incomplete


def stage_samples(
    job_id: Ints, timestamp: Ints, from_state: Codes, to_state: Codes, start: int, end: int
) -> StageSamples:
    """Events given per job along its history (`job_chain_order`): for each event entering
    `start`, the next event of its job entering `start` or `end`; one entering `end` ends a
    sample, anything else (or none) leaves the entry incomplete."""
    enters_start = (to_state == start) & (from_state != start)
    enters_end = (to_state == end) & (from_state != end)
    marks = np.flatnonzero(enters_start | enters_end)
    opens = enters_start[marks]
    job = job_id[marks]
    # each mark's next mark, if of the same job
    next_same_job = np.r_[job[1:] == job[:-1], False]
    closes = np.r_[~opens[1:], False] & next_same_job
    first = np.flatnonzero(opens & closes)
    begin, finish = marks[first], marks[first + 1]
    samples = job_id[begin], timestamp[begin], timestamp[finish] - timestamp[begin]
    order = np.lexsort((samples[0], samples[1]))
    return StageSamples(
        job_id=samples[0][order],
        start=samples[1][order],
        micros=samples[2][order],
        incomplete=int(np.count_nonzero(opens)) - first.size,
    )


@dataclass(frozen=True)
class Summary:
    """A stage's statistics in microseconds, rounded to whole ones (None without samples)."""

    count: int
    incomplete: int
    minimum: int | None = None
    quantiles: tuple[int, ...] = ()
    """p50, p90, p99: NumPy's default linear interpolation between order statistics."""
    maximum: int | None = None
    mean: int | None = None


def summary(samples: StageSamples) -> Summary:
    """Count, incomplete, min, p50, p90, p99, max and mean of a stage's samples."""
    micros = samples.micros
    if micros.size == 0:
        return Summary(0, samples.incomplete)
    quantiles = np.rint(np.quantile(micros.astype(np.float64), QUANTILES)).astype(np.int64)
    seconds, rest = np.divmod(micros, 1_000_000)  # an exact sum: int64 would overflow at 10^7
    total = int(seconds.sum()) * 1_000_000 + int(rest.sum())
    return Summary(
        count=int(micros.size),
        incomplete=samples.incomplete,
        minimum=int(micros.min()),
        quantiles=tuple(quantiles.tolist()),
        maximum=int(micros.max()),
        mean=round(Fraction(total, micros.size)),
    )


def ecdf_points(micros: Ints) -> tuple[Ints, Ints]:
    """The empirical CDF's steps: each distinct duration (ascending) and how many samples are
    at or below it."""
    values, counts = np.unique(micros, return_counts=True)
    return values, np.cumsum(counts)
