"""The queries a chart reads: the ones it names (`Reference`), or, in a report with `runs:`,
the ones it is given when it names none.

A report with `runs:` and `queries:`: a chart that leaves out a query key its kind requires
reads the report's only query of that table (several: it must name one). A report with
`runs:` and no `queries:`: each run's queries are implied, `run`, every event of the jobs
having the run's tags and every batch job whose filter_tags have them (`IMPLIED`); every
query key of every chart is the run's, and a chart naming a query is an error saying what
to write instead. A report without `runs:` is as before: charts name their queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from reportgen.spec.containers import Key
from reportgen.spec.context import INVALID, Context, scalar
from reportgen.spec.document import child

IMPLIED = "run"
"""The name of a run's implied event and batch-job query (the page's queries table shows it)."""


@dataclass(frozen=True)
class Reference:
    """The name of a query defined elsewhere in the spec (`ctx.names[kind]`)."""

    kind: str
    label: str

    @property
    def expected(self) -> str:
        return f"the name of one of the {self.label}"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = scalar(node, path, ctx, self.expected)
        if value is INVALID:
            return value
        if ctx.implied:
            return named_in_implied(node, path, value, ctx)
        names = ctx.names.get(self.kind, ())
        if value not in names:
            defined = ", ".join(names) if names else f"none defined under queries.{self.kind}"
            return ctx.error(node, path, f"one of the {self.label} ({defined})", value)
        return value


def implied_names(root: yaml.Node) -> dict[str, tuple[str, ...]] | None:
    """The implied queries' names by table, for a spec with `runs:` and no `queries:` (None
    otherwise): always the events; the batch jobs when the report's source has them (a
    files source listing `batch_jobs`, or a Balsam server)."""
    if child(root, "runs") is None or child(root, "queries") is not None:
        return None
    source = child(root, "source")
    files = child(source, "files")
    with_batch_jobs = child(source, "balsam") is not None or child(files, "batch_jobs") is not None
    return {"events": (IMPLIED,), "batch_jobs": (IMPLIED,) if with_batch_jobs else ()}


def fill_queries(
    keys: Mapping[str, Key], chart: dict[str, Any], node: yaml.Node, path: str, ctx: Context
) -> None:
    """Fill in the query keys `chart` (a chart's checked values) leaves out, by the rule
    above; `keys` are its kind's own. Also checks the chart's `runs:`."""
    if "__node__runs" in chart and not ctx.runs:
        ctx.problem(
            chart["__node__runs"],
            f"{path}.runs",
            "needs runs: in the report (a report of one run has no runs to choose from)",
        )
    if not ctx.runs:
        return
    for name, key in keys.items():
        if not isinstance(key.check, Reference) or f"__node__{name}" in chart:
            continue
        names = ctx.names.get(key.check.kind, ())
        if len(names) == 1 and (key.required or ctx.implied):
            chart[name] = names[0]
        elif len(names) > 1 and key.required:
            ctx.problem(
                node,
                f"{path}.{name}",
                f"missing: the report has several {key.check.label} ({', '.join(names)}); "
                f"name the one this chart reads",
            )
            chart[name] = INVALID


def named_in_implied(node: yaml.Node, path: str, value: object, ctx: Context) -> Any:
    """A query named where the runs imply them (`Reference`'s error in that case)."""
    key = path.rsplit(".", 1)[-1]
    return ctx.problem(
        node,
        path,
        f"names the query {value!r}, but this report has runs: and no queries:, so each "
        f"run's queries are its tags (the jobs having them and their batch jobs): remove "
        f"{key}: {value}, or define the queries under queries:",
    )
