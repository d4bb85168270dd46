"""Issue 15, classes 2, 4 and the write faults of 5: a build touches only what reportgen
wrote, builds into one OUT take turns, a killed swap never leaves OUT missing, and a failed
write is a message. Every case hashes OUT and everything beside it before and after."""

from __future__ import annotations

import errno
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen.cache import default_cache_folder
from reportgen.cli import main
from reportgen.site import output
from reportgen.site.lock import build_lock
from tests.conftest import ROOT
from tests.factories import event
from tests.folders import beside, tree

BUILD_ID = "0123456789abcdef" * 2
OTHER_USER = 54321
AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file away needs root")
REFUSED = (
    "error: {out} exists and was not written by reportgen (no .reportgen-site file): "
    "refusing to replace it; choose another --out or empty it first\n"
)
SPEC = "title: Tiny\nsource: {files: {events: %s}}\nqueries: {events: {all: {}}}\n"
SPEC += "charts:\n  - {id: t, type: throughput, events: all, formats: []}\n"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    """A one-chart report of one job, in a project folder apart from the sites."""
    project = tmp_path / "project"
    project.mkdir()
    records = [
        event(1, 1, 0, "READY", "RUNNING"),
        event(2, 1, 5, "RUNNING", "RUN_DONE"),
        event(3, 1, 6, "RUN_DONE", "JOB_FINISHED"),
    ]
    (project / "events.json").write_text(json.dumps(records))
    (project / "tiny.yaml").write_text(SPEC % "events.json")
    return project / "tiny.yaml"


