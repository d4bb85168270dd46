"""Files' sizes and sha256, read once per build however many parts ask.

The build cache keys a run's data by its input files' contents and the manifest names each
input by its sha256: both are the same hash of the same bytes, so each file (160 MB of
saved pages at 10^6 events) is read for it once per build. One `FileDigests` lives for one
build only: a long-running process (`serve`) makes a new one per build, so an edit is never
missed for a timestamp that did not move.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from reportgen.source.files import open_input


class FileDigests:
    """(size, sha256) per file, computed on first asking."""

    def __init__(self) -> None:
        self._known: dict[Path, tuple[int, str]] = {}

    def of(self, path: Path) -> tuple[int, str]:
        """(size in bytes, sha256 in hex) of the regular file at `path` (a FIFO or a device
        is refused, as the readers refuse it: SourceError)."""
        where = path.absolute()
        if where not in self._known:
            digest = hashlib.sha256()
            size = 0
            with open_input(path, "input") as stream:  # never a FIFO or a device
                while block := stream.read(1 << 20):
                    digest.update(block)
                    size += len(block)
            self._known[where] = (size, digest.hexdigest())
        return self._known[where]
