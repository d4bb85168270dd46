"""Failures: the attempts that ended other than in RUN_DONE, grouped by how they ended, with
the node-hours of the RUNNING intervals they closed; and how many attempts jobs took.

An attempt ending is an event leaving RUNNING (from_state RUNNING, to_state not) into any
state but RUN_DONE. Its group is (outcome = its to_state, its `data.returncode`, its message);
its cost is the weight times the duration of the RUNNING interval it closes (`closed_by` of
`running_intervals`), 0 when it closes none. Costs are summed exactly: integer microseconds
times the simple fraction each weight stands for.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from reportgen.analytics.exact import exact_dot, exact_weights
from reportgen.analytics.utilization import RunningIntervals
from reportgen.source.tables import Codes, EventDetails, EventTable, Floats, Ints, Mask, Objects

MESSAGE_CHARS = 120
EXAMPLE_JOBS = 5
MICROS_PER_HOUR = 3_600_000_000
_DIGITS = re.compile("[0-9]+")


@dataclass(frozen=True)
class Endings:
    """The attempt endings at or before the as-of time, in table order."""

    job_id: Ints
    outcome: Codes
    returncode: Floats
    """NaN when absent or not a number (`odd_returncode` says which)."""
    odd_returncode: Mask
    message: Objects
    """The normalised message (`group_message`) of each ending."""
    weight: Floats
    """The weight of the interval the ending closes (0 if it closes none)."""
    micros: Ints
    """The duration of that interval in microseconds (0 if none)."""
    closes: Mask
    """Whether the ending closes a RUNNING interval."""

    def __len__(self) -> int:
        return int(self.job_id.size)


@dataclass(frozen=True)
class FailureGroup:
    outcome: str
    returncode: float | None
    """None: no (numeric) return code."""
    message: str
    attempts: int
    jobs: int
    node_micros_ratio: tuple[int, int]
    """Node-microseconds, exact, as (numerator, denominator): the build cache keeps data,
    not Fractions."""
    example_job_ids: tuple[int, ...]
    """The smallest EXAMPLE_JOBS job ids of the group, ascending."""

    @property
    def node_micros(self) -> Fraction:
        return Fraction(*self.node_micros_ratio)

    @property
    def node_hours(self) -> Fraction:
        return self.node_micros / MICROS_PER_HOUR


def group_message(error: object, message: object) -> str:
    """The first line of `error` when it is a non-empty string, else of `message` when it is a
    string, else empty (lines end where `str.splitlines` ends them); whitespace runs collapsed
    to one space and trimmed, each run of digits 0-9 replaced by `N`, cut to MESSAGE_CHARS
    characters."""
    if isinstance(error, str) and error:
        text = error
    elif isinstance(message, str):
        text = message
    else:
        return ""
    first = text.splitlines()[0] if text else ""
    collapsed = " ".join(first.split())
    return _DIGITS.sub("N", collapsed)[:MESSAGE_CHARS]


def attempt_endings(
    events: EventTable, details: EventDetails, intervals: RunningIntervals, as_of: int
) -> Endings:
    """The endings among `events` (with their `details`), each with the interval it closes
    (`intervals` are the events' `running_intervals`, `closed_by` indexing `events`)."""
    running, done = events.code("RUNNING"), events.code("RUN_DONE")
    is_ending = (events.from_state == running) & (events.to_state != running)
    is_ending &= (events.to_state != done) & (events.timestamp <= as_of)
    positions = np.flatnonzero(is_ending)
    # each closed interval's ending, by its place among `positions` (arrays the size of the
    # endings, not of the events: 10^7 events, a few 10^5 endings)
    closed = np.flatnonzero(~intervals.is_open)
    slot = np.searchsorted(positions, intervals.closed_by[closed])
    hit = slot < positions.size
    hit[hit] = positions[slot[hit]] == intervals.closed_by[closed[hit]]
    slot, closed = slot[hit], closed[hit]
    weight, micros = np.zeros(positions.size), np.zeros(positions.size, dtype=np.int64)
    closes = np.zeros(positions.size, dtype=bool)
    weight[slot] = intervals.weight[closed]
    micros[slot] = intervals.end[closed] - intervals.start[closed]
    closes[slot] = True
    texts: dict[tuple[object, object], str] = {}  # messages repeat: normalise each once
    messages = np.empty(positions.size, dtype=object)
    rows = details.rows_of(positions)  # (every ending leaves RUNNING: each has a row)
    for index, (error, message) in enumerate(
        zip(details.error[rows].tolist(), details.message[rows].tolist(), strict=True)
    ):
        key = (error, message)
        if key not in texts:
            texts[key] = group_message(error, message)
        messages[index] = texts[key]
    return Endings(
        job_id=events.job_id[positions],
        outcome=events.to_state[positions],
        returncode=details.returncode[rows],
        odd_returncode=details.odd_returncode[rows],
        message=messages,
        weight=weight,
        micros=micros,
        closes=closes,
    )


def failure_groups(endings: Endings, state_names: tuple[str, ...]) -> list[FailureGroup]:
    """The endings grouped by (outcome, returncode, message), sorted by node-hours
    descending, attempts descending, outcome, returncode as a number (none last), message."""
    members: dict[tuple[int, float | None, str], list[int]] = {}
    codes = endings.returncode.tolist()
    for index, key in enumerate(
        zip(endings.outcome.tolist(), codes, endings.message.tolist(), strict=True)
    ):
        code = None if math.isnan(key[1]) else key[1] + 0.0  # (-0.0 is 0)
        members.setdefault((key[0], code, key[2]), []).append(index)
    groups = [
        _group(endings, np.array(indexes), state_names[outcome], code, message)
        for (outcome, code, message), indexes in members.items()
    ]
    groups.sort(key=_order)
    return groups


def _group(
    endings: Endings, indexes: Ints, outcome: str, code: float | None, message: str
) -> FailureGroup:
    jobs = np.unique(endings.job_id[indexes])
    return FailureGroup(
        outcome=outcome,
        returncode=code,
        message=message,
        attempts=int(indexes.size),
        jobs=int(jobs.size),
        node_micros_ratio=exact_node_micros(
            endings.weight[indexes], endings.micros[indexes]
        ).as_integer_ratio(),
        example_job_ids=tuple(jobs[:EXAMPLE_JOBS].tolist()),
    )


def exact_node_micros(weights: Floats, micros: Ints) -> Fraction:
    """The sum of weight x microseconds, exactly (the weights as the simple fractions they
    stand for)."""
    numerators, denominator = exact_weights(weights)
    return Fraction(exact_dot(numerators, micros), denominator)


def group_key(run: str, outcome: str, returncode: float | None, message: str) -> str:
    """A short name for one run's group, the same wherever it is computed (the failures
    table links a group to the job table by it, and the job table marks each job's groups
    with it): a hash, so a link stays short whatever the message."""
    text = "\0".join((run, outcome, returncode_text(returncode), message))
    return "g" + hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class JobGroups:
    """Per job with an attempt ending, the keys of its groups; per group key its label and
    how many jobs it has."""

    keys: dict[int, tuple[str, ...]]
    labels: dict[str, str]
    jobs: dict[str, int]


def job_groups(endings: Endings, state_names: tuple[str, ...], run: str) -> JobGroups:
    """The failure groups of each job with an ending (`group_key`), in key order."""
    per_job: dict[int, set[str]] = {}
    labels: dict[str, str] = {}
    names: dict[tuple[int, float | None, str], str] = {}
    for job, outcome, code, message in zip(
        endings.job_id.tolist(),
        endings.outcome.tolist(),
        endings.returncode.tolist(),
        endings.message.tolist(),
        strict=True,
    ):
        number = None if math.isnan(code) else code + 0.0  # (-0.0 is 0)
        combo = (outcome, number, message)
        key = names.get(combo)
        if key is None:
            key = group_key(run, state_names[outcome], number, message)
            names[combo] = key
            labels[key] = group_label(state_names[outcome], number, message)
        per_job.setdefault(job, set()).add(key)
    counts: dict[str, int] = {}
    for keys in per_job.values():
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    return JobGroups({j: tuple(sorted(k)) for j, k in per_job.items()}, labels, counts)


def group_label(outcome: str, returncode: float | None, message: str) -> str:
    """A group as a reader names it: `RUN_ERROR, return code 1, “Segfault at N”`."""
    parts = [outcome]
    if returncode is not None:
        parts.append(f"return code {returncode_text(returncode)}")
    parts.append(f"“{message}”" if message else "no message")
    return ", ".join(parts)


def returncode_text(code: float | None) -> str:
    """An integer as one (`139`, not `139.0`), another number as Python writes it, else empty."""
    if code is None:
        return ""
    return str(int(code)) if code.is_integer() else repr(code)


def _order(group: FailureGroup) -> tuple[Fraction, int, str, bool, float, str]:
    code = group.returncode
    return (
        -group.node_micros,
        -group.attempts,
        group.outcome,
        code is None,
        0.0 if code is None else code,
        group.message,
    )


@dataclass(frozen=True)
class AttemptCounts:
    """Per number of entries into RUNNING (`attempts`, ascending, only numbers some job
    has), how many jobs, and how many of them are JOB_FINISHED, FAILED or else at as-of."""

    attempts: Ints
    jobs: Ints
    finished: Ints
    failed: Ints
    other: Ints


def attempt_counts(
    events: EventTable, as_of: int, job_ids: Ints, states: Codes, state_names: tuple[str, ...]
) -> AttemptCounts:
    """`job_ids` (ascending) are every job with an event at or before as-of and `states`
    their states then; each event entering RUNNING by then counts as one attempt of its job."""
    running = events.code("RUNNING")
    enters = (events.to_state == running) & (events.from_state != running)
    enters &= (events.timestamp <= as_of) & (running >= 0)
    entered = events.job_id[enters]
    per_job = np.zeros(job_ids.size, dtype=np.int64)
    np.add.at(per_job, np.searchsorted(job_ids, entered), 1)
    names = np.array(state_names, dtype=object)[states] if states.size else np.empty(0, object)
    finished, failed = names == "JOB_FINISHED", names == "FAILED"
    numbers, index = np.unique(per_job, return_inverse=True)
    index = index.ravel()

    def count(mask: Mask) -> Ints:
        return np.bincount(index[mask], minlength=numbers.size).astype(np.int64)

    every = np.ones(job_ids.size, dtype=bool)
    return AttemptCounts(
        attempts=numbers.astype(np.int64),
        jobs=count(every),
        finished=count(finished),
        failed=count(failed),
        other=count(~(finished | failed)),
    )
