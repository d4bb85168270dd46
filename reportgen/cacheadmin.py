"""`reportgen cache info|clear` (files): what the build caches hold, and removing them.

Every build cache lives in `<user cache>/builds/<out>-<hash>/` unless `--cache-dir` named
another; each holds its parsed data, results and rendered files, and `fetched/`, the records
its live queries fetched (`source/balsam/store.py`). A folder is removed only if it is a build
cache: it holds reportgen's `digests.npz` or a `fetched/` store, so a mistyped `--cache-dir`
removes nothing of the user's.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from reportgen.cache import DIGESTS
from reportgen.errors import ReportgenError
from reportgen.places import user_cache_folder
from reportgen.source.balsam.store import FOLDER


@dataclass(frozen=True)
class CacheFolder:
    path: Path
    files: int
    bytes: int
    fetched_sets: int
    fetched_bytes: int


def build_caches(given: Path | None) -> list[Path]:
    """The build cache `given` (an error if it is not one), else every one of this user's."""
    if given is not None:
        if given.is_dir() and not _is_build_cache(given):
            raise ReportgenError(f"{given} is not a reportgen build cache (no {DIGESTS})")
        return [given] if given.is_dir() else []
    builds = user_cache_folder() / "builds"
    return sorted(p for p in builds.iterdir() if _is_build_cache(p)) if builds.is_dir() else []


def describe(folder: Path) -> CacheFolder:
    files = [p for p in folder.rglob("*") if p.is_file()]
    fetched = [p for p in files if p.parent.name == FOLDER and p.suffix == ".npz"]
    return CacheFolder(
        folder,
        len(files),
        sum(p.stat().st_size for p in files),
        len(fetched),
        sum(p.stat().st_size for p in fetched),
    )


def clear(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder)


def _is_build_cache(folder: Path) -> bool:
    return folder.is_dir() and ((folder / DIGESTS).is_file() or (folder / FOLDER).is_dir())
