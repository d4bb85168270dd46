"""The build cache: what a build parsed, computed and rendered, kept for the next one.

Parsing is most of a large build (10^7 events: ~13 s of ~44 s), and a rebuild after a text
edit changes neither the input files nor the queries. So each run's parsed tables are kept,
keyed by the content of every input file, the source and the queries and whether the kinds
need job records; each computed result (a chart's, or one the headline and charts share)
by those and by the kind, its options and the as-of time, and beside it each chart's
laid-out section (`kinds/kept.py`); each rendered image or CSV by a hash of what it is made
from; each input file's sha256 by the file's identity (`source/digest.py`), so an unchanged
file is not read again to learn it. One key scheme throughout (`cachekey.py`): the cache's
format version, reportgen's own code fingerprint, then the entry's inputs. Any change to one
of these is a miss, never a stale answer.

Files hold data only (`codec.py`: no pickle), each written whole or not at all, its key
checked before anything else in it is read; an unreadable one is a miss. The cache lives in
the user's cache folder (one folder per output folder), never in the site, and a folder
another user owns is not used. Per report it keeps only what its last build used, so it
does not grow with every edit. Live reports' parsed data is not kept (the server's data
changes between builds), but each live query's fetched records are (`fetched/`, see
`source/balsam/incremental.py`), so a rebuild fetches only what changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from reportgen import codec
from reportgen.atomic import write_whole
from reportgen.cachekey import entry_key
from reportgen.errors import SourceError
from reportgen.limits import STRICT, InputLimits
from reportgen.needs import report_needs
from reportgen.places import user_cache_folder
from reportgen.source import Needs, ReportData
from reportgen.source.balsam.store import FOLDER as STORE_FOLDER
from reportgen.source.balsam.store import FetchedStore
from reportgen.source.digest import FileDigests, Remembered
from reportgen.spec.model import FilesSource, Report

DIGESTS = "digests.npz"
"""The input files' digests by their identity (`source/digest.py`), for the next build."""


def default_cache_folder(out_dir: Path) -> Path:
    """`<user cache>/builds/<OUT's name>-<hash of OUT's absolute path>`."""
    out = out_dir.absolute()  # the path alone: one folder per output folder, whatever the code
    path_hash = hashlib.sha256(str(out).encode()).hexdigest()
    return user_cache_folder() / "builds" / f"{out.name}-{path_hash[:16]}"


