"""File system edge: the OS lock that makes builds into one output folder take turns.

Two builds into one OUT would each clean up the other's staging folder, or swap at the same
time; `flock` on `.<OUT's name>.reportgen-lock` beside OUT lets one build at a time stage and
swap, and the kernel releases it when the holder dies (even by kill -9), so a killed build
never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from reportgen.errors import ReportgenError

_HELD: set[int] = set()
"""Descriptors of the locks this process holds: a forked child closes its copies, so a
decoder worker left alive by a killed build cannot keep the next build waiting."""


def _close_held_in_child() -> None:
    for descriptor in _HELD:
        os.close(descriptor)  # closing a copy releases nothing; unlocking would
    _HELD.clear()


os.register_at_fork(after_in_child=_close_held_in_child)


def lock_path(out_dir: Path) -> Path:
    """The lock file of builds into `out_dir` (an absolute path)."""
    return out_dir.parent / f".{out_dir.name}.reportgen-lock"


@contextmanager
def build_lock(out_dir: Path, on_wait: Callable[[], object] | None = None) -> Iterator[None]:
    """Hold the lock of builds into `out_dir`, waiting for another build to finish first
    (`on_wait` is called once if so). The folder above `out_dir` is made if missing.

    The file is created empty and never written: its content does not matter, and it stays
    after the build, because a removed lock file lets a waiting build lock a file nobody
    else sees."""
    _make_folder(out_dir.parent)
    flags = os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    descriptor = os.open(lock_path(out_dir), flags, 0o644)
    try:
        if os.fstat(descriptor).st_uid != os.geteuid():  # e.g. planted in /tmp to stall us
            raise ReportgenError(
                f"{lock_path(out_dir)} belongs to another user: refusing to wait on it; "
                "choose another --out"
            )
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        _HELD.add(descriptor)
        yield
    finally:
        _HELD.discard(descriptor)
        os.close(descriptor)  # releases the lock


def _make_folder(folder: Path) -> None:
    """`folder` and its parents; a file in the way is ENOTDIR ("Not a directory"), the
    reason a user needs, rather than mkdir's "File exists"."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        reason = os.strerror(errno.ENOTDIR)
        raise NotADirectoryError(errno.ENOTDIR, reason, exc.filename) from exc
