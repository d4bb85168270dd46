"""Issue 15, the rest of classes 5 and 6: ordinary faults and misleading inputs get a message
in reportgen's words (exit code, text word for word, no traceback), and warnings shown on a
page are on stderr too."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import requests

from reportgen.charts import bundle
from reportgen.cli import main
from reportgen.errors import SourceError
from reportgen.source.balsam.client import BalsamClient
from reportgen.source.balsam.credentials import Credentials
from reportgen.source.chunks import file_chunks
from reportgen.source.files import read_records
from tests.conftest import ROOT
from tests.factories import batch_job, event, job
from tests.folders import beside, tree

SPEC = "title: Tiny\nsource: {files: {events: events.json}}\nqueries: {events: {all: {}}}\n"
SPEC += "charts:\n  - {id: t, type: throughput, events: all, formats: []}\n"
RECORDS = [
    event(1, 1, 0, "READY", "RUNNING"),
    event(2, 1, 5, "RUNNING", "RUN_DONE"),
    event(3, 1, 6, "RUN_DONE", "JOB_FINISHED"),
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (the working folder) with three events and a one-chart spec."""
    (tmp_path / "events.json").write_text(json.dumps(RECORDS))
    (tmp_path / "tiny.yaml").write_text(SPEC)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`reportgen *args` in this process (the project folder): its exit code and stderr
    (never a traceback). Nothing in the project changes but the site of `--out`, its lock
    and reportgen's cache; a command that fails leaves the site as it was."""
    out = Path(args[args.index("--out") + 1]) if "--out" in args else Path("site_output")
    before, site_before = beside(Path.cwd() / out), tree(out) if out.is_dir() else None
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr, stderr
    assert beside(Path.cwd() / out) == before
    if code != 0:
        assert (tree(out) if out.is_dir() else None) == site_before
    return code, stderr


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning: ")]


EARLY = (
    "warning: tiny: Every record is later than the as-of time 2024-03-01T07:00:00.000000Z, so "
    "every series is empty (the earliest is 2024-03-01T08:00:00.000000Z); the as-of time was "
    "{origin}."
)