def start(*args: str | Path) -> subprocess.Popen[str]:
    """`python *args`, importing this checkout."""
    return subprocess.Popen(
        [sys.executable, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def build(spec: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    process = start("-m", "reportgen", "build", spec, "--out", out, "--quiet", *extra)
    stdout, stderr = process.communicate(timeout=300)
    assert "Traceback" not in stderr, stderr
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def marked(out_name: str, role: str, folder: Path, build_id: str = BUILD_ID) -> Path:
    """A folder exactly as a killed build of `out_name` leaves it (marker and all)."""
    folder.mkdir()
    marker = {"out": out_name, "reportgen": role, "build": build_id}
    (folder / ".reportgen-swap").write_text(json.dumps(marker) + "\n")
    return folder


def user_folder(folder: Path) -> Path:
    (folder / "site").mkdir(parents=True)
    (folder / "site" / "index.html").write_text("my own page")
    (folder / "notes").write_text("keep me")
    return folder


def foreign_out(sites: Path) -> None:
    (sites / "homecopy").mkdir()
    (sites / "homecopy" / "thesis.tex").write_text("years of work")
    user_folder(sites / ".homecopy.old-backup")
    user_folder(sites / ".homecopy.new-drafts")


def lookalikes(sites: Path) -> None:
    """Names a glob of the old code matched; none of them is reportgen's."""
    user_folder(sites / ".mysite.old-2023")
    user_folder(sites / ".mysite.new-drafts")
    user_folder(sites / f".mysite.old-{BUILD_ID}")  # the exact shape but no marker
    user_folder(marked("other", "old", sites / f".mysite.new-{BUILD_ID}"))  # not mysite's
    user_folder(marked("mysite", "old", sites / "elsewhere", "f" * 32))  # marked, but only
    (sites / f".mysite.old-{'f' * 32}").symlink_to(sites / "elsewhere")  # a link has the name


def planted_by_another_user(sites: Path) -> None:
    """In a shared folder (/tmp) another user plants an aside marked for 'mysite'."""
    planted = user_folder(marked("mysite", "old", sites / f".mysite.old-{BUILD_ID}"))
    for path in [planted, *planted.rglob("*")]:
        os.chown(path, OTHER_USER, OTHER_USER)


def other_sites_leftovers(sites: Path) -> None:
    """`site1` killed halfway through its swap: 'site[1]' as a glob matched its folders."""
    user_folder(marked("site1", "old", sites / f".site1.old-{BUILD_ID}"))
    marked("site1", "new", sites / f".site1.new-{BUILD_ID}")


@pytest.mark.parametrize(
    ("out_name", "prepare", "code", "message"),
    [
        ("homecopy", foreign_out, 1, REFUSED),
        ("mysite", lookalikes, 0, ""),
        ("site[1]", other_sites_leftovers, 0, ""),
        pytest.param("mysite", planted_by_another_user, 0, "", marks=AS_ROOT),
    ],
)
def test_folders_it_did_not_write_are_never_touched(
    spec: Path,
    tmp_path: Path,
    out_name: str,
    prepare: Callable[[Path], None],
    code: int,
    message: str,
) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    prepare(sites)
    out = sites / out_name
    before_out, before_beside = tree(out) if out.exists() else None, beside(out)
    result = build(spec, out)
    assert (result.returncode, result.stderr) == (code, message.format(out=out))
    assert beside(out) == before_beside
    if code:
        assert tree(out) == before_out
        top = {Path(name).parts[0] for name in before_beside}
        assert {p.name for p in sites.iterdir()} == {*top, out_name}  # not even a lock file
    else:
        assert (out / "tiny" / "index.html").is_file()


@AS_ROOT
def test_a_lock_file_of_another_user_is_refused(spec: Path, tmp_path: Path) -> None:
    """Else anyone could plant /tmp/.X.reportgen-lock, lock it and stall builds into /tmp/X."""
    lock = tmp_path / "sites" / ".site.reportgen-lock"
    lock.parent.mkdir()
    lock.touch()
    os.chown(lock, OTHER_USER, OTHER_USER)
    before = tree(lock.parent)
    result = build(spec, lock.parent / "site")
    assert (result.returncode, result.stderr) == (
        1,
        f"error: {lock} belongs to another user: refusing to wait on it; choose another --out\n",
    )
    assert tree(lock.parent) == before


KILL_IN_SWAP = """
import os, signal, sys
from reportgen.site import output
def killed(site, out_dir):
    print("between the renames", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
output._move_in = killed
from reportgen.cli import main
main(sys.argv[1:])
"""


def broken_spec(spec: Path) -> Path:
    spec.with_name("broken.yaml").write_text("title: [unclosed\n")
    return spec.with_name("broken.yaml")


@pytest.mark.parametrize(
    ("next_spec", "args", "code", "message"),
    [
        (lambda spec: spec, [], 0, ""),
        (
            broken_spec,
            [],
            1,
            "error: {spec}:2: YAML syntax error (column 1): expected ',' or ']', but got "
            "'<stream end>'\n",
        ),
        (
            lambda spec: spec.with_name("missing.yaml"),
            [],
            1,
            "error: {spec}: cannot read the spec: [Errno 2] No such file or directory: '{spec}'\n",
        ),
        (
            lambda spec: spec,
            ["--as-of", "yesterday"],
            2,
            "reportgen build: error: argument --as-of: expected an ISO 8601 time like "
            "2024-03-01T18:00:00Z; got 'yesterday'\n",
        ),
        (
            lambda spec: spec,
            ["--max-input-gb", "0", "--no-such-flag"],
            2,
            "reportgen build: error: argument --max-input-gb: expected a positive number of GB; "
            "got '0'\n",
        ),
    ],
    ids=["same spec", "broken spec", "missing spec", "bad --as-of", "bad arguments"],
)
def test_a_swap_killed_halfway_is_put_back_by_the_next_build_whatever_its_spec(
    spec: Path,
    tmp_path: Path,
    next_spec: Callable[[Path], Path],
    args: list[str],
    code: int,
    message: str,
) -> None:
    """Whatever its spec, and even when argparse refuses its other arguments (exit 2)."""
    out = tmp_path / "sites" / "site"
    assert build(spec, out).returncode == 0
    before_out, before_beside = tree(out), beside(out)
    killed = start("-c", KILL_IN_SWAP, "build", spec, "--out", out, "--quiet")
    stdout, _ = killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL and "between the renames" in stdout
    assert not out.exists()  # the kill left the previous site aside
    given = next_spec(spec)
    result = build(given, out, *args)
    assert result.returncode == code
    if code == 2:  # argparse's usage, then its error
        assert result.stderr.startswith("usage: reportgen build ")
        assert result.stderr.endswith(message), result.stderr
    else:
        assert result.stderr == message.format(spec=given)
    assert tree(out) == before_out if code else (out / "tiny" / "index.html").is_file()
    assert beside(out) == before_beside  # the aside and the staging folder are gone


def test_a_build_waits_for_the_one_holding_the_lock_then_builds(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "sites" / "site"
    assert build(spec, out).returncode == 0
    before = tree(out)
    (out / "index.html").write_text("changed by hand")  # so a rebuild is visible
    changed = tree(out)
    with build_lock(out):
        waiting = start("-m", "reportgen", "build", spec, "--out", out)
        wait_until(lambda: blocked_on_a_lock(waiting.pid) or waiting.poll() is not None)
        assert waiting.poll() is None, waiting.communicate()
        assert tree(out) == changed and beside(out) == {}
    stdout, stderr = waiting.communicate(timeout=300)
    assert waiting.returncode == 0 and stdout.startswith("built 1 report(s)"), stderr
    assert tree(out) == before and beside(out) == {}


def blocked_on_a_lock(pid: int) -> bool:
    """Whether `pid` waits for a file lock: Linux lists waiters in /proc/locks after `->`."""
    lines = Path("/proc/locks").read_text().splitlines()
    waiting = [line.split()[2:] for line in lines if line.split()[1:2] == ["->"]]
    return any(fields[3] == str(pid) for fields in waiting)


def wait_until(condition: Callable[[], bool], seconds: float = 120) -> None:
    """Poll for a state (not a sleep standing in for one): fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_two_builds_at_once_end_with_one_complete_site(spec: Path, tmp_path: Path) -> None:
    """Ten times over, two builds surely at once: the test holds the lock until both wait
    for it (each says so), then lets them go together. Both exit 0 without a traceback,
    and the site is whole."""
    demo = ROOT / "report_specs" / "data" / "events.json.gz"
    spec.write_text(SPEC % demo)  # more records than the tiny one: the builds overlap longer
    reference = tmp_path / "reference" / "site"
    assert build(spec, reference).returncode == 0
    out = tmp_path / "sites" / "site"
    for attempt in range(10):
        with build_lock(out):
            runs = [start("-m", "reportgen", "build", spec, "--out", out) for _ in range(2)]
            wait_until(partial(all_waiting, runs))
            assert [one.poll() for one in runs] == [None, None], attempt
        for one in runs:
            stdout, stderr = one.communicate(timeout=300)
            assert "Traceback" not in stderr, f"attempt {attempt}: {stderr}"
            assert one.returncode == 0 and stdout.startswith("built 1 report(s)"), stderr
            assert stderr == f"waiting for another build into {out} to finish\n", attempt
        assert tree(out) == tree(reference), f"attempt {attempt}"
        assert beside(out) == {}, f"attempt {attempt}"


def all_waiting(runs: list[subprocess.Popen[str]]) -> bool:
    """Whether each run waits for a file lock (or has ended, which the caller then sees)."""
    return all(blocked_on_a_lock(one.pid) or one.poll() is not None for one in runs)


def add_file(out: Path) -> None:
    (out / "notes.txt").write_text("mine")


def add_in_report(out: Path) -> None:
    (out / "tiny" / "mine.csv").write_text("a,b\n")


def add_folder(out: Path) -> None:
    (out / "drafts" / "deeper").mkdir(parents=True)
    (out / "drafts" / "deeper" / "a.txt").write_text("mine")


def add_file_and_folder(out: Path) -> None:
    add_file(out)
    add_folder(out)


def old_marker(out: Path) -> None:
    """A site written before the marker listed its files: nothing can be told apart."""
    (out / ".reportgen-site").write_text("built by reportgen\n")
    add_file(out)


@pytest.mark.parametrize(
    ("add", "replaced"),
    [
        (add_file, ["notes.txt"]),
        (add_in_report, ["tiny/mine.csv"]),
        (add_folder, ["drafts/"]),
        (add_file_and_folder, ["drafts/", "notes.txt"]),
        (old_marker, []),
        (lambda out: None, []),
    ],
)
def test_files_a_user_added_inside_the_site_are_named_when_replaced(
    spec: Path, tmp_path: Path, add: Callable[[Path], Any], replaced: list[str]
) -> None:
    out = tmp_path / "sites" / "site"
    assert build(spec, out).returncode == 0
    clean = tree(out)
    add(out)
    result = build(spec, out)
    assert result.returncode == 0
    assert result.stderr == "".join(
        f"warning: {out}/{name} was not written by reportgen and is replaced by this build\n"
        for name in replaced
    )
    assert tree(out) == clean and beside(out) == {}


def fail_on(
    monkeypatch: pytest.MonkeyPatch,
    target: Any,
    name: str,
    match: str,
    error: Callable[[str], OSError],
) -> None:
    """Make `target.name(path, ...)` raise `error(path)` for a path ending in `match`."""
    real = getattr(target, name)

    def failing(*args: Any, **kwargs: Any) -> Any:
        if str(args[0]).endswith(match):
            raise error(str(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)


def no_space(monkeypatch: pytest.MonkeyPatch, out: Path) -> str:
    """A full disk fails the write, not the open: the OSError has no file name, and the
    message names the file being written (the report's page, written before the index)."""
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    fail_on(monkeypatch, Path, "write_text", "index.html", lambda path: full)
    return f"{out}/tiny/index.html: No space left on device"


def no_space_for_a_csv(monkeypatch: pytest.MonkeyPatch, out: Path) -> str:
    """A chart's CSV, written by its kind (through the render cache)."""
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    fail_on(monkeypatch, Path, "open", "t.csv", lambda path: full)
    return f"{out}/tiny/t.csv: No space left on device"


def no_space_for_the_marker(monkeypatch: pytest.MonkeyPatch, out: Path) -> str:
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    fail_on(monkeypatch, Path, "write_text", ".reportgen-site", lambda path: full)
    return f"{out}/.reportgen-site: No space left on device"


def in_the_way(monkeypatch: pytest.MonkeyPatch, out: Path) -> str:
    """EEXIST: the report's folder cannot be made (as if something were in the way)."""

    def error(path: str) -> OSError:
        return FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path)

    fail_on(monkeypatch, Path, "mkdir", "site/tiny", error)
    return f"{out}/tiny: File exists"


def read_only(monkeypatch: pytest.MonkeyPatch, out: Path) -> str:
    def error(path: str) -> OSError:
        return OSError(errno.EROFS, os.strerror(errno.EROFS), path)

    fail_on(monkeypatch, os, "open", "reportgen-lock", error)
    return f"{out.parent}/.site.reportgen-lock: Read-only file system"


def no_permission(monkeypatch: pytest.MonkeyPatch, out: Path) -> str:
    """A file of the staging folder is named as it would be in OUT."""

    def error(path: str) -> OSError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    fail_on(monkeypatch, Path, "write_text", "tiny/index.html", error)
    return f"{out}/tiny/index.html: Permission denied"


def rename_refused(monkeypatch: pytest.MonkeyPatch, out: Path) -> str:
    """The swap's second rename fails: the previous site goes back, OUT is never missing."""

    def failing(site: Path, out_dir: Path) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(site))

    monkeypatch.setattr(output, "_move_in", failing)
    return f"{out}: Operation not permitted"


FAULTS = [
    no_space,
    no_space_for_a_csv,
    no_space_for_the_marker,
    read_only,
    no_permission,
    rename_refused,
    in_the_way,
]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_write_is_a_message_and_the_previous_site_stays(
    spec: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: Callable[[pytest.MonkeyPatch, Path], str],
) -> None:
    out = tmp_path / "sites" / "site"
    assert main(["build", str(spec), "--out", str(out), "--quiet"]) == 0
    before_out, before_beside = tree(out), beside(out)
    shown = fault(monkeypatch, out)
    assert main(["build", str(spec), "--out", str(out), "--quiet", "--no-cache"]) == 1
    monkeypatch.undo()  # the fault, before the folders are read
    captured = capsys.readouterr()
    assert captured.err == f"error: could not write {shown}; the previous site is untouched\n"
    assert captured.out == ""
    assert tree(out) == before_out and beside(out) == before_beside


def first_rename_refused(monkeypatch: pytest.MonkeyPatch, out: Path) -> str:
    """A first build's swap is one rename, of the new site into place."""

    def error(path: str) -> OSError:
        return PermissionError(errno.EPERM, os.strerror(errno.EPERM), path)

    fail_on(monkeypatch, os, "replace", "/site", error)
    return f"{out}: Operation not permitted"


@pytest.mark.parametrize(
    "fault", [*(f for f in FAULTS if f is not rename_refused), first_rename_refused]
)
def test_a_failed_first_build_says_no_site_was_written(
    spec: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: Callable[[pytest.MonkeyPatch, Path], str],
) -> None:
    """No previous site: the message must not say one is untouched."""
    out = tmp_path / "sites" / "site"
    out.parent.mkdir()
    shown = fault(monkeypatch, out)
    assert main(["build", str(spec), "--out", str(out), "--quiet", "--no-cache"]) == 1
    monkeypatch.undo()  # the fault, before the folders are read
    captured = capsys.readouterr()
    assert captured.err == f"error: could not write {shown}; no site was written\n"
    assert not out.exists() and beside(out) == {}


@pytest.mark.parametrize(
    ("under", "shown"), [("a-file/site", "a-file"), ("a-file/sub/site", "a-file/sub")]
)
def test_an_out_under_a_file_is_a_message(
    spec: Path, tmp_path: Path, under: str, shown: str
) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "a-file").write_text("not a folder")
    before = tree(sites)
    result = build(spec, sites / under)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: could not write {sites / shown}: Not a directory; no site was written\n"
    )
    assert tree(sites) == before


class _Planted:
    """Unpickling this runs `code` (pickling it does not)."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (exec, (self.code,))


def plant(folder: Path, names: list[str], code: str) -> None:
    """Pickles that would run `code`: as they are, and inside an .npz (an object array)."""
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".npz"):
            with path.open("wb") as stream:
                np.savez(stream, key=np.array([_Planted(code)], dtype=object))
        else:
            path.write_bytes(pickle.dumps(_Planted(code)))


PLANTED = [
    "x.pickle",
    "cache.pickle",
    "site.pickle",
    "tiny.pickle",
    "tiny/data.pickle",
    "tiny/results.pickle",
    "tiny/data.npz",
    "tiny/results.npz",
    "tiny/rendered/t.pickle",
]


def test_pickles_planted_where_the_cache_once_was_are_never_run(spec: Path, tmp_path: Path) -> None:
    """The issue's attack: with `--out /tmp/X`, anyone could plant
    `/tmp/.reportgen-cache/X/*.pickle` and run code as the user who builds. Here they are
    planted there (and, as a pickle inside an .npz, in the user's cache folder a build of
    this OUT uses) before two builds with the default cache: both exit 0, nothing ran."""
    out = tmp_path / "sites" / "site"
    ran = tmp_path / "ran"
    code = f"open({str(ran)!r}, 'w').close()"
    beside_out = out.parent / ".reportgen-cache"
    plant(beside_out / out.name, PLANTED, code)
    plant(beside_out, ["site.pickle", "x.pickle"], code)
    plant(default_cache_folder(out), ["tiny/data.npz", "tiny/results.npz"], code)
    planted = tree(beside_out)
    reference = tmp_path / "reference"
    assert build(spec, reference, "--no-cache").returncode == 0
    for _ in range(2):  # the second build reads what the first one cached
        result = build(spec, out)
        assert (result.returncode, result.stderr) == (0, "")
        assert not ran.exists()
        assert tree(out) == tree(reference)
    assert tree(beside_out) == planted  # not read, not removed either
    # and the planted files are live: loading one as pickle would have run it
    np.load(beside_out / out.name / "tiny" / "data.npz", allow_pickle=True)["key"]
    assert ran.exists()
    ran.unlink()
    pickle.loads((beside_out / out.name / "x.pickle").read_bytes())
    assert ran.exists()
