"""Comparing runs: the report's `steady_state` (fractions of each run's completions, kept as
exact decimals) and `baseline` (the run the others are compared with), and their checks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from reportgen.errors import SpecError
from reportgen.spec.containers import Fields, Key
from reportgen.spec.context import INVALID, Context, scalar_value, shown
from reportgen.spec.model import RunSpec

FRACTION = "a number from 0 to 1"


@dataclass(frozen=True)
class DecimalFraction:
    """A number from 0 to 1, as the exact decimal written (`0.1` is one tenth, not the float
    nearest it)."""

    expected: str = FRACTION

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return ctx.error(node, path, self.expected, shown(node))
        try:
            value = scalar_value(node)
        except yaml.YAMLError:
            return ctx.error(node, path, self.expected, node.value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return ctx.error(node, path, self.expected, value)
        try:
            exact = Decimal(str(node.value).replace("_", ""))
        except InvalidOperation:
            exact = Decimal(str(value))
        if not exact.is_finite() or not Decimal(0) <= exact <= Decimal(1):
            return ctx.error(node, path, self.expected, value)
        return exact


@dataclass(frozen=True)
class SteadyStateCheck(Fields):
    """`{from, to}` with 0 <= from < to <= 1; returns the pair of decimals."""

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        raw = super().__call__(node, path, ctx)
        if raw is INVALID or raw["from"] is INVALID or raw["to"] is INVALID:
            return INVALID
        if not raw["from"] < raw["to"]:
            return ctx.problem(
                node,
                path,
                f"expected from < to (0 <= from < to <= 1); got from {raw['from']}, to {raw['to']}",
            )
        return (raw["from"], raw["to"])


STEADY_STATE = SteadyStateCheck(
    {
        "from": Key(
            DecimalFraction(),
            "The steady state starts at this fraction of the run's completions.",
        ),
        "to": Key(DecimalFraction(), "It ends at this fraction of them."),
    },
    "a mapping with the keys from and to",
)
WHOLE_RUN = (Decimal(0), Decimal(1))
"""No `steady_state:`: from the first completion to the last."""


def check_baseline(raw: dict[str, Any], ctx: Context) -> None:
    """A baseline names one of the named runs (by_tag's are checked once found)."""
    baseline, runs = raw["baseline"], raw["runs"]
    if baseline is None or baseline is INVALID or runs is INVALID:
        return
    node = raw["__node__baseline"]
    if runs is None:
        ctx.problem(node, "baseline", "needs runs: (a report of one run has nothing to compare)")
    elif "by_tag" not in runs and baseline not in runs:
        ctx.error(node, "baseline", f"one of the runs {', '.join(runs)}", baseline)


def check_found_baseline(where: str, baseline: str | None, runs: list[RunSpec]) -> None:
    """The baseline against the runs `by_tag` found in the data (`where`: its file:line)."""
    names = [run.name for run in runs]
    if baseline is not None and baseline not in names:
        raise SpecError(
            [
                f"{where}: baseline: expected one of the runs {', '.join(names)} "
                f"(found by runs.by_tag); got {baseline!r}"
            ]
        )
