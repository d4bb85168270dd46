"""A kind is one module: a toy kind defined here, registered once, gets its schema, its
validation messages, its reference section, its CSV and its page section from that alone."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from reportgen.build import build_site
from reportgen.errors import SpecError
from reportgen.kinds import KINDS, Kind, Section, View, code_of, register
from reportgen.kinds.present import bars_section
from reportgen.kinds.results import Bars
from reportgen.kinds.run import Run
from reportgen.source.data import Needs
from reportgen.spec import load_report
from reportgen.spec.containers import Key
from reportgen.spec.reference import reference_markdown
from reportgen.spec.scalars import Boolean
from reportgen.spec.schema import EVENT_REF
from tests.factories import batch_job, event


# --- the toy kind: events per to_state, as bars (everything about it is here) ---
@dataclass(frozen=True)
class EventCountOptions:
    events: str
    skip_empty: bool = True


def _needs(options: EventCountOptions) -> Needs:
    return Needs(events=(options.events,))


def _compute(runs: Sequence[Run], options: EventCountOptions) -> Bars:
    counts = {}
    for run in runs:
        events = run.events(options.events)
        in_window = events.timestamp <= run.as_of
        codes = np.bincount(events.to_state[in_window], minlength=len(events.state_names))
        counts[run.name or "events"] = dict(zip(events.state_names, codes.tolist(), strict=True))
    kept = {
        s for per_run in counts.values() for s, n in per_run.items() if n or not options.skip_empty
    }
    states = sorted(kept)
    return Bars(tuple(states), {run: tuple(c[s] for s in states) for run, c in counts.items()})


def _present(result: Bars, view: View) -> Section:
    return bars_section(view, result, "Events")


EVENT_COUNT = Kind(
    name="event_count",
    title="Events per state",
    doc="How many events entered each state (a test's kind).",
    options={
        "events": Key(EVENT_REF, "The event query counted."),
        "skip_empty": Key(Boolean(), "Leave out states no event entered.", True),
    },
    make_options=EventCountOptions,
    needs=_needs,
    compute=_compute,
    present=_present,
)


@pytest.fixture
def event_count() -> Iterator[Kind]:
    register(EVENT_COUNT)
    yield EVENT_COUNT
    del KINDS["event_count"]


EVENTS = [
    event(1, 1, 0, "PREPROCESSED", "RUNNING"),
    event(2, 1, 5, "RUNNING", "RUN_DONE"),
    event(3, 1, 6, "RUN_DONE", "JOB_FINISHED"),
    event(4, 2, 1, "PREPROCESSED", "RUNNING"),
    event(5, 2, 3, "RUNNING", "RUN_ERROR"),
    event(6, 2, 4, "RUN_ERROR", "FAILED"),
    event(7, 3, 2, "PREPROCESSED", "RUNNING"),
    event(8, 3, 9, "RUNNING", "RUN_DONE"),  # after the as-of time
]
SPEC = """\
title: Toy
source:
  files: {events: events.json, batch_jobs: batchjobs.json}
as_of: 2024-03-01T08:08:00Z
queries:
  events: {all: {}}
charts:
  - {id: states, type: event_count, events: all, formats: [svg]}
"""


def toy_report(folder: Path, spec: str = SPEC) -> Path:
    (folder / "events.json").write_text(json.dumps(EVENTS))
    (folder / "batchjobs.json").write_text(json.dumps([batch_job(1, 2, 0, 10)]))
    (folder / "toy.yaml").write_text(spec)
    return folder / "toy.yaml"


def test_a_registered_kind_builds_its_csv_and_section(tmp_path: Path, event_count: Kind) -> None:
    built = build_site([toy_report(tmp_path)], tmp_path / "site")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "site/toy/states.csv").read_text())))
    # by hand: events at or before 08:08 into each state (event 8 is later)
    expected = Counter(e["to_state"] for e in EVENTS if e["timestamp"] <= "2024-03-01T08:08")
    assert {r["category"]: int(r["value"]) for r in rows} == dict(expected)
    assert [r["category"] for r in rows] == sorted(expected)
    assert {r["group"] for r in rows} == {"events"}
    page = (tmp_path / "site/toy/index.html").read_text()
    assert '<section class="chart-section" id="states">' in page
    assert "<h2>Events per state</h2>" in page  # the kind's default title
    assert "5 bars." in page
    assert (tmp_path / "site/toy/states.svg").read_text().startswith("<svg")
    assert built.reports[0].charts[0].result.categories == tuple(sorted(expected))


def test_a_registered_kinds_options_are_checked_with_file_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, event_count: Kind
) -> None:
    monkeypatch.chdir(tmp_path)
    toy_report(tmp_path, SPEC.replace("events: all, formats", "skip_empty: maybe, formats"))
    with pytest.raises(SpecError) as caught:
        load_report(Path("toy.yaml"))
    assert caught.value.problems == [
        "toy.yaml:8: charts[0].skip_empty: expected true or false; got 'maybe'",
        "toy.yaml:8: charts[0].events: missing (a event_count chart needs it)",
    ]
    toy_report(tmp_path, SPEC.replace("formats: [svg]", "to_state: RUNNING, formats: [svg]"))
    assert load_report(Path("toy.yaml")).warnings == (
        "toy.yaml:8: charts[0].to_state: does not apply to a event_count chart",
    )
    toy_report(tmp_path, SPEC.replace("event_count", "event_counts"))
    with pytest.raises(SpecError) as caught:
        load_report(Path("toy.yaml"))
    assert caught.value.problems == [
        "toy.yaml:8: charts[0].type: expected one of throughput, utilization, "
        "available_nodes, states, durations, node_hours, failures, jobs_table, allocations, "
        "scaling, event_count; "
        "got 'event_counts'"
    ]


def test_a_registered_kind_has_its_own_reference_section(event_count: Kind) -> None:
    reference = reference_markdown()
    section = reference.split("### Kind `event_count`", 1)[1]
    assert section.startswith(
        "\n\nHow many events entered each state (a test's kind). Default title: Events per state.\n"
    )
    assert "| `charts[].skip_empty` | Leave out states no event entered. Expects true or " in (
        section
    )


def test_a_kind_may_not_take_a_common_key_or_check_a_shared_one_differently() -> None:
    with pytest.raises(ValueError, match=r"^kind 'bad': title is a common chart key$"):
        register(replace(EVENT_COUNT, name="bad", options={"title": Key(Boolean(), "x")}))
    with pytest.raises(ValueError, match="option 'events' is checked differently"):
        register(replace(EVENT_COUNT, name="bad", options={"events": Key(Boolean(), "x")}))
    assert "bad" not in KINDS


def test_a_plug_in_kinds_own_code_is_part_of_its_results_key(event_count: Kind) -> None:
    """reportgen's code is in every key; a kind from elsewhere adds its module's source."""
    assert code_of(KINDS["throughput"]) == ""
    assert code_of(event_count) == hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
