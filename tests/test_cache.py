"""Rebuilds reuse the images of unchanged charts from the previous site."""

from __future__ import annotations

import hashlib
from pathlib import Path

from reportgen.build import build_site
from tests.conftest import ROOT

SPEC = f"""\
title: Cached
description: first words
source:
  files: {{events: {ROOT}/report_specs/data/events.json.gz,
          batch_jobs: {ROOT}/report_specs/data/batchjobs.json.gz}}
queries:
  events: {{all: {{}}}}
  batch_jobs: {{all: {{}}}}
charts:
  - {{id: done, type: throughput, events: all, formats: [svg, png]}}
  - {{id: nodes, type: available_nodes, batch_jobs: all, formats: [svg, png], title: Nodes}}
"""


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


def test_a_text_edit_reuses_every_image_and_a_chart_edit_only_its_own(tmp_path: Path) -> None:
    spec = tmp_path / "cached.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "site"
    first = build_site([spec], out)
    assert (first.images_rendered, first.images_reused) == (4, 0)
    before = digest(out / "cached")

    bundle = (out / "assets" / "vega-bundle.js").read_bytes()
    spec.write_text(SPEC.replace("first words", "second thoughts"))
    second = build_site([spec], out)
    assert (out / "assets" / "vega-bundle.js").read_bytes() == bundle  # copied, not rebuilt
    assert (second.images_rendered, second.images_reused) == (0, 4)
    after = digest(out / "cached")
    assert {k: v for k, v in after.items() if k != "index.html"} == {
        k: v for k, v in before.items() if k != "index.html"
    }
    assert "second thoughts" in (out / "cached" / "index.html").read_text()

    spec.write_text(SPEC.replace("title: Nodes", "title: Nodes held"))
    third = build_site([spec], out)
    assert (third.images_rendered, third.images_reused) == (2, 2)
    changed = digest(out / "cached")
    assert changed["done.svg"] == before["done.svg"]
    assert changed["nodes.svg"] != before["nodes.svg"]
    assert "Nodes held" in (out / "cached" / "nodes.svg").read_text()


def test_a_tampered_manifest_only_costs_a_render(tmp_path: Path) -> None:
    spec = tmp_path / "cached.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "site"
    build_site([spec], out)
    (out / "cached" / ".render-hashes.json").write_text("not json")
    again = build_site([spec], out)
    assert (again.images_rendered, again.images_reused) == (4, 0)
