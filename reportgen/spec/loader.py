"""Load a report spec: YAML nodes -> schema checks -> frozen model objects."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from reportgen.errors import SpecError
from reportgen.spec.chartqueries import implied_names
from reportgen.spec.checks import INVALID, Context, shown
from reportgen.spec.comparison import check_baseline
from reportgen.spec.figure import check_figures, figure_options
from reportgen.spec.model import (
    BalsamSource,
    BatchJobQuery,
    Chart,
    EventQuery,
    Fetched,
    FetchedSet,
    FilesSource,
    Report,
    RunsByTag,
    RunSpec,
    Source,
    Summary,
    TimeAxis,
)
from reportgen.spec.runs import check_runs
from reportgen.spec.schema import BATCH_JOB_QUERY, EVENT_QUERY, REPORT, kinds_requiring_jobs


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
    shown_path = _display_path(path)
    _check_stem(path.stem, shown_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([f"{shown_path}: cannot read the spec: {exc}"]) from exc
    root = _compose(text, shown_path)
    ctx = Context(shown_path, strict)
    ctx.names = _query_names(root)
    implied = implied_names(root, _child)
    ctx.runs = _child(root, "runs") is not None
    if implied is not None:
        ctx.names, ctx.implied = implied, True
    raw = REPORT(root, "", ctx)
    if raw is not INVALID:
        if implied is not None:
            raw["queries"] = _implied_queries(implied, ctx)
        _check_charts(raw, ctx)
        check_figures(raw, ctx)
        check_one_source(raw["source"], "source", ctx)
        check_source_covers_queries(raw["source"], raw["queries"], "source", ctx)
        check_runs(raw, ctx, check_one_source, check_source_covers_queries)
        check_baseline(raw, ctx)
    if ctx.errors:
        raise SpecError(sorted(ctx.errors, key=lambda m: _line_of(m, shown_path)))
    return _build(path, raw, text, ctx)


SAFE_STEM = re.compile(r"[\w-][\w.-]*")
RESERVED_STEMS = {
    "assets": "the site's own assets/ folder",
    "index.html": "the site's own front page",
}


def _check_stem(stem: str, shown_path: str) -> None:
    """A report's folder in the site is named by its spec's file name: it must be a safe,
    visible folder name, and not one of the site's own files."""
    why = f"{shown_path}: a report's folder is named by its spec's file name, and {stem!r}"
    if stem.lower() in RESERVED_STEMS:
        raise SpecError([f"{why} is {RESERVED_STEMS[stem.lower()]}: rename the spec"])
    if not SAFE_STEM.fullmatch(stem):
        raise SpecError(
            [
                f"{why} is not a safe folder name: expected letters, digits, '_', '-' and "
                "'.', not starting with '.'; rename the spec"
            ]
        )


def _line_of(message: str, shown_path: str) -> int:
    line = message[len(shown_path) + 1 :].split(":", 1)[0]
    return int(line) if line.isdigit() else 0


