"""The `reportgen` command: a thin layer over `build_site` and the spec loader.

Exit status: 0 success, 1 a reportgen error (message, no traceback), 2 bad usage.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from reportgen import __version__
from reportgen.errors import ReportgenError, SpecError
from reportgen.interrupt import install as install_interrupt
from reportgen.limits import MAX_INPUT_BYTES, InputLimits
from reportgen.progress import Progress
from reportgen.spec.times import IN_RANGE, TimeOutOfRange, parse_time

if TYPE_CHECKING:
    from reportgen.build import BuildResult

    _Commands = argparse._SubParsersAction[argparse.ArgumentParser]

DEFAULT_SPEC_FOLDER = Path("report_specs")
DEFAULT_OUT = Path("site_output")
DEFAULT_PORT = 8000
SERVE_CACHE = Path(".reportgen-serve")
"""`serve`'s build cache is named as if it built into this folder of the current folder."""


def _as_of(text: str) -> datetime:
    try:
        moment = parse_time(text)
    except TimeOutOfRange:
        raise argparse.ArgumentTypeError(f"expected {IN_RANGE}; got {text!r}") from None
    if moment is None:
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 time like 2024-03-01T18:00:00Z; got {text!r}"
        )
    return moment


def _gigabytes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of GB; got {text!r}")
    return value


def _port(text: str) -> int:
    if not (text.isdecimal() and 0 <= int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535; got {text!r}")
    return int(text)


def _templates(text: str) -> Path:
    from reportgen.site.pages import overrides_problem

    folder = Path(text)
    if problem := overrides_problem(folder):
        raise argparse.ArgumentTypeError(problem)
    return folder


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportgen",
        description="Turn Balsam EventLog and BatchJob history into a static report site.",
    )
    parser.add_argument("--version", action="version", version=f"reportgen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_build_command(commands)
    validate = commands.add_parser(
        "validate",
        help="check report specs without loading data",
        description="Check every SPEC (default: report_specs/*.yaml) and print each problem "
        "as file:line: key: message.",
    )
    _add_spec_arguments(validate)
    _add_serve_command(commands)
    _add_cache_command(commands)
    return parser


def _add_build_command(commands: _Commands) -> None:
    build = commands.add_parser(
        "build",
        help="build report specs into a static site",
        description="Build every SPEC (default: report_specs/*.yaml) into OUT. The previous "
        "site is replaced only when the new one is complete.",
    )
    _add_spec_arguments(build)
    _add_build_arguments(build)
    build.add_argument(
        "--refresh",
        action="store_true",
        help="fetch live reports' records anew (else a rebuild fetches only what changed "
        "since the records the build cache keeps)",
    )


def _add_serve_command(commands: _Commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="build into a temporary folder, serve it on 127.0.0.1 and rebuild on changes",
        description="Build every SPEC (default: report_specs/*.yaml) into a temporary folder "
        "and serve it on http://127.0.0.1:PORT/. When a spec or an input file it names "
        "changes, the site is built again and open pages reload; a failed build shows its "
        "errors here and on the page, above the last good site. Ctrl-C stops it (exit 0) "
        "and removes the temporary folder.",
    )
    _add_spec_arguments(serve)
    serve.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port on 127.0.0.1 (default: {DEFAULT_PORT}; 0: any free port)",
    )
    _add_build_arguments(serve, out=False)


def _add_cache_command(commands: _Commands) -> None:
    cache = commands.add_parser(
        "cache",
        help="show or clear the build caches (and the live records they keep)",
        description="info: each build cache, its size and its live queries' kept records; "
        "clear: remove them (the next build reads, fetches and renders everything again).",
    )
    cache.add_argument("action", choices=["info", "clear"])
    cache.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="one build cache (default: every one in $XDG_CACHE_HOME/reportgen/builds/)",
    )


