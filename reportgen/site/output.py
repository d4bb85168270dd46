"""File system edge: build a site in a staging folder beside OUT and swap it in only whole.

Beside and inside OUT, reportgen writes only these exact names, and moves or deletes nothing
else (a user's `.site.old-backup/` is theirs, however it is named):

    OUT/.reportgen-site       in every site: the list of what its build wrote there
    .OUT.reportgen-lock       the OS lock that makes builds into OUT take turns (`lock.py`)
    .OUT.new-<id>/site        the site being built
    .OUT.old-<id>/site        the previous site, for the moment of the swap

<id> is the build's random id (32 hex digits); each of the two folders holds a
`.reportgen-swap` marker naming OUT, the folder's role and that id, and is touched only if
the marker says so. The swap is two renames (old aside, new in place). A kill between them
leaves OUT missing and the previous site aside; the next build into OUT puts it back before
it loads any spec (the CLI calls `restore_interrupted_swap` first) and removes the rest of
what killed builds left, always holding the lock, so none of it belongs to a running build.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from reportgen.atomic import naming
from reportgen.errors import OutputError, ReportgenError
from reportgen.site.lock import build_lock

MARKER = ".reportgen-site"
"""Present in every site reportgen writes: it never replaces a folder without it."""
SWAP_MARKER = ".reportgen-swap"
BUILD_ID = re.compile(r"[0-9a-f]{32}")
ROLES = ("new", "old")
WRITE_ERRORS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
    | {errno.ENOTDIR, errno.EEXIST, errno.EISDIR, errno.ELOOP}
)
"""OSErrors a user can fix (space, permissions, a file in the way): a message, not a
traceback. Others (EIO, EBADF...) keep theirs."""


@contextmanager
def staged_site(out_dir: Path, on_wait: Callable[[], object] | None = None) -> Iterator[Path]:
    """Yield an empty folder to build the site in; on normal exit it replaces `out_dir`.

    One build at a time into `out_dir`: a second one waits here for the lock (calling
    `on_wait` first). An OSError of
    WRITE_ERRORS while staging or swapping becomes an OutputError naming the file."""
    out_dir = out_dir.absolute()
    build = secrets.token_hex(16)
    with write_errors(out_dir):
        _refuse_foreign_folder(out_dir)  # before anything is made beside it
        with build_lock(out_dir, on_wait):
            _repair(out_dir)
            _refuse_foreign_folder(out_dir)
            staging = _swap_folder(out_dir, "new", build)
            try:
                (staging / "site").mkdir()
                yield staging / "site"
                _write_file_list(staging / "site")
                _swap(staging, out_dir, build)
            finally:
                shutil.rmtree(staging, ignore_errors=True)


def restore_interrupted_swap(out_dir: Path, on_wait: Callable[[], object] | None = None) -> None:
    """Put back the previous site if a swap killed halfway left it aside, and remove what
    killed builds left beside `out_dir`. The CLI calls this before it loads any spec, so OUT
    is back even when the spec then fails. Touches nothing if OUT is not reportgen's, and
    makes nothing (not even the lock file) if nothing is left over."""
    out_dir = out_dir.absolute()
    with write_errors(out_dir):
        if _foreign_reason(out_dir) is not None or not out_dir.parent.is_dir():
            return
        if not _leftovers(out_dir):
            return
        with build_lock(out_dir, on_wait):
            _repair(out_dir)


def files_not_written_by_reportgen(out_dir: Path) -> list[str]:
    """What a user added to the site at `out_dir` (paths relative to it, a folder ending in
    `/`): its build did not write them, and the next build replaces the site, them too.
    Empty for a site whose marker lists nothing (written before the marker held a list)."""
    out_dir = out_dir.absolute()
    written = _read_file_list(out_dir)
    if written is None:
        return []
    added: list[str] = []
    for folder, folders, files in os.walk(out_dir):
        inside = Path(folder).relative_to(out_dir)
        for name in sorted(folders):
            if f"{(inside / name).as_posix()}/" not in written:
                added.append(f"{(inside / name).as_posix()}/")
                folders.remove(name)  # named once, not file by file
        added += [
            (inside / name).as_posix()
            for name in files
            if (inside / name).as_posix() not in written and (inside / name) != Path(MARKER)
        ]
    return sorted(added)


@contextmanager
def write_errors(out_dir: Path) -> Iterator[None]:
    """Turn an OSError of WRITE_ERRORS about the site or its staging (or one with no file
    name: a full disk fails a write, not an open) into an OutputError naming the file as it
    will be in OUT, and saying that the previous site is untouched, or on a first build that
    no site was written. An OSError about some other file is not a write of ours: it
    propagates."""
    had_site = _is_folder(out_dir)
    try:
        yield
    except OSError as exc:
        shown = _shown_path(exc.filename, out_dir)
        if exc.errno not in WRITE_ERRORS or shown is None:
            raise
        reason = exc.strerror or os.strerror(exc.errno)
        outcome = "the previous site is untouched" if had_site else "no site was written"
        raise OutputError(f"could not write {shown}: {reason}; {outcome}") from exc


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except OSError:
        return False


def _shown_path(filename: object, out_dir: Path) -> Path | None:
    """The path a failed write is reported by: a file of the staging or aside folder as it
    is (or was) in OUT; None if `filename` is not one of reportgen's output paths."""
    if filename is None:
        return out_dir
    path = Path(os.fsdecode(filename) if isinstance(filename, str | bytes) else str(filename))
    if path == out_dir or out_dir in path.parents or path in out_dir.parents:
        return path
    if out_dir.parent not in path.parents:
        return None
    top, *rest = path.relative_to(out_dir.parent).parts
    if _role(top, out_dir.name) is None:
        return path if top.startswith(f".{out_dir.name}.") else None
    return out_dir.joinpath(*rest[1:]) if rest[:1] == ["site"] else out_dir


