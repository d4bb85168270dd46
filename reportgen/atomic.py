"""Files written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def naming(path: Path) -> Iterator[None]:
    """An OSError without a file name raised while writing `path` names it: a full disk
    fails a write, not the open, and its error says no more than "No space left on device"."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise


def write_whole(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write `path` through a temporary file beside it, renamed into place, so a reader sees
    the old file or the new one, never half of one. On failure (an OSError, e.g. a full
    disk) the temporary file is removed and the error raised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
