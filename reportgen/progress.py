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

    def stage(self, message: str) -> None:
        if self.enabled:
            self._end_line()
            print(f"  {message}", file=self.stream, flush=True)

    def records(self, what: str, records: int, pages: int, total: int) -> None:
        """A page arrived: redraw `what: records / total (pages)` at most 10 times a second."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_draw < 0.1 and records < total:
            return
        self._last_draw = now
        share = f" {100 * records // total:3d}%" if total else ""
        self.stream.write(
            f"\r    {what}: {records:,} / {total:,} records, {pages} page(s){share}\x1b[K"
        )
        self.stream.flush()
        self._open_line = True

    def reading(self, what: str, records: int, share: float) -> None:
        """A chunk of a saved file was decoded: redraw `what: records, share of the file`."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_draw < 0.1 and share < 1:
            return
        self._last_draw = now
        self.stream.write(
            f"\r    {what}: {records:,} records, {100 * share:3.0f}% of the file\x1b[K"
        )
        self.stream.flush()
        self._open_line = True

    def _end_line(self) -> None:
        if self._open_line:
            self.stream.write("\n")
            self._open_line = False


QUIET = Progress(enabled=False)
