"""`reportgen serve` as a user runs it: a real subprocess, a real port, real Chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from reportgen.build import BuildResult
from reportgen.site.server import inject
from tests.conftest import ROOT
from tests.test_browser import ARGS, CHROMIUM

REPORTGEN = (sys.executable, "-m", "reportgen")
BUILD_SECONDS = 180
"""Generous upper bound for one build of the demo on a busy machine (a timeout, not a wait)."""


class Lines:
    """The lines a stream prints, read on a thread; `wait_for` blocks until one matches."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, match: Callable[[str], bool], start: int = 0) -> str:
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(match(line) for line in self.lines[start:]), BUILD_SECONDS
            )
            assert found, f"no such line in {self.lines}"
            return next(line for line in self.lines[start:] if match(line))

    def text(self) -> str:
        self._thread.join(timeout=30)
        return "\n".join(self.lines)


def session_processes(session: int) -> list[int]:
    """Every live process of the session `session` (zombies included: not yet reaped)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        if int(fields[3]) == session:
            found.append(int(entry.name))
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder holding the demo's data and its spec cut to one chart (a quick build)."""
    shutil.copytree(ROOT / "report_specs", tmp_path / "report_specs")
    spec = tmp_path / "report_specs" / "demo.yaml"
    text = spec.read_text(encoding="utf-8")
    one_chart = "charts:\n  - {id: throughput, type: throughput, events: demo}\n"
    spec.write_text(text[: text.index("charts:\n")] + one_chart, encoding="utf-8")
    (tmp_path / "tmp").mkdir()
    return tmp_path


def start_serve(project: Path, *specs: str) -> tuple[subprocess.Popen[str], Lines, Lines, str]:
    """`reportgen serve` in its own session, its temporary folder under `project/tmp`."""
    env = {**os.environ, "TMPDIR": str(project / "tmp"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*REPORTGEN, "serve", *(specs or ["report_specs/demo.yaml"]), "--port", "0"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None and process.stderr is not None
    out, err = Lines(process.stdout), Lines(process.stderr)
    line = out.wait_for(lambda line: line.startswith("serving "))
    match = re.fullmatch(r"serving (http://127\.0\.0\.1:\d+/) \(Ctrl-C stops\)", line)
    assert match, line
    return process, out, err, match.group(1)


def stop_serve(process: subprocess.Popen[str], project: Path, err: Lines) -> None:
    """SIGINT: exit 0, no traceback, no process of its session left, no temporary folder."""
    assert list((project / "tmp").glob("reportgen-serve-*")), "serve made its folder there"
    assert process.pid in session_processes(process.pid)  # the check below can see it
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    stderr = err.text()
    assert "Traceback" not in stderr
    assert session_processes(process.pid) == []
    assert list((project / "tmp").iterdir()) == []


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, as tests/test_browser.py starts it."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "run `bash scripts/test.sh`, which installs chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield chromium
        chromium.close()


def _edit(spec: Path, old: str, new: str) -> None:
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")


def _build_error(project: Path) -> str:
    """The message `reportgen build` gives for the spec as it is now."""
    done = subprocess.run(
        [*REPORTGEN, "build", "report_specs/demo.yaml", "--out", str(project / "built")],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ")
    return line


@pytest.mark.browser
def test_serve_reloads_on_edits_shows_errors_and_stops_on_sigint(
    browser: Any, project: Path
) -> None:
    spec = project / "report_specs" / "demo.yaml"
    process, _, err, url = start_serve(project)
    try:
        err.wait_for(lambda line: line.startswith("built 1 report(s)"))
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(url + "demo/")
        assert page.locator("h1").first.inner_text() == "Demo experiment"
        page.evaluate("window.notReloaded = true")  # gone if the page reloads

        _edit(spec, "title: Demo experiment", "title: Demo, edited while served")
        page.wait_for_function(
            "document.querySelector('h1').textContent === 'Demo, edited while served'",
            timeout=BUILD_SECONDS * 1000,
        )
        assert page.evaluate("window.notReloaded") is None  # the script reloaded it
        page.screenshot(path=project / "served.png")

        errors_before = len(err.lines)
        _edit(spec, "time_axis: elapsed_minutes", "time_axis: 42")
        expected = _build_error(project)
        assert expected == (
            "error: report_specs/demo.yaml:10: time_axis: expected elapsed_minutes, utc or an "
            "IANA time zone like America/Chicago; got 42"
        )
        assert err.wait_for(lambda line: line.startswith("error:"), errors_before) == expected
        banner = page.locator("[data-reportgen-errors]")
        banner.wait_for(timeout=BUILD_SECONDS * 1000)
        assert expected.removeprefix("error: ") in banner.inner_text()
        assert page.locator("h1").first.inner_text() == "Demo, edited while served"
        page.screenshot(path=project / "error.png")

        _edit(spec, "time_axis: 42", "time_axis: elapsed_minutes")
        banner.wait_for(state="detached", timeout=BUILD_SECONDS * 1000)
        assert page.locator("h1").first.inner_text() == "Demo, edited while served"
    finally:
        if process.poll() is None:
            stop_serve(process, project, err)
    assert process.returncode == 0


def test_sigint_during_the_first_build_stops_cleanly(project: Path) -> None:
    """Whenever it comes (the build starts as the URL is printed), Ctrl-C leaves nothing."""
    process, _, err, _ = start_serve(project)
    stop_serve(process, project, err)


def test_only_the_report_whose_spec_changed_is_built_again(project: Path) -> None:
    specs = project / "report_specs"
    shutil.copy(specs / "demo.yaml", specs / "other.yaml")
    process, _, err, url = start_serve(project, "report_specs/demo.yaml", "report_specs/other.yaml")
    try:
        first = err.wait_for(lambda line: line.startswith("built "))
        assert re.fullmatch(r"built 2 report\(s\) in [0-9.]+s", first), first
        _edit(specs / "other.yaml", "title: Demo experiment", "title: Other")
        again = err.wait_for(lambda line: line.startswith("built "), err.lines.index(first) + 1)
        assert re.fullmatch(
            r"built 1 report\(s\) in [0-9.]+s \(1 unchanged, copied from the last build\)", again
        ), again
        with urllib.request.urlopen(url) as response:
            index = response.read().decode()
        assert "Other" in index and "Demo experiment" in index
    finally:
        stop_serve(process, project, err)


def test_a_taken_port_is_a_message(project: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*REPORTGEN, "serve", "report_specs/demo.yaml", "--port", str(port)],
            cwd=project,
            env={**os.environ, "TMPDIR": str(project / "tmp")},
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr == (
        f"error: port {port} on 127.0.0.1 is in use: choose another with --port "
        "(--port 0 picks a free one)\n"
    )
    assert list((project / "tmp").iterdir()) == []


def test_build_output_has_no_reload_script(demo_site: BuildResult) -> None:
    for path in demo_site.out_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"__reportgen" not in data and b"data-reportgen-serve" not in data, path


def test_inject_adds_the_script_before_body_end_and_escapes_the_errors() -> None:
    page = b"<html><body class='x'><h1>T</h1></body></html>"
    served = inject(page, 7, ["spec.yaml:1: title: got '<script>alert(1)</script>'"]).decode()
    body = served.index("<body class='x'>") + len("<body class='x'>")
    assert served[body:].startswith("<div data-reportgen-errors")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in served
    assert "<script>alert(1)" not in served
    assert served.index("const shown = 7;") < served.index("</body>")
    assert inject(page, 7, []).decode().count("<script") == 1