def _display_path(path: Path) -> str:
    """The path as the user knows it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


MAX_DEPTH = 100
"""Nesting a spec may have (its schema needs about six levels). PyYAML composes nested
collections by recursion: about 500 levels exhaust Python's stack, a RecursionError."""


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing collections nested deeper than MAX_DEPTH before its
    recursion gets there."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.depth >= MAX_DEPTH:
            raise _TooDeep(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _compose(text: str, shown_path: str) -> yaml.Node:
    try:
        root = yaml.compose(text, Loader=_BoundedLoader)
    except _TooDeep as exc:
        raise SpecError(
            [
                f"{shown_path}:{exc.mark.line + 1}: YAML nested more than {MAX_DEPTH} levels "
                f"deep (column {exc.mark.column + 1}); a report spec needs about six"
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        column = f" (column {mark.column + 1})" if mark else ""
        raise SpecError([f"{shown_path}{line}: YAML syntax error{column}: {exc.problem}"]) from exc
    except yaml.YAMLError as exc:
        raise SpecError([f"{shown_path}: YAML error: {exc}"]) from exc
    if root is None:
        raise SpecError(
            [f"{shown_path}:1: expected a mapping (the report spec); got an empty file"]
        )
    return root


def _query_names(root: yaml.Node) -> dict[str, tuple[str, ...]]:
    """Names of the defined queries, read first so charts can refer to them in any order."""
    names: dict[str, tuple[str, ...]] = {"events": (), "batch_jobs": ()}
    queries = _child(root, "queries")
    for kind in names:
        group = _child(queries, kind) if queries is not None else None
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


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found: yaml.Node = value_node
            return found
    return None


def _check_charts(raw: dict[str, Any], ctx: Context) -> None:
    from reportgen.kinds import KINDS  # the kinds import the spec's checks

    charts = raw["charts"]
    if charts is INVALID:
        return
    seen: set[str] = set()
    source = raw["source"]
    files = None if source is INVALID or source["balsam"] is not None else source["files"]
    without_jobs = files not in (None, INVALID) and files["jobs"] is None
    for index, chart in enumerate(charts):
        if chart is INVALID:
            continue
        path = f"charts[{index}]"
        if without_jobs and chart["type"] in kinds_requiring_jobs():
            ctx.problem(
                chart["__node__type"],
                f"{path}.type",
                f"a {chart['type']} chart needs source.files.jobs (the job records); add it",
            )
        kind = KINDS.get(chart["type"]) if isinstance(chart["type"], str) else None
        if kind is not None and kind.check_options is not None:
            kind.check_options(chart, path, ctx)
        if chart["id"] is not INVALID:
            if chart["id"] in seen:
                ctx.error(chart["__node__id"], f"{path}.id", "an id not used before", chart["id"])
            seen.add(chart["id"])


def check_source_covers_queries(
    source: Any,
    queries: Any,
    where: str,
    ctx: Context,
    run_tags: bool = False,
    queries_at: str = "queries",
) -> None:
    """Saved files must include what the queries need: an empty chart must never be silent.
    `where` is the source's key path and `queries_at` the queries'; `run_tags` says a run
    adds tags to every event query."""
    if source is INVALID or queries is INVALID or queries is None:
        return
    files = source["files"]
    if files is None or files is INVALID or source["balsam"] is not None:
        return
    events = queries["events"] if queries["events"] is not INVALID else {}
    batch_jobs = queries["batch_jobs"] if queries["batch_jobs"] is not INVALID else {}
    files_node = source["__node__files"]
    for name, query in events.items():
        if query is INVALID:
            continue
        for key, needs in (
            ("tags", "jobs"),
            ("batch_job_id", "jobs"),
            ("scheduler_id", "jobs"),
            ("scheduler_id", "batch_jobs"),
        ):
            if query[key] not in (None, ()) and files[needs] is None:
                ctx.problem(
                    query[f"__node__{key}"],
                    f"{queries_at}.events.{name}.{key}",
                    f"needs {where}.files.{needs} (events carry no {key}); add it",
                )
        if run_tags and files["jobs"] is None and query["tags"] in (None, ()):
            ctx.problem(
                files_node,
                f"{where}.files.jobs",
                f"missing (the run's tags narrow {queries_at}.events.{name} by job)",
            )
        if files["events"] is None:
            ctx.problem(
                files_node,
                f"{where}.files.events",
                f"missing ({queries_at}.events.{name} needs it)",
            )
            break
    if batch_jobs and files["batch_jobs"] is None:
        ctx.problem(
            files_node,
            f"{where}.files.batch_jobs",
            f"missing ({queries_at}.batch_jobs.{next(iter(batch_jobs))} needs it)",
        )


def check_one_source(source: Any, where: str, ctx: Context) -> None:
    if source is INVALID:
        return
    given = [k for k in ("files", "balsam") if source[k] is not None]
    if len(given) != 1:
        ctx.problem(
            source["__node__"],
            where,
            "expected exactly one of files or balsam; got "
            + (" and ".join(given) if given else "neither"),
        )


def _source(folder: Path, raw: dict[str, Any]) -> Source:
    files, balsam = raw["files"], raw["balsam"]
    if files is not None:
        return FilesSource(
            **{
                k: (folder / files[k]).resolve() if files[k] else None
                for k in ("events", "jobs", "batch_jobs")
            },
            fetched=_fetched(files["fetched"]) if files["fetched"] else None,
        )
    config = balsam["client_config"]
    return BalsamSource(
        api_root=balsam["api_root"],
        client_config=(folder / config).resolve() if config else None,
        page_size=balsam["page_size"],
        snapshots=balsam["snapshots"],
        retry_backoff_s=balsam["retry_backoff_s"],
        parallel=balsam["parallel"],
        lag_s=balsam["lag_s"],
    )


def _fetched(raw: dict[str, Any]) -> Fetched:
    """A snapshot's record of its live fetch (see `source/snapshot.py`)."""
    sets = tuple(
        FetchedSet(s["kind"], s["query"], s["path"], s["params"], s["records"])
        for s in raw["record_sets"]
    )
    return Fetched(
        raw["api_root"],
        raw["server_version"],
        raw["server_version_origin"],
        raw["started"],
        raw["ended"],
        sets,
    )


def _build(path: Path, raw: dict[str, Any], text: str, ctx: Context) -> Report:
    source = _source(path.parent, raw["source"])
    event_queries, batch_queries = _queries(raw["queries"])
    # as text in a chart's options: they are written to the manifest and key the cache
    fractions = tuple(str(f) for f in raw["steady_state"])
    compared = {"steady_state": fractions, "baseline": raw["baseline"]}
    charts = tuple(_chart(c, raw["figure"], compared) for c in raw["charts"])
    baseline_node = raw.get("__node__baseline")
    summary_raw = raw["summary"] or {"events": None, "batch_jobs": None}
    summary = Summary(
        events=summary_raw["events"] or next(iter(event_queries), None),
        batch_jobs=summary_raw["batch_jobs"] or next(iter(batch_queries), None),
    )
    axis = raw["time_axis"]
    time_axis = TimeAxis(axis) if axis in ("elapsed_minutes", "utc") else TimeAxis("zone", axis)
    return Report(
        path=path,
        slug=path.stem,
        title=raw["title"],
        description=raw["description"],
        source=source,
        as_of=raw["as_of"],
        time_axis=time_axis,
        event_queries=event_queries,
        batch_job_queries=batch_queries,
        charts=charts,
        summary=summary,
        spec_text=text,
        warnings=tuple(ctx.warnings),
        runs=_runs(path.parent, raw["runs"]),
        baseline=raw["baseline"],
        baseline_where="" if baseline_node is None else ctx.where(baseline_node),
        steady_state=raw["steady_state"],
        group=raw["group"],
    )


def _queries(
    raw: dict[str, Any] | None,
) -> tuple[dict[str, EventQuery], dict[str, BatchJobQuery]]:
    """The checked `queries:` of a report or a run, by name."""
    queries = raw or {"events": {}, "batch_jobs": {}}
    return (
        {n: EventQuery(name=n, **_plain(q)) for n, q in queries["events"].items()},
        {n: BatchJobQuery(name=n, **_plain(q)) for n, q in queries["batch_jobs"].items()},
    )


def _runs(folder: Path, raw: dict[str, Any] | None) -> tuple[RunSpec, ...] | RunsByTag:
    if raw is None:
        return ()
    if "by_tag" in raw:
        return RunsByTag(raw["by_tag"], raw["tags"])
    runs = []
    for name, run in raw.items():
        event_queries, batch_queries = _queries(run["queries"])
        runs.append(
            RunSpec(
                name=name,
                tags=run["tags"],
                source=None if run["source"] is None else _source(folder, run["source"]),
                as_of=run["as_of"],
                event_queries=event_queries,
                batch_job_queries=batch_queries,
            )
        )
    return tuple(runs)


def _plain(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if not k.startswith("__node__")}


def _chart(raw: dict[str, Any], figure: dict[str, Any] | None, compared: dict[str, Any]) -> Chart:
    from reportgen.kinds import KINDS  # the kinds import the spec's checks

    values = _plain(raw)
    kind = KINDS[values["type"]]
    return Chart(
        id=values["id"],
        type=kind.name,
        title=values["title"] or kind.title,
        width=values["width"],
        height=values["height"],
        formats=tuple(dict.fromkeys(values["formats"])),
        options=kind.make_options(
            **{name: values[name] for name in kind.options},
            **{name: compared[name] for name in kind.report_keys},
        ),
        figure=figure_options(figure, values["figure"]),
    )
