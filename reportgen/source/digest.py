"""Files' sizes and sha256, read once per build however many parts ask, and across builds
only while the file provably did not change.

The build cache keys a run's data by its input files' contents and the manifest names each
input by its sha256: both are the same hash of the same bytes, so each file (200 MB of
saved pages at 10^6 events, ~0.3 s to hash) is read for it once per build. Between builds
the build cache remembers each digest with the file's identity as `stat` gives it (device,
inode, size, modification and change times, in nanoseconds), the way git's index and make
do: a write to the file moves its change time, which no program can set back. A file
changed in the two seconds before it was hashed is hashed again next time (git's "racy"
case: a write in the same clock tick as the hash would leave the times unchanged).
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from reportgen.source.files import open_input

RACY_NS = 2_000_000_000
"""A remembered digest counts only for a file last changed this long before it was hashed
(coarse file system clocks tick in up to two seconds)."""


@dataclass(frozen=True)
class Remembered:
    """A file's digest as an earlier build computed it, and the file's identity then."""

    path: str
    identity: tuple[int, ...]
    """(device, inode, size, mtime_ns, ctime_ns)"""
    hashed_at_ns: int
    size: int
    sha256: str


class FileDigests:
    """(size, sha256) per file, computed on first asking (or ahead, on a thread: `prefetch`)
    unless `remembered` holds it for the file as it still is."""

    def __init__(self, remembered: tuple[Remembered, ...] = ()) -> None:
        self._known: dict[Path, Future[tuple[int, str]]] = {}
        self._remembered = {Path(r.path): r for r in remembered}
        self._fresh: dict[Path, Remembered] = {}
        self._lock = threading.Lock()

    def of(self, path: Path) -> tuple[int, str]:
        """(size in bytes, sha256 in hex) of the regular file at `path` (a FIFO or a device
        is refused, as the readers refuse it: SourceError)."""
        return self._future(path, ahead=False).result()

    def prefetch(self, paths: list[Path]) -> None:
        """Start hashing `paths` on a thread (hashlib and file reads work outside the GIL):
        a build reading its records needs their digests only for the manifest after."""
        for path in paths:
            self._future(path, ahead=True)

    def _future(self, path: Path, ahead: bool) -> Future[tuple[int, str]]:
        where = path.absolute()
        with self._lock:
            known = self._known.get(where)
            if known is not None:
                return known
            future: Future[tuple[int, str]] = Future()
            self._known[where] = future
        work = partial(self._settle, future, where, path)
        if ahead:
            # (a daemon: a build that fails reading a huge file exits without hashing it)
            threading.Thread(target=work, name=f"sha256 {path.name}", daemon=True).start()
        else:
            work()
        return future

    def _settle(self, future: Future[tuple[int, str]], where: Path, path: Path) -> None:
        try:
            future.set_result(self._recalled(where) or self._hashed(where, path))
        except BaseException as exc:  # (raised again by `of`, in the caller's thread)
            future.set_exception(exc)

    def remembered(self) -> tuple[Remembered, ...]:
        """What the next build may recall: the files asked for in this one as they were, and
        those of earlier builds that still exist (a build of some reports keeps the others')."""
        earlier = [r for where, r in self._remembered.items() if where not in self._known]
        return (*self._fresh.values(), *(r for r in earlier if Path(r.path).exists()))

    def _recalled(self, where: Path) -> tuple[int, str] | None:
        earlier = self._remembered.get(where)
        identity = _identity(where)
        if earlier is None or identity is None or earlier.identity != identity:
            return None
        self._fresh[where] = earlier
        return earlier.size, earlier.sha256

    def _hashed(self, where: Path, path: Path) -> tuple[int, str]:
        before, hashed_at = _identity(where), time.time_ns()
        digest = hashlib.sha256()
        size = 0
        with open_input(path, "input") as stream:  # never a FIFO or a device
            while block := stream.read(1 << 20):
                digest.update(block)
                size += len(block)
        changed_ns = max(before[3:]) if before is not None else hashed_at
        if before is not None and before == _identity(where) and changed_ns < hashed_at - RACY_NS:
            self._fresh[where] = Remembered(str(where), before, hashed_at, size, digest.hexdigest())
        return size, digest.hexdigest()


def _identity(path: Path) -> tuple[int, ...] | None:
    """(device, inode, size, mtime_ns, ctime_ns) of a regular file, else None."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