def _add_spec_arguments(command: argparse.ArgumentParser) -> None:
    """The arguments `build` and `validate` share: the specs, and --strict."""
    command.add_argument(
        "specs",
        nargs="*",
        type=Path,
        metavar="SPEC",
        help="report spec files (default: report_specs/*.yaml)",
    )
    command.add_argument(
        "--strict", action="store_true", help="treat unknown or inapplicable spec keys as errors"
    )


def _add_build_arguments(build: argparse.ArgumentParser, out: bool = True) -> None:
    if out:
        build.add_argument(
            "--out",
            type=Path,
            default=DEFAULT_OUT,
            metavar="DIR",
            help="output folder (default: site_output)",
        )
    build.add_argument(
        "--as-of",
        type=_as_of,
        metavar="TIME",
        help="cut-off time for every report, ISO 8601 (naive = UTC); overrides the specs' as_of",
    )
    build.add_argument(
        "--templates",
        type=_templates,
        metavar="DIR",
        help="a folder of templates overriding the shipped ones by file name (one that is "
        "missing or not a folder is bad usage, exit 2; a broken template exits 1)",
    )
    build.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="where parsed data, computed results and rendered files are kept between "
        "builds (default: a folder for OUT, or for serve one for the current folder, in "
        "$XDG_CACHE_HOME/reportgen/builds/)",
    )
    build.add_argument(
        "--no-cache", action="store_true", help="parse, compute and render everything again"
    )
    build.add_argument(
        "--allow-partial",
        action="store_true",
        help="build from a saved page that holds fewer records than its count says (a "
        "partial save), with a warning on the page and here; without it that is an error",
    )
    build.add_argument(
        "--max-input-gb",
        type=_gigabytes,
        default=MAX_INPUT_BYTES / (1 << 30),
        metavar="GB",
        help="refuse an input file that decompresses to more than this (default: "
        f"{MAX_INPUT_BYTES >> 30}; 10^7 events are about 1.4)",
    )
    build.add_argument("--quiet", action="store_true", help="print only errors")


