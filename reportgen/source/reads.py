"""Each saved file read once per report, however many of its runs select from it.

Runs of one report usually share a source: without this, a report of five runs would parse
its events file five times. A `Reads` lives for one report's loading and is then dropped,
so the whole tables it holds are freed with it. It also says what reading accepts (its
`limits`, the same for every report of a build).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from reportgen.limits import STRICT, InputLimits

T = TypeVar("T")


class Reads:
    """Tables read from files, by (what, path, the keys read besides the fixed fields,
    whether events' details were read)."""

    def __init__(self, limits: InputLimits = STRICT) -> None:
        self.limits = limits
        self._tables: dict[tuple[str, Path, frozenset[str], bool], Any] = {}

    def once(
        self, what: str, path: Path, keys: set[str], read: Callable[[], T], details: bool = False
    ) -> T:
        """`read()` the first time these arguments are asked for, its table after that: a
        table read without details is never handed to a reader that needs them."""
        key = (what, path, frozenset(keys), details)
        if key not in self._tables:
            self._tables[key] = read()
        table: T = self._tables[key]
        return table
