"""Write a site into a staging folder beside the output and swap it in only when complete.

A build that fails or is killed leaves the previous site as it was. The swap is two renames
(old aside, new in place); a kill between them leaves the old site in `.<name>.old-*`, which
the next build puts back before it starts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reportgen.errors import ReportgenError

MARKER = ".reportgen-site"
"""Present in every site reportgen writes: it never replaces a folder without it."""


@contextmanager
def staged_site(out_dir: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on normal exit it replaces `out_dir`."""
    out_dir = out_dir.absolute()
    restore_interrupted_swap(out_dir)
    _refuse_foreign_folder(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        (staging / MARKER).write_text("built by reportgen\n", encoding="utf-8")
        yield staging
        _swap(staging, out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _refuse_foreign_folder(out_dir: Path) -> None:
    if out_dir.is_file() or out_dir.is_symlink():
        raise ReportgenError(f"{out_dir} is not a folder: choose another --out")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise ReportgenError(
            f"{out_dir} exists and was not written by reportgen (no {MARKER} file): "
            "refusing to replace it; choose another --out or empty it first"
        )


def _swap(staging: Path, out_dir: Path) -> None:
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a site is for reading
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.replace(out_dir, aside / "site")
    os.replace(staging, out_dir)
    shutil.rmtree(aside, ignore_errors=True)


def restore_interrupted_swap(out_dir: Path) -> None:
    """Put back a previous site moved aside by a swap that was killed halfway."""
    if out_dir.exists():
        for leftover in out_dir.parent.glob(f".{out_dir.name}.old-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    else:
        for leftover in sorted(out_dir.parent.glob(f".{out_dir.name}.old-*/site")):
            os.replace(leftover, out_dir)
            shutil.rmtree(leftover.parent, ignore_errors=True)
            break
    for partial in out_dir.parent.glob(f".{out_dir.name}.new-*"):
        if partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
