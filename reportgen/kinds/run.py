"""A run as the kinds see it: each query's records, its as-of time, its start, and a memo of
computations several kinds (and the headline) share."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeVar

from reportgen.source import ReportData
from reportgen.source.tables import BatchJobTable, EventTable, JobTable

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """A run's name and time range (microseconds): from its first record to its as-of time."""

    name: str
    start: int
    as_of: int


class Memo:
    """Results by key, kept for the build and, through the build cache, for the next one.

    A key is the `repr` of plain values (names, frozen options, times): equal inputs, equal
    key; `used` records the keys this build asked for, so only those are kept.
    """

    def __init__(self, known: MutableMapping[str, Any] | None = None) -> None:
        self.known: MutableMapping[str, Any] = {} if known is None else known
        self.used: dict[str, Any] = {}
        self.temporary: dict[str, Any] = {}

    def get(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        text = repr(key)
        if text in self.used:
            value: T = self.used[text]
        elif text in self.known:
            value = self.known[text]
        else:
            value = compute()
        self.used[text] = value
        return value

    def once(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """Like `get`, for this build only: never kept for the next one (large intermediates,
        such as every event of a query in order, cheaper to recompute than to store)."""
        text = repr(key)
        if text not in self.temporary:
            self.temporary[text] = compute()
        value: T = self.temporary[text]
        return value

    def made(self, key: tuple[object, ...]) -> Any | None:
        """What `once` has already computed for `key` in this build, else None (for a
        result that can be read off it more cheaply than computed afresh)."""
        return self.temporary.get(repr(key))


@dataclass(frozen=True)
class Run:
    name: str
    data: ReportData
    window: Window
    memo: Memo

    @property
    def as_of(self) -> int:
        return self.window.as_of

    @property
    def start(self) -> int:
        return self.window.start

    @property
    def jobs(self) -> JobTable | None:
        return self.data.jobs

    def events(self, query: str) -> EventTable:
        return self.data.events[query]

    def batch_jobs(self, query: str) -> BatchJobTable:
        return self.data.batch_jobs[query]

    def cached(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """`compute()` once per run, as-of time and key."""
        return self.memo.get((self.name, self.as_of, *key), compute)

    def once(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """`compute()` once per run, as-of time and key, in this build only."""
        return self.memo.once((self.name, self.as_of, *key), compute)

    def made(self, key: tuple[object, ...]) -> Any | None:
        """What `once` has already computed for this run, as-of time and key, else None."""
        return self.memo.made((self.name, self.as_of, *key))
