"""What a record's numbers may be, in one place for both readers.

The plain reader (`columns.py`) checks each value with the functions here and words the
error; the msgspec reader (`fast.py`) declares the same bounds as `msgspec.Meta`
constraints, so a value out of bounds fails the decode and its chunk is read again by the
plain reader, which names the record. One set of bounds, one wording.
"""

from __future__ import annotations

import json
import math
from typing import Annotated

import msgspec

MIN_ID, MAX_ID = -(2**63), 2**63 - 1
"""Ids are 64-bit integers in every table."""
MAX_NODES = 2**31 - 1
"""Balsam stores node counts as 32-bit integers: anything larger is not a node count."""
MAX_WALL_MINUTES = 2**31 - 1
"""Balsam stores a batch job's wall_time_min as a 32-bit integer (only the plain reader
reads batch jobs)."""

Id = Annotated[int, msgspec.Meta(ge=MIN_ID, le=MAX_ID)]
NodeCount = Annotated[float, msgspec.Meta(ge=0, le=MAX_NODES)]
"""A job's num_nodes or an event's data.num_nodes (nodes / node_packing_count): Balsam has no
lower bound on num_nodes and its launchers write 0 for a job of 0 nodes, so 0 is allowed."""
PackingCount = Annotated[float, msgspec.Meta(gt=0, le=MAX_NODES)]
"""Balsam divides by node_packing_count (its launchers' occupancy 1 / count): never 0."""


def shown(value: object) -> str:
    """A value as the file writes it (JSON: NaN, Infinity, 1e+300, "text")."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


MAX_RETURNCODE = 2**53
"""Larger numbers are not return codes (nor held exactly as float64): they count as odd."""


def returncode_value(value: object) -> tuple[float, bool]:
    """`data.returncode` as (number, odd): NaN and not odd when absent or null; NaN and odd
    when it is not a JSON number within +-2**53 (a string, a boolean, a list...)."""
    if value is None:
        return math.nan, False
    if type(value) in (int, float) and abs(value) <= MAX_RETURNCODE:  # type: ignore[arg-type]
        return float(value), False  # type: ignore[arg-type]
    return math.nan, True


def id_problem(field: str, value: int) -> str | None:
    """Why an integer is not an id, or None if it is one."""
    if MIN_ID <= value <= MAX_ID:
        return None
    return f"field {field!r} is {value}: an id must fit in 64 bits (-2**63 to 2**63 - 1)"


def nodes_problem(field: str, value: float, zero: bool = True) -> str | None:
    """Why a number is not a node or packing count (finite, 0 or more when `zero`, else more
    than 0, at most MAX_NODES), or None if it is one."""
    low_ok = value >= 0 if zero else value > 0
    if low_ok and value <= MAX_NODES and math.isfinite(value):
        return None
    low = "from 0" if zero else "above 0 and"
    return f"{field} is {shown(value)}: expected a finite number {low} up to {MAX_NODES:,}"
