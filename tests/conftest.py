"""Shared fixtures: the demo site is built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.build import BuildResult, build_site

ROOT = Path(__file__).resolve().parent.parent
DEMO_SPEC = ROOT / "report_specs" / "demo.yaml"


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("demo") / "site"
    return build_site([DEMO_SPEC], out)
