"""`serve`: build into a temporary folder, serve it locally, rebuild when a spec or input changes.

Each build is the same `build_site` as `reportgen build` (with one build cache kept for the
project folder) into a new generation folder inside the temporary folder; the reports whose
spec and input files are unchanged since the last good build are copied from it, not built.
The server switches to a generation only when it is complete, so a page never sees half a
site. A failed build keeps the last good site on show, with its errors above it (and on
stderr). Watching is polling each file's size, mtime and inode every POLL_SECONDS: a few lines
of the standard library for a handful of files, where a watcher package (watchdog) would add
a dependency and a thread of its own for no gain a user would notice."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from reportgen import interrupt
from reportgen.build import BuildResult, Reuse, build_site
from reportgen.errors import ReportgenError, SpecError
from reportgen.limits import InputLimits
from reportgen.progress import Progress
from reportgen.site import server
from reportgen.site.model import IndexRow
from reportgen.spec import load_report
from reportgen.spec.model import FilesSource, Report

POLL_SECONDS = 0.3
"""How often the watched files are looked at (a polling interval, not a wait for anything)."""

Signature = tuple[int, int, int] | None
"""(size, mtime in ns, inode) of a watched file, None if it is missing or unreadable."""


@dataclass(frozen=True)
class ServeOptions:
    """The build options `serve` passes on to every build."""

    as_of: datetime | None
    strict: bool
    templates: Path | None
    cache_dir: Path | None
    limits: InputLimits
    quiet: bool


def serve(
    spec_paths: list[Path],
    port: int,
    options: ServeOptions,
    on_ready: Callable[[str], object] = print,
) -> None:
    """Serve the reports of `spec_paths` on 127.0.0.1:`port` until interrupted (Ctrl-C),
    then close the server and remove the temporary folder. `on_ready` gets the URL.

    SIGINT and SIGTERM both stop it so (a shell that starts it in the background without job
    control ignores SIGINT for it: it is listened to again here)."""
    interrupt.listen(signal.SIGINT, signal.SIGTERM)
    state = server.SiteState()
    folder = Path(tempfile.mkdtemp(prefix="reportgen-serve-"))
    try:
        preview, _ = server.start(port, state)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        on_ready(f"serving {preview.url} (Ctrl-C stops)")
        sys.stdout.flush()
        _watch(spec_paths, options, state, folder)
    except KeyboardInterrupt:
        pass
    finally:
        interrupt.ignore(signal.SIGINT, signal.SIGTERM)  # a second one must not cut the cleanup
        preview.shutdown()
        preview.server_close()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class _Shown:
    """The last good build: its site, its index rows, and the state of each spec's files
    (spec path -> slug and signatures) when it was built."""

    site: Path | None = None
    rows: dict[str, list[IndexRow]] = field(default_factory=dict)
    files: dict[Path, tuple[str, tuple[Signature, ...]]] = field(default_factory=dict)

    def reuse(self, now: dict[Path, tuple[str, tuple[Signature, ...]]]) -> Reuse | None:
        """The reports whose spec and inputs are as they were at the last good build."""
        if self.site is None:
            return None
        same = [slug for path, (slug, seen) in now.items() if self.files.get(path) == (slug, seen)]
        return Reuse(self.site, {slug: self.rows[slug] for slug in same if slug in self.rows})


def _watch(
    spec_paths: list[Path], options: ServeOptions, state: server.SiteState, folder: Path
) -> None:
    """Build, then build again each time a watched file changes (forever), copying the
    reports whose files did not change from the last good site."""
    shown = _Shown()
    generation = 0
    while True:
        generation += 1
        files = spec_files(spec_paths)
        watched = tuple(dict.fromkeys(p for _, paths in files.values() for p in paths))
        seen = signatures(watched)  # before the build reads them: a change during it counts
        now = {path: (slug, signatures(paths)) for path, (slug, paths) in files.items()}
        reuse = shown.reuse(now)
        result = _build(spec_paths, options, state, folder / f"site-{generation}", reuse)
        if result is not None:
            _remove_old_sites(folder, keep={result.out_dir, shown.site})
            shown = _Shown(result.out_dir, result.rows, now)
        while signatures(watched) == seen:
            time.sleep(POLL_SECONDS)


def _build(
    spec_paths: list[Path],
    options: ServeOptions,
    state: server.SiteState,
    out: Path,
    reuse: Reuse | None,
) -> BuildResult | None:
    """One build into `out`, reusing the reports unchanged since the last good build; on
    success the server shows it, on failure the errors (and None is returned)."""
    started = time.monotonic()
    try:
        result = build_site(
            spec_paths,
            out,
            as_of=options.as_of,
            strict=options.strict,
            templates=options.templates,
            progress=Progress(enabled=False) if options.quiet else Progress(),
            cache_dir=options.cache_dir,
            limits=options.limits,
            reuse=reuse,
        )
    except SpecError as exc:
        _failed(state, exc.problems)
        return None
    except ReportgenError as exc:
        _failed(state, [str(exc)])
        return None
    state.show(out, [])
    _report(result, options, time.monotonic() - started)
    return result


def _remove_old_sites(folder: Path, keep: set[Path | None]) -> None:
    """Every generation but the one shown and the one before (a request may be reading it)."""
    for site in folder.glob("site-*"):
        if site not in keep:
            shutil.rmtree(site, ignore_errors=True)


def _failed(state: server.SiteState, problems: list[str]) -> None:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr, flush=True)
    state.show(None, problems)


def _report(result: BuildResult, options: ServeOptions, elapsed: float) -> None:
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not options.quiet:
        copied = len(result.rows) - len(result.reports)
        print(
            f"built {len(result.reports)} report(s) in {elapsed:.1f}s"
            + (f" ({copied} unchanged, copied from the last build)" if copied else ""),
            file=sys.stderr,
        )
    sys.stderr.flush()


def spec_files(spec_paths: list[Path]) -> dict[Path, tuple[str, tuple[Path, ...]]]:
    """Each spec's report slug ("" if it does not load) and the files it is built from: the
    spec, and every input file it names (a spec that does not load is watched until it
    does)."""
    found: dict[Path, tuple[str, tuple[Path, ...]]] = {}
    for path in spec_paths:
        try:
            report = load_report(path)
        except ReportgenError:
            found[path.absolute()] = ("", (path.absolute(),))
            continue
        paths = (path.absolute(), *(p.absolute() for p in input_files(report)))
        found[path.absolute()] = (report.slug, paths)
    return found


def input_files(report: Report) -> list[Path]:
    """The saved files a report's source and its named runs' sources read."""
    return [
        path
        for source in report.sources()
        if isinstance(source, FilesSource)
        for _, path in source.files()
    ]


def signatures(paths: tuple[Path, ...]) -> tuple[Signature, ...]:
    return tuple(_signature(path) for path in paths)


def _signature(path: Path) -> Signature:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)
