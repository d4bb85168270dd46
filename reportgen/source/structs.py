"""The records as msgspec decodes them: small typed structs holding only the fields reportgen
reads, with the bounds of `rules.py` (ids, node and packing counts) declared on the fields.

GC-untracked structs cost about a fifth of a dict per record. The detailed shapes are
separate so a build that needs no details decodes no more than it must; each extends its
plain shape, so a field is declared once.
"""

from __future__ import annotations

from typing import Any

import msgspec

from reportgen.source.rules import Id, NodeCount, PackingCount


class Data(msgspec.Struct, gc=False):
    num_nodes: NodeCount | None = None


class Event(msgspec.Struct, gc=False):
    id: Id
    job_id: Id
    timestamp: str
    from_state: str
    to_state: str
    data: Data | None = None


class DetailedData(Data, gc=False):
    returncode: Any = None
    error: Any = None
    message: Any = None


class DetailedEvent(Event, gc=False):
    """An event with the `data` keys the failures kind reads: a separate shape, so a build
    without it decodes no more than it did."""

    data: DetailedData | None = None


class Job(msgspec.Struct, gc=False):
    id: Id
    num_nodes: NodeCount
    batch_job_id: Id | None
    node_packing_count: PackingCount | None = None
    tags: dict[str, str] | None = None


class DetailedJob(Job, gc=False):
    """A job with the fields the job table shows: a separate shape, like `DetailedEvent`."""

    workdir: str | None = None
