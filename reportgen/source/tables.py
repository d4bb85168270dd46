"""Columnar record tables: one NumPy array per field, never one Python object per event.

Times are int64 microseconds since the Unix epoch, UTC. A missing time is `NO_TIME`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

NO_TIME = np.iinfo(np.int64).min
NO_ID = -1
NO_WALL_TIME = -1

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Codes = NDArray[np.int16]
Objects = NDArray[np.object_]
Mask = NDArray[np.bool_]


DETAILED_STATE = "RUNNING"
"""Details are read for the events leaving this state: only they say how a run ended."""


@dataclass(frozen=True)
class EventDetails:
    """What an event's `data` says about how a run ended, read only when a kind asks for it
    (`Needs.event_details`), and only for the events whose from_state is DETAILED_STATE
    (a fifth of them; 9.4 x 10^6 events: 356 MB of details -> about 70 MB): both readers
    fill these columns alike (see `rules.py`)."""

    position: Ints
    """Each row's event: its index in the event table (ascending)."""
    returncode: Floats
    """`data.returncode` when it is a number (NaN when absent, null or not a number)."""
    odd_returncode: Mask
    """Whether `data.returncode` is there but is not such a number (a string, a boolean...)."""
    error: Objects
    """`data.error` when it is a string, else None."""
    message: Objects
    """`data.message` when it is a string, else None."""

    def take(self, events: Mask) -> EventDetails:
        """The rows of the events `events` keeps (a mask over the event table), with their
        positions in the table it makes."""
        rows = events[self.position]
        position = (np.cumsum(events) - 1)[self.position[rows]]
        return EventDetails(
            position,
            self.returncode[rows],
            self.odd_returncode[rows],
            self.error[rows],
            self.message[rows],
        )

    def rows_of(self, events: Ints) -> Ints:
        """The rows of these events (positions in the table, each with a row)."""
        return np.searchsorted(self.position, events)

    def dense(self, events: int) -> tuple[Floats, Mask, Objects, Objects]:
        """The four columns with one entry per event of a table of `events` (NaN, False,
        None, None where an event has no row): only to compare duplicate records."""
        returncode, odd = np.full(events, np.nan), np.zeros(events, dtype=bool)
        error, message = np.full(events, None, dtype=object), np.full(events, None, dtype=object)
        returncode[self.position], odd[self.position] = self.returncode, self.odd_returncode
        error[self.position], message[self.position] = self.error, self.message
        return returncode, odd, error, message


@dataclass(frozen=True)
class EventTable:
    """EventLog rows. States are codes into `state_names`; `num_nodes` is NaN when absent."""

    id: Ints
    job_id: Ints
    timestamp: Ints
    from_state: Codes
    to_state: Codes
    num_nodes: Floats
    state_names: tuple[str, ...]
    data_values: dict[str, Objects] = field(default_factory=dict)
    """For each `data` key a query filters on: the event's string value there, else None."""
    duplicates_dropped: int = 0
    """Records the file listed again with the same id and content (see `duplicates.py`)."""
    shortfall: str = ""
    """How the file's pages fell short of their counts, when that was allowed (else "")."""
    details: EventDetails | None = None
    """Return codes and messages, when the report's kinds need them (else None)."""

    def __len__(self) -> int:
        return int(self.id.size)

    def take(self, mask: Mask) -> EventTable:
        return EventTable(
            id=self.id[mask],
            job_id=self.job_id[mask],
            timestamp=self.timestamp[mask],
            from_state=self.from_state[mask],
            to_state=self.to_state[mask],
            num_nodes=self.num_nodes[mask],
            state_names=self.state_names,
            data_values={k: v[mask] for k, v in self.data_values.items()},
            duplicates_dropped=self.duplicates_dropped,
            shortfall=self.shortfall,
            details=None if self.details is None else self.details.take(mask),
        )

    def code(self, state: str) -> int:
        """The code of a state, or -1 if no event has it."""
        try:
            return self.state_names.index(state)
        except ValueError:
            return -1


@dataclass(frozen=True)
class JobDetails:
    """What the job table shows of a job record beyond what analytics need, read only when a
    kind asks for it (`Needs.job_details`): both readers fill these columns alike."""

    tags: Objects
    """Every tag as `k=v`, sorted by key, joined by spaces (`columns.tags_text`)."""
    workdir: Objects
    """The job's workdir (empty when absent or null)."""

    def take(self, mask: Mask) -> JobDetails:
        return JobDetails(self.tags[mask], self.workdir[mask])


@dataclass(frozen=True)
class JobTable:
    """Job rows: what analytics and filters need. `batch_job_id` is NO_ID when absent."""

    id: Ints
    num_nodes: Floats
    node_packing_count: Floats
    batch_job_id: Ints
    tag_values: dict[str, Objects] = field(default_factory=dict)
    """For each tag key a query filters on: the job's value, else None."""
    duplicates_dropped: int = 0
    shortfall: str = ""
    details: JobDetails | None = None
    """Tags and workdir, when the report's kinds need them (else None)."""

    def __len__(self) -> int:
        return int(self.id.size)

    def take(self, mask: Mask) -> JobTable:
        return JobTable(
            id=self.id[mask],
            num_nodes=self.num_nodes[mask],
            node_packing_count=self.node_packing_count[mask],
            batch_job_id=self.batch_job_id[mask],
            tag_values={k: v[mask] for k, v in self.tag_values.items()},
            duplicates_dropped=self.duplicates_dropped,
            shortfall=self.shortfall,
            details=None if self.details is None else self.details.take(mask),
        )


@dataclass(frozen=True)
class BatchJobTable:
    """BatchJob rows; scheduler_id is NO_ID and times NO_TIME when null."""

    id: Ints
    site_id: Ints
    scheduler_id: Ints
    num_nodes: Ints
    start_time: Ints
    end_time: Ints
    state: Objects
    queue: Objects
    filter_tags: Objects
    """Each row's filter_tags dict (batch jobs are few: thousands, not millions)."""
    wall_time_min: Ints
    """The requested wall time in minutes; NO_WALL_TIME when absent (older saved files)."""
    job_mode: Objects
    project: Objects
    """Text; empty when absent."""
    status_info: Objects
    """Each row's status_info dict (e.g. a submit error); empty when absent."""
    duplicates_dropped: int = 0
    shortfall: str = ""

    def __len__(self) -> int:
        return int(self.id.size)

    def take(self, mask: Mask) -> BatchJobTable:
        columns = {name: getattr(self, name)[mask] for name in BATCH_JOB_COLUMNS}
        return BatchJobTable(
            **columns, duplicates_dropped=self.duplicates_dropped, shortfall=self.shortfall
        )


_DTYPES: dict[str, Any] = {
    "Ints": np.int64,
    "Floats": np.float64,
    "Codes": np.int16,
    "Mask": np.bool_,
    "Objects": object,
}


def column_types(table: type) -> dict[str, Any]:
    """A table's columns (its array fields, in the order declared above) and their NumPy
    dtypes, read from its declaration: the readers build and join columns by these names."""
    return {f.name: _DTYPES[f.type] for f in dataclasses.fields(table) if f.type in _DTYPES}


BATCH_JOB_COLUMNS = tuple(column_types(BatchJobTable))


RUNNING_BATCH_JOB = "running"


def unstarted_running(batch_jobs: BatchJobTable) -> Mask:
    """The batch jobs running with no start_time (Balsam fills it in only once the allocation
    has ended): their start is estimated (see `analytics/batch_starts`)."""
    found: Mask = (batch_jobs.state == RUNNING_BATCH_JOB) & (batch_jobs.start_time == NO_TIME)
    return found
