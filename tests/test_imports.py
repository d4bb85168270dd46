"""What a build imports, and when: Altair only to lay charts out, after the records are read
(a build whose records fail never imports it; a rebuild whose sections are kept neither)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BUILD = """
import sys
from pathlib import Path
from reportgen.build import build_site
from reportgen.errors import ReportgenError
try:
    build_site([Path({spec!r})], Path({out!r}), cache_dir=Path({cache!r}))
    outcome = "built"
except ReportgenError as error:
    outcome = type(error).__name__
import threading
for thread in threading.enumerate():  # an import started on a thread has its chance to end
    if thread is not threading.current_thread():
        thread.join()
print(outcome, "altair" in sys.modules)
"""

SPEC = """\
title: Imports
source: {files: {events: events.json}}
queries: {events: {all: {}}}
charts: [{id: thr, type: throughput, events: all, formats: [svg]}]
"""


def build(folder: Path, out: str) -> tuple[str, bool]:
    code = BUILD.format(spec=str(folder / "i.yaml"), out=str(folder / out), cache=str(folder / "c"))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    outcome, imported = done.stdout.split()
    return outcome, imported == "True"


def test_altair_is_imported_to_lay_out_charts_and_not_when_the_records_fail(
    tmp_path: Path,
) -> None:
    (tmp_path / "i.yaml").write_text(SPEC)
    (tmp_path / "events.json").write_text('[{"id": 1, "job_id": 1, "timestamp": "soon"}]')
    assert build(tmp_path, "bad") == ("SourceError", False)
    event = {
        "id": 1,
        "job_id": 1,
        "timestamp": "2024-03-01T08:00:00",
        "from_state": "RUNNING",
        "to_state": "JOB_FINISHED",
        "data": {},
    }
    (tmp_path / "events.json").write_text(json.dumps([event]))
    assert build(tmp_path, "site") == ("built", True)
    # a rebuild after a title edit: every section is kept, nothing is laid out again
    (tmp_path / "i.yaml").write_text(SPEC.replace("Imports", "Imports, edited"))
    assert build(tmp_path, "site") == ("built", False)
    assert "Imports, edited" in (tmp_path / "site" / "i" / "index.html").read_text()