@pytest.mark.parametrize(
    ("spec", "args", "expected"),
    [
        (
            SPEC,
            ["--as-of", "2024-03-01T07:00:00Z"],
            [EARLY.format(origin="given on the command line (--as-of)")],
        ),
        (
            SPEC + "as_of: 2024-03-01T07:00:00Z\n",
            [],
            [EARLY.format(origin="set in the spec (as_of)")],
        ),
        (
            SPEC.replace("all: {}", "all: {}, none: {to_state: FAILED}")
            + "  - {id: n, type: throughput, events: none, formats: []}\n",
            [],
            ["warning: tiny: Event query 'none' matched no events."],
        ),
        (
            SPEC + "colour: red\n",
            [],
            [
                "warning: tiny.yaml:6: colour: unknown key (known keys: title, description, "
                "source, as_of, time_axis, queries, runs, baseline, steady_state, charts, "
                "figure, summary, group)"
            ],
        ),
        (
            SPEC + "  - {id: u, type: utilization, events: all, formats: []}\n",
            [],
            ["warning: tiny: u: 1 RUNNING events had no data.num_nodes; their weight is 1."],
        ),
    ],
    ids=["as-of-flag", "as-of-spec", "empty-query", "spec-warning-once", "chart-warning"],
)
def test_page_warnings_are_on_stderr_once(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    spec: str,
    args: list[str],
    expected: list[str],
) -> None:
    (project / "tiny.yaml").write_text(spec)
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site", *args)
    assert (code, warnings_of(stderr)) == (0, expected)
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site", "--quiet", *args)
    assert (code, warnings_of(stderr)) == (0, [w for w in expected if ".yaml:" in w])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0001-01-01T00:00:00+01:00", "a time that stays within the years 1 to 9999 in UTC"),
        ("9999-12-31T23:59:59-01:00", "a time that stays within the years 1 to 9999 in UTC"),
        ("yesterday", "an ISO 8601 time like 2024-03-01T18:00:00Z"),
    ],
)
def test_a_bad_as_of_time_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], value: str, expected: str
) -> None:
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site", "--as-of", value)
    last = stderr.splitlines()[-1]
    assert (code, last) == (
        2,
        f"reportgen build: error: argument --as-of: expected {expected}; got {value!r}",
    )
    assert not (project / "site").exists()


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_spec_time_out_of_range_is_a_spec_error(
    project: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    (project / "tiny.yaml").write_text(SPEC + f"as_of: '{value}'\n")
    assert cli(capsys, "validate", "tiny.yaml") == (
        1,
        f"error: tiny.yaml:6: as_of: expected a time that stays within the years 1 to 9999 in "
        f"UTC; got {value!r}\n",
    )


NAMED_BY = "a report's folder is named by its spec's file name, and"
UNSAFE = (
    "is not a safe folder name: expected letters, digits, '_', '-' and '.', not starting "
    "with '.'; rename the spec"
)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("assets.yaml", "'assets' is the site's own assets/ folder: rename the spec"),
        ("Assets.yml", "'Assets' is the site's own assets/ folder: rename the spec"),
        ("index.html.yaml", "'index.html' is the site's own front page: rename the spec"),
        ("..yaml", f"'.' {UNSAFE}"),
        (".hidden.yaml", f"'.hidden' {UNSAFE}"),
        ("my report.yaml", f"'my report' {UNSAFE}"),
        ("a;b.yaml", f"'a;b' {UNSAFE}"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_reserved_or_unsafe_spec_name_is_a_spec_error(
    project: Path, capsys: pytest.CaptureFixture[str], command: str, name: str, why: str
) -> None:
    (project / name).write_text(SPEC)
    site = ["--out", "site"] if command == "build" else []
    assert cli(capsys, command, name, *site) == (1, f"error: {name}: {NAMED_BY} {why}\n")
    assert not (project / "site").exists()


@pytest.mark.parametrize("name", ["run-42.yaml", "run_42.v2.yaml", "résumé.yaml"])
def test_a_safe_spec_name_is_valid(
    project: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    (project / name).write_text(SPEC)
    assert cli(capsys, "validate", name) == (0, "")


DEEP = "YAML nested more than 100 levels deep (column {}); a report spec needs about six"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # the document is level 1 and `title`'s list level 2: the 100th "[" is level 101
        (SPEC.replace("Tiny", "[" * 5000 + "]" * 5000), (1, 7 + 99 + 1)),
        # the key `a` inside the 99th "{a: " (at 3 + 98 * 4) is level 101
        (SPEC + "x: " + "{a: " * 5000 + "}" * 5000 + "\n", (6, 3 + 98 * 4 + 2)),
        # block lists, "- " each: the 100th "-" is level 101
        (SPEC + "x:\n" + "- " * 5000 + "1\n", (7, 99 * 2 + 1)),
    ],
    ids=["flow lists in title", "flow mappings", "block lists"],
)
@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_spec_nested_thousands_deep_is_a_spec_error(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    text: str,
    where: tuple[int, int],
) -> None:
    """PyYAML composes by recursion: about 500 levels were a RecursionError traceback."""
    (project / "tiny.yaml").write_text(text)
    site = ["--out", "site"] if command == "build" else []
    line, column = where
    expected = f"error: tiny.yaml:{line}: {DEEP.format(column)}\n"
    assert cli(capsys, command, "tiny.yaml", *site) == (1, expected)
    assert not (project / "site").exists()


def test_a_spec_nested_under_the_limit_is_checked_as_usual(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "tiny.yaml").write_text(SPEC.replace("Tiny", "[" * 98 + "]" * 98))
    assert cli(capsys, "validate", "tiny.yaml") == (
        1,
        "error: tiny.yaml:1: title: expected a string; got 'a list'\n",
    )


BALSAM_SPEC = SPEC.replace("{files: {events: events.json}}", "{balsam: {api_root: %s}}")
HTTP_URL = "an http or https URL with a host, like https://balsam.example.org"
NOT_HTTP = [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "https://",
    "balsam.example.org",
    "ftp://balsam.example.org",
    "https://balsam.example.org:port",
    "https://bal sam.example.org",
]


@pytest.mark.parametrize("url", [*NOT_HTTP, "https://balsam.example.org", "http://h:80/api"])
def test_api_root_must_be_http_with_a_host(
    project: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    (project / "tiny.yaml").write_text(BALSAM_SPEC % json.dumps(url))
    expected = f"error: tiny.yaml:2: source.balsam.api_root: expected {HTTP_URL}; got {url!r}\n"
    valid = url not in NOT_HTTP
    assert cli(capsys, "validate", "tiny.yaml") == ((0, "") if valid else (1, expected))


@pytest.mark.parametrize("url", NOT_HTTP[:3])
def test_balsam_api_root_from_the_environment_is_checked(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("BALSAM_API_ROOT", url)
    monkeypatch.setenv("BALSAM_CLIENT_PATH", str(project / "no-client.yml"))
    (project / "tiny.yaml").write_text(BALSAM_SPEC % "https://balsam.example.org")
    assert cli(capsys, "build", "tiny.yaml", "--out", "site", "--quiet") == (
        1,
        f"error: BALSAM_API_ROOT: expected {HTTP_URL}; got {url!r}\n",
    )
    assert not (project / "site").exists()


@pytest.mark.parametrize(
    ("api_root", "status", "expected"),
    [
        (
            "https://bal\x00sam.example.org",
            200,
            "GET https://bal\x00sam.example.org/events/: not a URL that can be fetched (",
        ),
        *[
            (
                "https://b.example.org",
                s,
                f"GET https://b.example.org/events/ answered HTTP {s}: 'no'",
            )
            for s in (400, 403, 404, 422)
        ],
    ],
)
def test_client_errors_are_never_retried(api_root: str, status: int, expected: str) -> None:
    """An address requests cannot fetch, and a 4xx other than 429: one try, then the error."""
    credentials = Credentials(api_root, None, None, 1.0, 1.0, 10, "test")
    client = BalsamClient(credentials, 10, 0.0, sleep=lambda s: pytest.fail("retried"))
    answer = requests.Response()
    answer.status_code, answer._content = status, b'{"detail": "no"}'
    if status != 200:  # else the real session, which refuses the address before connecting
        client.session.get = lambda *args, **kwargs: answer  # type: ignore[method-assign]
    with pytest.raises(SourceError) as raised:
        client.get_json("events", [])
    assert str(raised.value).startswith(expected), raised.value
    assert (client.requests_made, client.retries) == (1, 0)


def seal_of(data: bytes) -> str:
    return json.dumps({"length": len(data), "sha256": hashlib.sha256(data).hexdigest()})


DAMAGE: dict[str, Callable[[Path, Path], object]] = {
    "empty": lambda js, seal: js.write_bytes(b""),
    "truncated": lambda js, seal: js.write_bytes(js.read_bytes()[:-3]),
    "changed": lambda js, seal: js.write_bytes(js.read_bytes().replace(b"bundle", b"bUndle")),
    "empty, seal too": lambda js, seal: (js.write_bytes(b""), seal.write_text(seal_of(b""))),
    "no seal": lambda js, seal: seal.unlink(),
    "seal garbage": lambda js, seal: seal.write_bytes(b"\xff\x00"),
    "not UTF-8": lambda js, seal: (js.write_bytes(b"\xff"), seal.write_text(seal_of(b"\xff"))),
}


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_cached_bundle_is_made_again_never_shipped(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    made: list[str] = []

    def fake_bundle() -> str:
        made.append(f"// bundle {len(made)}\n")
        return made[-1]

    monkeypatch.setenv("XDG_CACHE_HOME", str(project / "cache"))
    monkeypatch.setattr(bundle, "javascript_bundle", fake_bundle)
    assert bundle.vega_bundle() == "// bundle 0\n"
    (bundle_file,) = (project / "cache" / "reportgen").glob("*.js")
    DAMAGE[how](bundle_file, bundle_file.with_suffix(".seal.json"))
    assert cli(capsys, "build", "tiny.yaml", "--out", "site", "--quiet") == (0, "")
    assert made == ["// bundle 0\n", "// bundle 1\n"]
    assert (project / "site" / "assets" / "vega-bundle.js").read_text() == "// bundle 1\n"
    assert bundle.vega_bundle() == "// bundle 1\n"  # sealed again: not made a third time
    assert len(made) == 2


def fifo(folder: Path) -> Path:
    os.mkfifo(folder / "events.fifo")
    return folder / "events.fifo"


def device(folder: Path) -> Path:
    return Path("/dev/zero")


def folder(folder: Path) -> Path:
    (folder / "events.d").mkdir()
    return folder / "events.d"


@pytest.mark.parametrize(
    ("make", "kind"),
    [(fifo, "a named pipe (FIFO)"), (device, "a device"), (folder, "a folder")],
    ids=["fifo", "dev-zero", "folder"],
)
@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cache", "no-cache"])
def test_an_input_that_is_not_a_regular_file_is_refused_unread(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], Path],
    kind: str,
    cache: list[str],
) -> None:
    path = make(project)
    (project / "tiny.yaml").write_text(SPEC.replace("events.json", str(path)))
    signal.alarm(60)  # a FIFO once blocked the build forever
    try:
        result = cli(capsys, "build", "tiny.yaml", "--out", "site", "--quiet", *cache)
    finally:
        signal.alarm(0)
    assert result == (
        1,
        f"error: {path}: the events file is {kind}: expected a regular file (a saved API "
        "response; source.files in the spec)\n",
    )
    assert not (project / "site").exists()


@pytest.mark.parametrize("make", [fifo, device, folder], ids=["fifo", "dev-zero", "folder"])
@pytest.mark.parametrize("reader", ["plain", "chunks"])
def test_both_readers_refuse_what_is_not_a_regular_file(
    tmp_path: Path, make: Callable[[Path], Path], reader: str
) -> None:
    path = make(tmp_path)
    signal.alarm(60)
    try:
        with pytest.raises(SourceError, match="expected a regular file"):
            if reader == "plain":
                read_records(path, "jobs")
            else:
                list(file_chunks(path, "jobs", lambda share: None, split_pages=True))
    finally:
        signal.alarm(0)


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.write_text("not a folder"), "is not a folder"),
    ],
    ids=["missing", "a-file"],
)
def test_a_mistyped_templates_folder_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], object], why: str
) -> None:
    make(project / "my-templates")
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site", "--templates", "my-templates")
    assert (code, stderr.splitlines()[-1]) == (
        2,
        f"reportgen build: error: argument --templates: my-templates {why} (expected a folder "
        "of templates)",
    )
    assert not (project / "site").exists()


