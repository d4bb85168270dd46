"""Network faults between reportgen and a real Balsam server: retried to the same result, or a
clear error; never a silently short series, and a failed build keeps the previous site."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportgen.build import build_site
from reportgen.errors import SourceError
from tests.balsam_site import Server, running_server
from tests.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.live

SPEC = """\
title: Faults
as_of: 2024-03-01T18:00:00Z
source:
  balsam: {{client_config: {client}, page_size: {page_size}, retry_backoff_s: 0}}
queries:
  events:
    all: {{tags: {{experiment: gamma}}}}
  batch_jobs:
    all: {{filter_tags: {{experiment: gamma}}}}
charts:
  - {{id: done, type: throughput, events: all, formats: [svg]}}
  - {{id: used, type: utilization, events: all, available_nodes: all, formats: [svg]}}
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server([("gamma", 5, 800)]) as live:
        yield live


def spec_for(
    server: Server, folder: Path, api_root: str, page_size: int = 100_000, read_timeout: float = 30
) -> Path:
    client = server.client_yml(
        folder / "client.yml", api_root=api_root, retry_count=4, read_timeout=read_timeout
    )
    spec = folder / "faults.yaml"
    spec.write_text(SPEC.format(client=client, page_size=page_size))
    return spec


def csvs(site: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((site / "faults").glob("*.csv"))}


@pytest.fixture(scope="module")
def expected(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("direct")
    build_site([spec_for(server, folder, server.api_root)], folder / "site")
    result = csvs(folder / "site")
    assert len(result["done.csv"].splitlines()) > 50
    return result


RECOVERABLE = [
    ("dropped connections", [Fault("drop", "/events/"), Fault("drop", "/events/")], 100_000),
    ("503 burst with Retry-After", [Fault("status", "/events/", 503, "0")] * 3, 100_000),
    (
        "502, 504 and 429",
        [
            Fault("status", "/batch-jobs/", 502),
            Fault("status", "/jobs/", 504),
            Fault("status", "/events/", 429, "0"),
        ],
        100_000,
    ),
    ("slow past the read timeout", [Fault("slow", "/events/", delay_s=3.0)], 100_000),
    ("truncated body", [Fault("truncate", "/events/")], 100_000),
    ("a page whose rows shift", [Fault("shift", "limit=150&offset=0")], 150),
]


@pytest.mark.parametrize(
    ("faults", "page_size"),
    [(f, p) for _, f, p in RECOVERABLE],
    ids=[name for name, _, _ in RECOVERABLE],
)
def test_a_fault_is_retried_to_the_same_result(
    server: Server, expected: dict[str, bytes], tmp_path: Path, faults: list[Fault], page_size: int
) -> None:
    proxy = FaultProxy(server.api_root)
    proxy.plan = [Fault(f.kind, f.path, f.status, f.retry_after, f.delay_s) for f in faults]
    with proxy.running():
        spec = spec_for(server, tmp_path, proxy.url, page_size, read_timeout=1.5)
        result = build_site([spec], tmp_path / "site")
    assert proxy.plan == [] and len(proxy.applied) == len(faults)
    assert csvs(tmp_path / "site") == expected
    notes = (tmp_path / "site" / "faults" / "index.html").read_text()
    if faults[0].kind == "shift":
        assert "read again" in notes
    else:
        assert f"{len(faults)} retried" in notes
    assert result.reports[0].charts


def digest(site: Path) -> dict[str, str]:
    return {
        str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in site.rglob("*")
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        ([Fault("status", "/events/", 500)], "/events/ answered HTTP 500: 'injected 500'"),
        (
            [Fault("status", "/events/", 503)] * 5,
            "/events/: HTTP 503 (gave up after 5 tries). The server or the network is struggling",
        ),
        ([Fault("status", "/batch-jobs/", 404)], "/batch-jobs/ answered HTTP 404"),
    ],
    ids=["500 is not retried", "503 beyond the retry count", "404 is not retried"],
)
def test_an_unrecoverable_fault_is_a_clear_error_and_keeps_the_old_site(
    server: Server, expected: dict[str, bytes], tmp_path: Path, faults: list[Fault], message: str
) -> None:
    site = tmp_path / "site"
    build_site([spec_for(server, tmp_path, server.api_root)], site)
    before = digest(site)
    proxy = FaultProxy(server.api_root)
    proxy.plan = list(faults)
    with proxy.running():
        spec = spec_for(server, tmp_path, proxy.url)
        with pytest.raises(SourceError) as caught:
            build_site([spec], site)
    assert message in str(caught.value)
    assert server.token not in str(caught.value)
    assert len(proxy.applied) == len(faults)  # not retried past what the plan allowed
    assert digest(site) == before
