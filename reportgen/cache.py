"""The build cache: a files-source report's parsed data and computed series, kept between builds.

Parsing is most of a large build (10^7 events: ~13 s of ~44 s), and a rebuild after a text
edit changes neither the input files nor the queries. So the tables a report's queries
matched are kept, keyed by the content of every input file, the source and the queries, and
reportgen's own code; each computed result is kept too (a chart's, or one the headline and
charts share), keyed by that and by the kind, its options and the as-of time. Any change to
one of these is a miss, never a stale answer.

The cache lives beside the site, never in it (the site is published as a whole): by default
`.reportgen-cache/<site folder name>/` next to the output folder. Each report has one data
file and one series file, replaced atomically; an unreadable one is a miss. Live reports are
not cached: the server's data changes between builds.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from reportgen.atomic import write_whole
from reportgen.fingerprint import code_fingerprint
from reportgen.needs import report_needs
from reportgen.source import Needs, ReportData
from reportgen.spec.model import FilesSource, Report

FORMAT = 1
"""Bump when what is pickled changes shape (the code hash covers most changes anyway)."""


def default_cache_folder(out_dir: Path) -> Path:
    out = out_dir.absolute()
    return out.parent / ".reportgen-cache" / out.name


class BuildCache:
    """Hands out cached data and series where the keys match; `folder=None` disables it."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.warnings: list[str] = []
        self.data_hits = 0
        self._keys: dict[tuple[Path, str], str | None] = {}

    def report_data(
        self, report: Report, needs: Needs, load: Callable[[Report, Needs], ReportData]
    ) -> ReportData:
        """The report's data from the cache if its inputs are unchanged, else loaded."""
        key = self._data_key(report)
        if key is None:
            return load(report, needs)
        path = self._path(report, "data")
        cached = _read(path, key)
        if isinstance(cached, ReportData):
            self.data_hits += 1
            return cached
        data = load(report, needs)
        self._write(path, key, data)
        return data

    def known_results(self, runs: list[Report]) -> dict[str, Any]:
        """Results an earlier build computed from the same data of these runs, by memo key."""
        key = self._results_key(runs)
        cached = None if key is None else _read(self._path(runs[0], "series"), key)
        return cached if isinstance(cached, dict) else {}

    def save_results(self, runs: list[Report], used: dict[str, Any], known: dict[str, Any]) -> None:
        """Keep this build's results (only these: the file does not grow with every edit)."""
        key = self._results_key(runs)
        if key is not None and used.keys() != known.keys():
            self._write(self._path(runs[0], "series"), key, used)

    def _results_key(self, runs: list[Report]) -> str | None:
        keys = [self._data_key(run) for run in runs]
        return None if None in keys else "\0".join(str(k) for k in keys)

    def _path(self, report: Report, kind: str) -> Path:
        """`<slug>.<kind>.pickle`; a run's data as `<slug>.run-<hash of its name>.data.pickle`
        (a run's name is any tag value, not always a safe file name)."""
        assert self.folder is not None
        if kind == "data" and report.run:
            run = hashlib.sha256(report.run.encode()).hexdigest()[:16]
            return self.folder / f"{report.slug}.run-{run}.{kind}.pickle"
        return self.folder / f"{report.slug}.{kind}.pickle"

    def _data_key(self, report: Report) -> str | None:
        where = (report.path, report.run)
        if where not in self._keys:
            self._keys[where] = self._hash_inputs(report)
        return self._keys[where]

    def _hash_inputs(self, report: Report) -> str | None:
        if self.folder is None or not isinstance(report.source, FilesSource):
            return None
        digest = hashlib.sha256(f"{FORMAT}\0{code_fingerprint()}\0".encode())
        # whether the kinds need job records decides whether they are loaded
        needs_jobs = report_needs(report).job_records
        queries = (report.source, report.event_queries, report.batch_job_queries, needs_jobs)
        digest.update(repr(queries).encode())
        for path in (report.source.events, report.source.jobs, report.source.batch_jobs):
            if path is not None:
                try:
                    digest.update(_file_hash(path))
                except OSError:
                    return None  # the loader reports it
        return digest.hexdigest()

    def _write(self, path: Path, key: str, value: object) -> None:
        def dump(out: BinaryIO) -> None:
            pickle.dump(key, out, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)

        try:
            write_whole(path, dump)
        except OSError as exc:
            self.warnings.append(
                f"could not write the build cache {path} ({exc.strerror}); the next build "
                "reads the data again (--no-cache turns the cache off)"
            )


def _read(path: Path, key: str) -> object:
    """The cached value if the file holds one for `key` (read first, so a miss is cheap)."""
    try:
        with path.open("rb") as stream:
            return pickle.load(stream) if pickle.load(stream) == key else None
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign file is a miss, never a failed build
        return None


def _file_hash(path: Path) -> bytes:
    digest = hashlib.blake2b(str(path).encode() + b"\0")
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.digest()