BASE = (ROOT / "templates" / "base.html").read_text()
REPORT = (ROOT / "templates" / "report.html").read_text()


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "report.html",
            REPORT.replace("{{ report.time_axis }}", "{% if %}"),
            "my-templates/report.html:{line}: template syntax error: Expected an expression, got "
            "'end of statement block'",
        ),
        (
            "report.html",
            REPORT.replace("{{ report.time_axis }}", "{{ report.time_axes }}"),
            "my-templates/report.html:{line}: undefined in the template: 'ReportPage' has no "
            "attribute 'time_axes'",
        ),
        (
            "index.html",
            "{% extends 'base.html' %}{% block main %}\n{{ sites }}{% endblock %}\n",
            "my-templates/index.html:2: undefined in the template: 'sites' is undefined",
        ),
        (
            "base.html",
            BASE.replace("</body>", "{{ footer.text }}</body>"),
            "my-templates/base.html:{line}: undefined in the template: 'footer' is undefined",
        ),
        (
            "report.html",
            "{% extends 'layout.html' %}\n",
            "my-templates/report.html:1: no template named 'layout.html'",
        ),
    ],
    ids=["syntax", "attribute", "variable", "base", "missing-parent"],
)
def test_a_template_error_names_the_file_line_and_variable(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, expected: str
) -> None:
    (project / "my-templates").mkdir()
    (project / "my-templates" / name).write_text(text)
    changes = ("footer.text", "{% if %}", "time_axes")  # the line each case broke
    line = next(
        (i for i, row in enumerate(text.splitlines(), 1) if any(c in row for c in changes)), 1
    )
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site", "--templates", "my-templates")
    if "undefined" in expected:
        expected += " (see the shipped templates for the variables a page gets)"
    assert (code, stderr) == (1, f"error: {expected.format(line=line)}\n")
    assert not (project / "site").exists()


