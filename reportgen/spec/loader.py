"""Load a report spec: YAML nodes -> schema checks -> checks across keys -> frozen model.

Each step has its module: `document` (the file as YAML nodes), `schema` (the checks as
data), `chartchecks`, `figure`, `sourcechecks`, `runs`, `comparison` (checks across keys)
and `builder` (the frozen `Report`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from reportgen.errors import SpecError
from reportgen.spec.builder import build_report
from reportgen.spec.chartchecks import check_charts
from reportgen.spec.chartqueries import implied_names
from reportgen.spec.comparison import check_baseline
from reportgen.spec.context import INVALID, Context, shown
from reportgen.spec.document import check_stem, child, compose, display_path
from reportgen.spec.figure import check_figures
from reportgen.spec.model import Report
from reportgen.spec.runs import check_runs
from reportgen.spec.schema import BATCH_JOB_QUERY, EVENT_QUERY, REPORT
from reportgen.spec.sourcechecks import check_one_source, check_source_covers_queries


def load_reports(paths: list[Path], strict: bool = False) -> list[Report]:
    """Load every spec, reporting the problems of all of them at once."""
    reports: list[Report] = []
    problems: list[str] = []
    for path in paths:
        try:
            reports.append(load_report(path, strict))
        except SpecError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SpecError(problems)
    slugs = [r.slug for r in reports]
    duplicated = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicated:
        raise SpecError(
            [
                f"two specs share the file name {s!r}: a report's page is named by it"
                for s in duplicated
            ]
        )
    return reports


def load_report(path: Path, strict: bool = False) -> Report:
    """Read and validate one spec; raise SpecError listing every problem."""
    shown_path = display_path(path)
    check_stem(path.stem, shown_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([f"{shown_path}: cannot read the spec: {exc}"]) from exc
    root = compose(text, shown_path)
    ctx = Context(shown_path, strict)
    ctx.names = _query_names(root)
    implied = implied_names(root)
    ctx.runs = child(root, "runs") is not None
    if implied is not None:
        ctx.names, ctx.implied = implied, True
    raw = REPORT(root, "", ctx)
    if raw is not INVALID:
        if implied is not None:
            raw["queries"] = _implied_queries(implied, ctx)
        check_charts(raw, ctx)
        check_figures(raw, ctx)
        check_one_source(raw["source"], "source", ctx)
        check_source_covers_queries(raw["source"], raw["queries"], "source", ctx)
        check_runs(raw, ctx)
        check_baseline(raw, ctx)
    if ctx.errors:
        raise SpecError(sorted(ctx.errors, key=lambda m: _line_of(m, shown_path)))
    return build_report(path, raw, text, ctx)


def _line_of(message: str, shown_path: str) -> int:
    line = message[len(shown_path) + 1 :].split(":", 1)[0]
    return int(line) if line.isdigit() else 0


def _query_names(root: yaml.Node) -> dict[str, tuple[str, ...]]:
    """Names of the defined queries, read first so charts can refer to them in any order."""
    names: dict[str, tuple[str, ...]] = {"events": (), "batch_jobs": ()}
    queries = child(root, "queries")
    for kind in names:
        group = child(queries, kind) if queries is not None else None
        if isinstance(group, yaml.MappingNode):
            names[kind] = tuple(str(shown(k)) for k, _ in group.value)
    return names


def _implied_queries(names: dict[str, tuple[str, ...]], ctx: Context) -> dict[str, Any]:
    """The checked values of a run's implied queries (no filter of their own: the run's tags
    narrow them), as if the spec had written them."""
    empty = yaml.compose("{}")
    assert empty is not None
    checks = {"events": EVENT_QUERY, "batch_jobs": BATCH_JOB_QUERY}
    return {
        group: {name: checks[group](empty, f"queries.{group}.{name}", ctx) for name in names[group]}
        for group in checks
    }