def _spec_paths(given: list[Path]) -> list[Path]:
    if given:
        return given
    found = sorted(DEFAULT_SPEC_FOLDER.glob("*.yaml")) + sorted(DEFAULT_SPEC_FOLDER.glob("*.yml"))
    if not found:
        raise ReportgenError(
            f"no specs given and none found in {DEFAULT_SPEC_FOLDER}/*.yaml "
            "(run from your project folder or name the spec files)"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    """The `reportgen` command. Called without `argv`, it is this process's own command
    (the console script, `python -m reportgen`) and also takes over Ctrl-C (`interrupt.py`)."""
    if argv is None:
        install_interrupt()
        argv = sys.argv[1:]
    try:
        waiting = _restore_first(argv)
        args = _parser().parse_args(argv)  # a usage error exits 2 here, OUT put back already
        if args.command == "validate":
            return _validate(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "cache":
            return _cache(args)
        return _build(args, waiting)
    except SpecError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    except ReportgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: the previous site is untouched", file=sys.stderr)
        return 130


def _validate(args: argparse.Namespace) -> int:
    from reportgen.spec import load_reports

    paths = _spec_paths(args.specs)
    reports = load_reports(paths, args.strict)
    for report in reports:
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    print(f"{len(reports)} spec(s) valid")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from reportgen.cache import default_cache_folder
    from reportgen.serve import ServeOptions, serve

    options = ServeOptions(
        as_of=args.as_of,
        strict=args.strict,
        templates=args.templates,
        cache_dir=None if args.no_cache else args.cache_dir or default_cache_folder(SERVE_CACHE),
        limits=InputLimits(args.allow_partial, round(args.max_input_gb * (1 << 30))),
        quiet=args.quiet,
    )
    serve(_spec_paths(args.specs), args.port, options)
    return 0


def _cache(args: argparse.Namespace) -> int:
    from reportgen import cacheadmin

    folders = cacheadmin.build_caches(args.cache_dir)
    if args.action == "clear":
        cacheadmin.clear(folders)
        print(f"removed {len(folders)} build cache(s)")
        return 0
    for folder in map(cacheadmin.describe, folders):
        print(
            f"{folder.path}: {folder.files} file(s), {folder.bytes / 1e6:.1f} MB; live "
            f"records of {folder.fetched_sets} query(ies), {folder.fetched_bytes / 1e6:.1f} MB"
        )
    print(f"{len(folders)} build cache(s)")
    return 0


class _Unparsed(Exception):
    """The command line is not even good enough to find --out in."""


class _FirstLook(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Unparsed(message)


def _restore_first(argv: list[str]) -> Callable[[], None] | None:
    """For `build`, first of all, whatever the specs and the other arguments say: a site a
    swap killed halfway left aside goes back to OUT (so a build refused for a bad --as-of
    does not leave OUT missing). Only `--out` and `--quiet` are read here; a command line
    they cannot be read from changes nothing, and argparse then says what is wrong with it.
    Returns what the build calls when it waits for another build (once), None if quiet."""
    from reportgen.site.output import restore_interrupted_swap

    first = _FirstLook(add_help=False)
    commands = first.add_subparsers(dest="command")
    build = commands.add_parser("build", add_help=False)
    build.add_argument("--out", type=Path, default=DEFAULT_OUT)
    build.add_argument("--quiet", action="store_true")
    try:
        args, _ = first.parse_known_args(argv)
    except _Unparsed:
        return None
    if args.command != "build":
        return None
    waiting = None if args.quiet else _once(partial(_waiting, args))
    restore_interrupted_swap(args.out, on_wait=waiting)
    return waiting


def _build(args: argparse.Namespace, waiting: Callable[[], None] | None) -> int:
    from reportgen.build import build_site
    from reportgen.cache import default_cache_folder
    from reportgen.site.output import files_not_written_by_reportgen

    added = files_not_written_by_reportgen(args.out)
    paths = _spec_paths(args.specs)
    started = time.monotonic()

    progress = Progress(enabled=False) if args.quiet else Progress()
    result = build_site(
        paths,
        args.out,
        as_of=args.as_of,
        strict=args.strict,
        templates=args.templates,
        progress=progress,
        cache_dir=None if args.no_cache else args.cache_dir or default_cache_folder(args.out),
        limits=InputLimits(args.allow_partial, round(args.max_input_gb * (1 << 30))),
        on_wait=waiting,
        refresh=args.refresh,
    )
    for warning in (
        result.warnings
        + ([] if args.quiet else _page_warnings(result))
        + [_replaced(args.out, name) for name in added]
    ):
        print(f"warning: {warning}", file=sys.stderr)
    if not args.quiet:
        elapsed = time.monotonic() - started
        print(
            f"built {len(result.reports)} report(s) into {args.out}/index.html in "
            f"{elapsed:.1f}s ({result.images_rendered} image(s) rendered, "
            f"{result.images_reused} unchanged and reused"
            + (f"; data of {result.data_reused} from the cache)" if result.data_reused else ")")
        )
    return 0


def _page_warnings(result: BuildResult) -> list[str]:
    """The warnings each report's page shows, by its slug (its spec's are printed already),
    then those of its charts' sections."""
    return [
        f"{report.report.slug}: {warning}"
        for report in result.reports
        for warning in report.warnings
        if warning not in report.report.warnings
    ] + result.chart_warnings


def _once(action: Callable[[], object]) -> Callable[[], None]:
    """`action`, done the first time only (a build may wait at the repair and at the swap)."""
    done = False

    def once() -> None:
        nonlocal done
        if not done:
            done = True
            action()

    return once


def _waiting(args: argparse.Namespace) -> None:
    print(f"waiting for another build into {args.out} to finish", file=sys.stderr)


def _replaced(out: Path, name: str) -> str:
    return f"{out}/{name} was not written by reportgen and is replaced by this build"