def spaces_gzip(path: Path, head: bytes) -> None:
    """`head`, then 272 MiB of spaces (no line break), gzipped: about 300 KB on disk."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    block = b" " * (16 << 20)
    parts = [compressor.compress(head)]
    parts += [compressor.compress(block) for _ in range(17)]
    path.write_bytes(b"".join([*parts, compressor.flush()]))


BOMB = (
    "error: {path}: decompresses to more than 256 MB with fewer than one '{{' per 64 KB "
    "(records have one every few hundred bytes): not a saved API response (a damaged file, "
    "or a compression bomb?)\n"
)


@pytest.mark.parametrize("reader", ["fast", "plain"])
@pytest.mark.parametrize(
    "head",
    [b"", b"".join(json.dumps(r).encode() + b"\n" for r in RECORDS[:2])],
    ids=["document", "json-lines"],
)
def test_a_compression_bomb_stops_before_it_fills_the_memory(
    project: Path, capsys: pytest.CaptureFixture[str], reader: str, head: bytes
) -> None:
    """A gzip of spaces (a document, or JSON Lines whose second line never ends) is refused
    by both readers once it passes 256 MB, long before its whole size is held."""
    spaces_gzip(project / "events.json", head)
    if reader == "plain":  # a data filter needs the raw data values: the record-by-record reader
        spec = SPEC.replace("all: {}", "all: {data: {k: v}}")
        (project / "tiny.yaml").write_text(spec)
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site")
    assert (code, stderr) == (1, BOMB.format(path=project / "events.json"))
    assert not (project / "site").exists()


def test_what_the_readers_dropped_or_did_not_know_is_on_stderr(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = {**RECORDS[2], "id": 4, "from_state": "JOB_FINISHED", "to_state": "ARCHIVED"}
    (project / "events.json").write_text(json.dumps([*RECORDS, *RECORDS, unknown]))
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site")
    assert (code, warnings_of(stderr)) == (
        0,
        [
            "warning: tiny: events.json: 3 duplicate event records dropped (the same id and "
            "content as an earlier record)",
            "warning: tiny: events.json: states Balsam does not define: 'ARCHIVED' (counted as "
            "they are)",
        ],
    )
    page = (project / "site" / "tiny" / "index.html").read_text()
    assert "<li>events.json: 3 duplicate event records dropped" in page


PARTIAL_SAVE = (
    "{path}: the page holds 3 of the 10 records its count says: a partial save? Save every "
    "page of the query, or all its records as one list (--allow-partial builds it anyway, "
    "with a warning)"
)
PARTIAL_BUILT = (
    "events.json: the page holds 3 of the 10 records its count says: built anyway "
    "(--allow-partial), so every number of this report misses the 7 records that were not saved"
)


@pytest.mark.parametrize("reader", ["fast", "plain"])
def test_a_partial_save_builds_only_with_allow_partial_and_says_so(
    project: Path, capsys: pytest.CaptureFixture[str], reader: str
) -> None:
    """A first page saved alone (3 of 10 records): an error by default; with --allow-partial
    a site whose page and stderr say how many records are missing (10 - 3 = 7). The cache
    never hands the allowed read to a build without the flag."""
    records = RECORDS
    if reader == "plain":  # a data filter needs the raw data values: the record-by-record reader
        (project / "tiny.yaml").write_text(SPEC.replace("all: {}", "all: {data: {k: v}}"))
        records = [{**record, "data": {"k": "v"}} for record in RECORDS]
    (project / "events.json").write_text(json.dumps({"count": 10, "results": records}))
    refused = (1, "error: " + PARTIAL_SAVE.format(path=project / "events.json") + "\n")
    assert cli(capsys, "build", "tiny.yaml", "--out", "site") == refused
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site", "--allow-partial")
    assert (code, warnings_of(stderr)) == (0, [f"warning: tiny: {PARTIAL_BUILT}"])
    page = (project / "site" / "tiny" / "index.html").read_text()
    assert f"<li>{PARTIAL_BUILT}</li>" in page
    assert cli(capsys, "build", "tiny.yaml", "--out", "site") == refused


def test_a_partial_batch_jobs_save_is_a_warning_with_allow_partial(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    allocation = {
        "id": 1, "site_id": 1, "scheduler_id": 7, "num_nodes": 2, "state": "finished",
        "queue": "q", "filter_tags": {}, "start_time": "2024-03-01T00:00:00",
        "end_time": "2024-03-01T01:00:00", "wall_time_min": 60,
    }  # fmt: skip
    (project / "batch.json").write_text(json.dumps({"count": 4, "results": [allocation]}))
    spec = SPEC.replace("events: events.json}", "events: events.json, batch_jobs: batch.json}")
    spec = spec.replace(
        "queries: {events: {all: {}}}", "queries: {events: {all: {}}, batch_jobs: {b: {}}}"
    )
    spec += "  - {id: n, type: available_nodes, batch_jobs: b, formats: []}\n"
    (project / "tiny.yaml").write_text(spec)
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site", "--allow-partial")
    assert (code, warnings_of(stderr)) == (
        0,
        [
            "warning: tiny: batch.json: the page holds 1 of the 4 records its count says: built "
            "anyway (--allow-partial), so every number of this report misses the 3 records that "
            "were not saved"
        ],
    )


@pytest.mark.parametrize("reader", ["fast", "plain"])
def test_max_input_gb_sets_the_limit_of_what_a_file_decompresses_to(
    project: Path, capsys: pytest.CaptureFixture[str], reader: str
) -> None:
    """The events file is about 400 bytes; a limit of 1e-7 GB is round(107.37) = 107 bytes."""
    path = project / "events.json"
    if reader == "plain":  # a data filter needs the raw data values: the record-by-record reader
        (project / "tiny.yaml").write_text(SPEC.replace("all: {}", "all: {data: {k: v}}"))
        path.write_text(json.dumps([{**record, "data": {"k": "v"}} for record in RECORDS]))
    assert path.stat().st_size > 107
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site", "--max-input-gb", "1e-7")
    assert (code, stderr) == (
        1,
        f"error: {path}: decompresses to more than 107 bytes, the limit for one input file "
        "(--max-input-gb): not a saved API response (a compression bomb?), or one that needs "
        "a higher limit\n",
    )
    assert cli(capsys, "build", "tiny.yaml", "--out", "site", "--max-input-gb", "1")[0] == 0


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf", ""])
def test_max_input_gb_must_be_a_positive_number(
    project: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    code, stderr = cli(capsys, "build", "tiny.yaml", "--out", "site", "--max-input-gb", value)
    assert code == 2
    assert stderr.splitlines()[-1] == (
        "reportgen build: error: argument --max-input-gb: expected a positive number of GB; "
        f"got {value!r}"
    )


# the warnings of tests/test_warnings.py, through the command line -------------------------

TWO_JOBS = [
    event(1, 1, 0, "PREPROCESSED", "RUNNING", num_nodes=1),
    event(2, 1, 4, "RUNNING", "RUN_DONE"),
    event(3, 1, 5, "RUN_DONE", "JOB_FINISHED"),
    event(4, 2, 1, "PREPROCESSED", "RUNNING", num_nodes=1),
    event(5, 2, 8, "RUNNING", "RUN_DONE"),
    event(6, 2, 9, "RUN_DONE", "JOB_FINISHED"),
]
WARNED = """\
title: Warned
source:
  files: {events: events.json, jobs: jobs.json, batch_jobs: batchjobs.json}
