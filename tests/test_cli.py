"""The command line: exit codes, messages without tracebacks, help for every option."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.cli import main
from tests.conftest import ROOT


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env=env,
    )


def test_validate_the_demo() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2 spec(s) valid\n"  # the demo and the scaling study


def test_a_spec_typo_exits_1_naming_file_line_and_key(tmp_path: Path) -> None:
    spec = tmp_path / "run42.yaml"
    text = (ROOT / "report_specs/demo.yaml").read_text()
    text = text.replace("type: throughput, events: demo,", "type: thruput, events: demo,")
    spec.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "thruput" in row)
    result = run("validate", str(spec), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: run42.yaml:{line}: charts[0].type: expected one of throughput, utilization, "
        "available_nodes, states, durations, node_hours, failures, jobs_table, allocations, "
        "scaling; "
        "got 'thruput'\n"
    )
    assert "Traceback" not in result.stderr
    built = run("build", str(spec), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert built.returncode == 1 and "charts[0].type" in built.stderr
    assert not (tmp_path / "out").exists()


def test_bad_usage_exits_2() -> None:
    assert run("build", "--as-of", "yesterday").returncode == 2
    assert run("frobnicate").returncode == 2
    assert run().returncode == 2


@pytest.mark.parametrize("command", [[], ["build"], ["validate"]])
def test_help_explains_every_option(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0
    for option in {
        (): ["build", "validate", "--version"],
        ("build",): [
            "--out",
            "--as-of",
            "--strict",
            "--templates",
            "--cache-dir",
            "--no-cache",
            "--refresh",
            "--quiet",
        ],
        ("validate",): ["--strict"],
    }[tuple(command)]:
        assert option in result.stdout


def test_missing_data_file_is_a_clear_error(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "title: t\nsource: {files: {events: nowhere.json}}\n"
        "queries: {events: {all: {}}}\ncharts: [{id: t, type: throughput, "
        "events: all}]\n"
    )
    result = run("build", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        f"error: {tmp_path / 'nowhere.json'}: events file not found (source.files in the spec)"
    )


def test_no_specs_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 1
    assert "no specs given and none found in report_specs/*.yaml" in capsys.readouterr().err


def test_build_with_as_of_and_quiet(tmp_path: Path) -> None:
    result = run(
        "build",
        "report_specs/demo.yaml",
        "--out",
        str(tmp_path / "site"),
        "--as-of",
        "2024-03-01T12:00:00Z",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    page = (tmp_path / "site" / "demo" / "index.html").read_text()
    assert "2024-03-01T12:00:00.000000Z" in page and "--as-of" in page


def test_cache_info_and_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    demo = str(ROOT / "report_specs" / "demo.yaml")
    assert main(["build", demo, "--out", str(tmp_path / "site"), "--cache-dir", str(cache)]) == 0
    files = [p for p in cache.rglob("*") if p.is_file()]
    capsys.readouterr()
    assert main(["cache", "info", "--cache-dir", str(cache)]) == 0
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    assert capsys.readouterr().out == (
        f"{cache}: {len(files)} file(s), {megabytes:.1f} MB; live records of 0 query(ies), "
        "0.0 MB\n1 build cache(s)\n"
    )
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    assert main(["cache", "clear", "--cache-dir", str(mine)]) == 1
    assert capsys.readouterr().err == (
        f"error: {mine} is not a reportgen build cache (no digests.npz)\n"
    )
    assert (mine / "notes.txt").read_text() == "keep"
    assert main(["cache", "clear", "--cache-dir", str(cache)]) == 0
    assert capsys.readouterr().out == "removed 1 build cache(s)\n"
    assert not cache.exists()
