"""Docs that could drift: the README's two commands are the ones CI and the Makefile run."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", quick_start, re.S)]


def test_the_readme_has_exactly_two_setup_commands() -> None:
    commands = readme_commands()
    assert commands == [
        "python3 -m pip install . && python3 -m reportgen build",
        "bash scripts/test.sh",
    ]


def test_ci_runs_the_readmes_second_command() -> None:
    ci_lines = [
        line.strip()
        for line in (ROOT / ".ci/run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ci_lines[-1] == readme_commands()[1]


def test_the_makefile_targets_are_the_same_commands() -> None:
    makefile = (ROOT / "Makefile").read_text()
    demo, test = readme_commands()
    assert f"demo:\n\t{demo}\n" in makefile
    assert f"test:\n\t{test}\n" in makefile