queries:
  events: {tagged: {tags: {experiment: x}}, every: {}}
  batch_jobs: {all: {}}
charts:
  - {id: done, type: throughput, events: tagged, formats: []}
"""


def warned(project: Path, jobs: list[dict[str, object]], spec: str = WARNED) -> None:
    """Two jobs' events, the `jobs` listed, one batch job of 2 nodes for minutes 0-10."""
    (project / "events.json").write_text(json.dumps(TWO_JOBS))
    (project / "jobs.json").write_text(json.dumps(jobs))
    (project / "batchjobs.json").write_text(json.dumps([batch_job(1, 2, 0, 10)]))
    (project / "warned.yaml").write_text(spec)


def test_events_of_jobs_missing_from_the_jobs_file_are_named_on_stderr(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Job 2 (events 4, 5 and 6) is not in the jobs file: its 3 events cannot match `tagged`."""
    warned(project, [job(1, experiment="x")])
    code, stderr = cli(capsys, "build", "warned.yaml", "--out", "site")
    assert (code, warnings_of(stderr)) == (
        0,
        [
            "warning: warned: 3 events belong to 1 job(s) missing from the jobs file (job ids 2): "
            "the queries that filter by job (tagged) cannot match them."
        ],
    )
    assert (
        "missing from the jobs file (job ids 2)" in (project / "site/warned/index.html").read_text()
    )


@pytest.mark.parametrize(
    ("spec", "args", "origin"),
    [
        (WARNED + "as_of: 9999-12-31T00:00:00Z\n", [], "set in the spec (as_of)"),
        (WARNED, ["--as-of", "9999-12-31T00:00:00Z"], "given on the command line (--as-of)"),
    ],
    ids=["spec", "flag"],
)
def test_an_as_of_far_after_every_record_is_a_warning_on_stderr(
    project: Path, capsys: pytest.CaptureFixture[str], spec: str, args: list[str], origin: str
) -> None:
    """The latest record is the batch job's end, 08:10 on 2024-03-01."""
    warned(project, [job(1, experiment="x"), job(2, experiment="x")], spec)
    days = (datetime(9999, 12, 31) - datetime(2024, 3, 1, 8, 10)).total_seconds() / 86_400
    code, stderr = cli(capsys, "build", "warned.yaml", "--out", "site", *args)
    assert (code, warnings_of(stderr)) == (
        0,
        [
            f"warning: warned: The as-of time 9999-12-31T00:00:00.000000Z is {days:,.1f} days "
            "after the latest record (2024-03-01T08:10:00.000000Z), longer than the records "
            "span: jobs still running and batch jobs without an end are counted up to it (the "
            f"as-of time was {origin})."
        ],
    )
