"""Every chart's Vega-Lite spec is valid against the schema Altair ships.

The charts call Altair's `to_dict(validate=False)`: validating each spec in every build is
jsonschema walking the whole chart (about 5% of a 10^6-event build of every kind, profiled),
and whether a spec is valid is decided by our code, not by the data. This test keeps that
check: each spec of the demo site (which uses every kind) as the page embeds it, and as the
image files draw it with and without a `figure:` preset.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import replace
from typing import Any

import altair as alt
import jsonschema  # type: ignore[import-untyped]  # (no stubs installed; Altair brings it)
import pytest

from reportgen.build import BuildResult
from reportgen.charts.figure import print_spec
from reportgen.spec.model import DEFAULT_FIGURE

SPEC_SCRIPT = re.compile(
    r'<script type="application/json" id="spec-([^"]+)">(.*?)</script>', re.DOTALL
)
KINDS_IN_DEMO = 9


def page_specs(demo_site: BuildResult) -> dict[str, dict[str, Any]]:
    page = (demo_site.out_dir / "demo" / "index.html").read_text(encoding="utf-8")
    found = {name: json.loads(text) for name, text in SPEC_SCRIPT.findall(page)}
    return found


@functools.cache
def validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(alt.vegalite.v6.schema.core.load_schema())


def errors_of(spec: dict[str, Any]) -> list[str]:
    found = validator().iter_errors(with_few_rows(spec))
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in found]


def with_few_rows(value: Any) -> Any:
    """The spec with each inline dataset cut to its first rows: the schema takes any row
    object, and checking 10^5 of them takes seconds per chart."""
    if isinstance(value, dict):
        out = {k: with_few_rows(v) for k, v in value.items()}
        if isinstance(value.get("datasets"), dict):
            out["datasets"] = {k: v[:ROWS] for k, v in value["datasets"].items()}
        if isinstance(value.get("values"), list):
            out["values"] = value["values"][:ROWS]
        return out
    if isinstance(value, list):
        return [with_few_rows(v) for v in value]
    return value


ROWS = 5


def test_the_demo_has_a_spec_per_chart(demo_site: BuildResult) -> None:
    assert len(page_specs(demo_site)) >= KINDS_IN_DEMO


@pytest.mark.parametrize(
    "figure", [DEFAULT_FIGURE, replace(DEFAULT_FIGURE, preset="column", width_in=3.42)]
)
def test_every_chart_spec_is_valid_vega_lite(demo_site: BuildResult, figure: Any) -> None:
    invalid = {}
    for name, spec in page_specs(demo_site).items():
        for where, drawn in (("page", spec), ("image", print_spec(spec, figure, 1.0))):
            errors = errors_of(drawn)
            if errors:
                invalid[f"{name} ({where})"] = errors[:3]
    assert invalid == {}


def test_the_check_finds_an_invalid_spec() -> None:
    assert errors_of({"mark": "nonsense", "data": {"values": []}}) != []