class BuildCache:
    """Hands out cached data and results where the keys match; `folder=None` disables it.
    Data read under other `limits` is not reused: a file once read as allowed-partial, or
    under a higher size limit, is checked again."""

    def __init__(
        self,
        folder: Path | None,
        limits: InputLimits = STRICT,
        digests: FileDigests | None = None,
        refresh: bool = False,
    ) -> None:
        self.limits = limits
        self.warnings: list[str] = []
        self.folder = folder if folder is None else self._usable(folder)
        self.fetched = (
            None
            if self.folder is None
            else FetchedStore(self.folder / STORE_FOLDER, entry_key, refresh)
        )
        """Live queries' records (`source/balsam/store.py`); `refresh` fetches them anew."""
        self.digests = digests or FileDigests(self._remembered_digests())
        self.data_hits = 0
        self._keys: dict[tuple[Path, str], str | None] = {}

    def report_data(
        self, report: Report, needs: Needs, load: Callable[[Report, Needs], ReportData]
    ) -> ReportData:
        """A run's data from the cache if its inputs are unchanged, else loaded."""
        key = self._data_key(report)
        if key is None:
            return load(report, needs)
        path = self._path(report, "data")
        cached = self._read(path, key)
        if isinstance(cached, ReportData):
            self.data_hits += 1
            return cached
        data = load(report, needs)
        self._write(path, key, data)
        return data

    def known_results(self, runs: list[Report]) -> dict[str, Any]:
        """Results an earlier build computed from the same data of these runs, by memo key."""
        key = self._results_key(runs)
        cached = None if key is None else self._read(self._path(runs[0], "results"), key)
        return cached if isinstance(cached, dict) else {}

    def save_results(self, runs: list[Report], used: dict[str, Any], known: dict[str, Any]) -> None:
        """Keep this build's results (only these: the file does not grow with every edit)."""
        key = self._results_key(runs)
        if key is not None and used.keys() != known.keys():
            self._write(self._path(runs[0], "results"), key, used)

    def keep_digests(self) -> None:
        """Remember this build's input files' digests for the next (see `source/digest.py`)."""
        if self.folder is not None:
            self._write(self.folder / DIGESTS, entry_key("digests"), self.digests.remembered())

    def _remembered_digests(self) -> tuple[Remembered, ...]:
        if self.folder is None:
            return ()
        kept = self._read(self.folder / DIGESTS, entry_key("digests"))
        if not isinstance(kept, tuple) or not all(isinstance(r, Remembered) for r in kept):
            return ()
        return kept

    def render_folder(self, report: Report) -> Path | None:
        """Where the report's rendered files are kept (see `charts/cache.py`)."""
        return None if self.folder is None else self.folder / report.slug / "rendered"

    def _results_key(self, runs: list[Report]) -> str | None:
        keys = [self._data_key(run) for run in runs]
        return None if None in keys else entry_key("results", *(str(k) for k in keys))

    def _path(self, report: Report, kind: str) -> Path:
        """`<slug>/<kind>.npz`; a run's data as `<slug>/run-<hash of its name>.data.npz` (a
        run's name is any tag value, not always a safe file name)."""
        assert self.folder is not None
        if kind == "data" and report.run:
            run = hashlib.sha256(report.run.encode()).hexdigest()[:16]
            return self.folder / report.slug / f"run-{run}.{kind}.npz"
        return self.folder / report.slug / f"{kind}.npz"

    def _data_key(self, report: Report) -> str | None:
        where = (report.path, report.run)
        if where not in self._keys:
            self._keys[where] = self._hash_inputs(report)
        return self._keys[where]

    def _hash_inputs(self, report: Report) -> str | None:
        if self.folder is None or not isinstance(report.source, FilesSource):
            return None
        # what the kinds need (job records, event details) decides what is loaded
        needs = report_needs(report)
        queries = (report.source, report.event_queries, report.batch_job_queries, needs.job_records)
        parts = ["data", repr(queries)]
        if needs.event_details:  # (appended only then: other reports keep their keys)
            parts.append("event details")
        if needs.job_details:  # (likewise)
            parts.append("job details")
        if self.limits != STRICT:  # (likewise)
            parts.append(repr(self.limits))
        for _, path in report.source.files():
            try:
                # the file by its path and contents (the sha256 the manifest shows)
                parts.append(f"{path}\0{self.digests.of(path)[1]}")
            except (OSError, SourceError):
                return None  # the loader reports it
        return entry_key(*parts)

    def _usable(self, folder: Path) -> Path | None:
        """The folder, made private if new; None (with a warning) if another user owns it
        or it cannot be made."""
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            owner = folder.stat().st_uid
        except OSError as exc:
            self.warnings.append(
                f"could not write the build cache {folder} ({exc.strerror}); everything is "
                "read and computed afresh (--no-cache turns the cache off)"
            )
            return None
        if owner != os.getuid():
            self.warnings.append(
                f"the build cache {folder} belongs to another user and is not used "
                "(choose your own with --cache-dir)"
            )
            return None
        return folder

    def _read(self, path: Path, key: str) -> object:
        """The cached value if the file holds one for `key` (checked first, so a miss is
        cheap); a missing, damaged or foreign file is a miss."""
        try:
            with path.open("rb") as stream:
                return codec.load(key, stream)
        except (OSError, codec.Unreadable):
            return None

    def _write(self, path: Path, key: str, value: object) -> None:
        def dump(out: BinaryIO) -> None:
            codec.dump(key, value, out)

        try:
            write_whole(path, dump)
        except OSError as exc:
            self.warnings.append(
                f"could not write the build cache {path} ({exc.strerror}); the next build "
                "reads the data again (--no-cache turns the cache off)"
            )
