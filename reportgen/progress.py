"""Progress for long builds: stages and a live record counter on a terminal, silent elsewhere."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


class Progress:
    """Prints to `stream` only when enabled (by default: a terminal, and not in CI)."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = self.stream.isatty() and not os.environ.get("CI")
        self.enabled = enabled
        self._last_draw = 0.0
        self._open_line = False
        self._fetch_started: dict[str, float] = {}

    def stage(self, message: str) -> None:
        if self.enabled:
            self._end_line()
            print(f"  {message}", file=self.stream, flush=True)

    def records(self, what: str, records: int, pages: int, total: int) -> None:
        """A page arrived: `what: records / total (pages), share, rate`; page 0 (none yet)
        marks the start of the fetch the rate is measured from."""
        if pages == 0:
            self._fetch_started[what] = time.monotonic()
            return
        share = f" {100 * records // total:3d}%" if total else ""
        line = f"{what}: {records:,} / {total:,} records, {pages} page(s){share}"
        started = self._fetch_started.get(what)
        elapsed = time.monotonic() - started if started is not None else 0.0
        if elapsed > 0:
            line += f", {records / elapsed:,.0f} records/s"
        self._redraw(line, final=records >= total)

    def reading(self, what: str, records: int, share: float) -> None:
        """A chunk of a saved file was decoded: `what: records, share of the file`."""
        self._redraw(f"{what}: {records:,} records, {100 * share:3.0f}% of the file", share >= 1)

    def _redraw(self, line: str, final: bool) -> None:
        """Redraw the counter line, at most 10 times a second unless it is the last."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_draw < 0.1 and not final:
            return
        self._last_draw = now
        self.stream.write(f"\r    {line}\x1b[K")
        self.stream.flush()
        self._open_line = True

    def _end_line(self) -> None:
        if self._open_line:
            self.stream.write("\n")
            self._open_line = False


QUIET = Progress(enabled=False)
