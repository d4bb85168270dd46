"""Progress: stages and live counters on a terminal, nothing anywhere else."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from reportgen.build import build_site
from reportgen.progress import Progress
from reportgen.spec import load_report
from tests.conftest import DEMO_SPEC, demo_records


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI runners set CI, which (rightly) silences progress; these tests are about a terminal."""
    monkeypatch.delenv("CI", raising=False)


@pytest.mark.usefixtures("outside_ci")
def test_a_build_on_a_terminal_shows_stages_and_what_it_read(tmp_path: Path) -> None:
    terminal = Terminal()
    build_site([DEMO_SPEC], tmp_path / "site", progress=Progress(terminal))
    shown = terminal.getvalue()
    charts = len(load_report(DEMO_SPEC).charts)
    for stage in (
        "demo: loading data",
        "demo: computing series",
        f"demo: rendering {charts} chart(s)",
    ):
        assert f"  {stage}\n" in shown
    events, jobs = len(demo_records("events.json.gz")), len(demo_records("jobs.json.gz"))
    assert f"\r    events: {events:,} records, 100% of the file" in shown
    assert f"\r    jobs: {jobs:,} records, 100% of the file" in shown


@pytest.mark.usefixtures("outside_ci")
def test_nothing_is_shown_off_a_terminal_or_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = io.StringIO()
    build_site([DEMO_SPEC], tmp_path / "piped", progress=Progress(piped))
    assert piped.getvalue() == ""
    monkeypatch.setenv("CI", "1")
    terminal = Terminal()
    build_site([DEMO_SPEC], tmp_path / "ci", progress=Progress(terminal))
    assert terminal.getvalue() == ""


@pytest.mark.usefixtures("outside_ci")
def test_a_live_fetch_counts_records_against_the_servers_count() -> None:
    terminal = Terminal()
    progress = Progress(terminal)
    progress.records("events", 2_500, 1, 10_000)
    assert terminal.getvalue() == "\r    events: 2,500 / 10,000 records, 1 page(s)  25%\x1b[K"


@pytest.mark.usefixtures("outside_ci")
def test_a_live_fetch_shows_its_rate_from_the_start_of_the_fetch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter([100.0, 100.5, 102.0])
    monkeypatch.setattr("reportgen.progress.time.monotonic", lambda: next(clock))
    terminal = Terminal()
    progress = Progress(terminal)
    progress.records("events", 0, 0, 0)  # the fetch starts at 100 s: nothing drawn
    assert terminal.getvalue() == ""
    progress.records("events", 2_500, 1, 10_000)  # at 100.5 s: 2,500 / 0.5 s
    assert terminal.getvalue().endswith(
        "events: 2,500 / 10,000 records, 1 page(s)  25%, 5,000 records/s\x1b[K"
    )
