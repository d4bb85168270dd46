"""Decoding workers never outlive their build: killed with it (even by SIGKILL), and quiet
on Ctrl-C. Real builds, as processes, on a file large enough to be decoded in parallel."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EVENTS = 400_000
"""About 60 MB of JSON Lines: well above the parallel threshold, a second or two to decode."""


@pytest.fixture(scope="module")
def large_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("large")
    line = (
        '{{"id": {id}, "job_id": {job}, "timestamp": "2024-03-01T08:{minute:02d}:00.000000",'
        ' "from_state": "PREPROCESSED", "to_state": "RUNNING", "data": {{"num_nodes": 1}}}}\n'
    )
    with (folder / "events.jsonl").open("w") as out:
        for first in range(0, EVENTS, 10_000):
            out.write(
                "".join(
                    line.format(id=i + 1, job=i + 1, minute=i % 60)
                    for i in range(first, first + 10_000)
                )
            )
    (folder / "large.yaml").write_text(
        "title: Large\nsource: {files: {events: events.jsonl}}\nqueries: {events: {all: {}}}\n"
        "charts: [{id: u, type: utilization, events: all, formats: [svg]}]\n"
    )
    return folder / "large.yaml"


def children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is `pid`."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def wait_for(condition: Callable[[], object], seconds: float) -> object:
    """Poll `condition` until it is true or `seconds` have passed; its last value."""
    deadline = time.monotonic() + seconds
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.005)
    return value


def started_workers(pid: int) -> set[int]:
    """The build's two decoding workers, once both run (a minute at most)."""
    deadline = time.monotonic() + 60
    while len(found := children(pid)) < 2:
        assert time.monotonic() < deadline, "the build never started its workers"
        time.sleep(0.005)
    return found


@pytest.fixture
def build(large_report: Path, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    command = [sys.executable, "-m", "reportgen", "build", str(large_report)]
    command += ["--out", str(tmp_path / "site"), "--no-cache", "--quiet"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


def in_session(session: int) -> set[int]:
    """Live (not zombie) processes of a session: the build's, which it leads (it was started
    with start_new_session), and every process it started unless one left the session."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == session:
            found.add(int(stat.parent.name))
    return found


def test_a_killed_build_leaves_no_process(build: subprocess.Popen[str]) -> None:
    """Not only the workers seen before the kill: no process at all is left of the build's
    session (one started late, or started by a worker, would be found too)."""
    workers = started_workers(build.pid)
    assert workers <= in_session(build.pid)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()  # the build itself, reaped
    left = wait_for(lambda: not in_session(build.pid), 5)
    assert left, f"processes left 5 s after the build was killed: {in_session(build.pid)}"


SIGINT_BIT = 1 << (signal.SIGINT - 1)


def signal_set(pid: int, name: str) -> int:
    """The `SigIgn`, `SigBlk`... set of a process (0 if it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next(line for line in status.splitlines() if line.startswith(f"{name}:"))
    return int(line.split()[1], 16)


def ready_for_ctrl_c(build: int, workers: set[int]) -> bool:
    """Each worker ignores SIGINT (its initializer ran) and the build no longer holds it
    back (it is done forking them): a Ctrl-C now finds the build parsing, not starting."""
    return all(signal_set(w, "SigIgn") & SIGINT_BIT for w in workers) and not (
        signal_set(build, "SigBlk") & SIGINT_BIT
    )


def test_ctrl_c_during_parsing_prints_no_worker_traceback(build: subprocess.Popen[str]) -> None:
    workers = started_workers(build.pid)
    assert wait_for(lambda: ready_for_ctrl_c(build.pid, workers), 60), "workers never ready"
    os.killpg(build.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, stderr = build.communicate(timeout=60)
    assert build.returncode != 0
    assert "Traceback" not in stderr
    assert "KeyboardInterrupt" not in stderr
    assert stderr.strip().endswith("interrupted: the previous site is untouched")
    assert wait_for(lambda: not alive(workers), 5)