def _foreign_reason(out_dir: Path) -> str | None:
    """Why `out_dir` is not reportgen's to replace, or None (missing, empty or marked)."""
    if out_dir.is_symlink() or (os.path.lexists(out_dir) and not out_dir.is_dir()):
        return f"{out_dir} is not a folder: choose another --out"
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        return (
            f"{out_dir} exists and was not written by reportgen (no {MARKER} file): "
            "refusing to replace it; choose another --out or empty it first"
        )
    return None


def _refuse_foreign_folder(out_dir: Path) -> None:
    reason = _foreign_reason(out_dir)
    if reason is not None:
        raise ReportgenError(reason)


def _swap_marker(out_dir: Path, role: str, build: str) -> str:
    return json.dumps({"out": out_dir.name, "reportgen": role, "build": build}) + "\n"


def _swap_folder(out_dir: Path, role: str, build: str) -> Path:
    """A new `.OUT.<role>-<build>` folder beside `out_dir`, marked as reportgen's."""
    folder = out_dir.parent / f".{out_dir.name}.{role}-{build}"
    folder.mkdir()
    with naming(folder / SWAP_MARKER):
        (folder / SWAP_MARKER).write_text(_swap_marker(out_dir, role, build), encoding="utf-8")
    return folder


def _role(name: str, out_name: str) -> str | None:
    """ "new" or "old" if `name` is exactly a staging or aside folder name for `out_name`
    (compared as text: the user's name is never a pattern)."""
    for role in ROLES:
        prefix = f".{out_name}.{role}-"
        if name.startswith(prefix) and BUILD_ID.fullmatch(name[len(prefix) :]):
            return role
    return None


def _leftovers(out_dir: Path) -> list[tuple[str, Path]]:
    """(role, folder) of every staging or aside folder of `out_dir` that reportgen made:
    the exact name, a real folder (not a link) of this user, and its marker saying so."""
    found = []
    with os.scandir(out_dir.parent) as entries:
        for entry in entries:
            role = _role(entry.name, out_dir.name)
            if role is None or not entry.is_dir(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue  # another user's, even if marked: never put in place as our site
            marker = _read_small(Path(entry.path) / SWAP_MARKER)
            build = entry.name.rsplit("-", 1)[1]
            if marker == _swap_marker(out_dir, role, build):
                found.append((role, Path(entry.path)))
    return sorted(found)


def _read_small(path: Path, limit: int = 4096) -> str | None:
    """The text of a small regular file, or None (missing, a link, a FIFO, too big, binary)."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _repair(out_dir: Path) -> None:
    """With the lock held: put a site left aside back if OUT is missing, then remove every
    leftover. Under the lock at most one aside can be waiting to go back."""
    if _foreign_reason(out_dir) is not None:
        return
    leftovers = _leftovers(out_dir)
    if not os.path.lexists(out_dir):
        for role, folder in leftovers:
            site = folder / "site"
            if role == "old" and site.is_dir() and not site.is_symlink():
                os.replace(site, out_dir)
                break
    for _, folder in leftovers:
        shutil.rmtree(folder, ignore_errors=True)


def _swap(staging: Path, out_dir: Path, build: str) -> None:
    """Replace `out_dir` by `staging/site`: two renames, never a moment without either the
    old site in OUT or the old site in a marked aside folder."""
    if not os.path.lexists(out_dir):
        os.replace(staging / "site", out_dir)
        return
    aside = _swap_folder(out_dir, "old", build)
    os.replace(out_dir, aside / "site")
    try:
        _move_in(staging / "site", out_dir)
    except BaseException:
        if not os.path.lexists(out_dir):  # the rename failed: the old site goes back now
            os.replace(aside / "site", out_dir)
        raise
    finally:
        if os.path.lexists(out_dir):
            shutil.rmtree(aside, ignore_errors=True)


def _move_in(site: Path, out_dir: Path) -> None:
    """The swap's second rename (a seam: the tests kill a build here)."""
    os.replace(site, out_dir)


def _write_file_list(site: Path) -> None:
    """The marker, listing every file and folder (ending in `/`) the build wrote: the next
    build tells what a user added. Sorted, so the same input still gives the same bytes."""
    written = []
    for folder, folders, files in os.walk(site):
        inside = Path(folder).relative_to(site)
        written += [f"{(inside / name).as_posix()}/" for name in folders]
        written += [(inside / name).as_posix() for name in files]
    text = json.dumps({"reportgen": "site", "written": sorted(written)}, indent=1)
    with naming(site / MARKER):
        (site / MARKER).write_text(text + "\n", encoding="utf-8")


def _read_file_list(out_dir: Path) -> set[str] | None:
    """What the site's marker says its build wrote; None for a marker without a list."""
    text = _read_small(out_dir / MARKER, limit=1 << 26)
    try:
        written = json.loads(text or "")["written"]
    except (ValueError, KeyError, TypeError):
        return None
    return set(written) if isinstance(written, list) else None
