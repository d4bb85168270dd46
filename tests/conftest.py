"""Shared fixtures: the demo site is built once per test session."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import BuildResult, build_site

ROOT = Path(__file__).resolve().parent.parent
DEMO_SPEC = ROOT / "report_specs" / "demo.yaml"


def demo_records(name: str) -> list[dict[str, Any]]:
    """The records of a bundled demo file (one gzipped API page), read with the standard
    library only: an independent view of what reportgen parses."""
    page = json.loads(gzip.decompress((ROOT / "report_specs" / "data" / name).read_bytes()))
    return list(page["results"])


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A user cache folder of the tests' own (subprocesses inherit it), never the home's."""
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("demo") / "site"
    return build_site([DEMO_SPEC], out)
