"""Checks of reportgen's own values: Balsam's key:value filters, times, time axes, stages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from reportgen.spec.containers import Fields, Key
from reportgen.spec.context import INVALID, Context, scalar, scalar_value, shown
from reportgen.spec.scalars import Choice, Text
from reportgen.spec.times import IN_RANGE, TimeOutOfRange, parse_time


@dataclass(frozen=True)
class KeyValues:
    """Balsam's `key:value` filters (tags, data) as a mapping of strings.

    Balsam sends each pair as `key:value` and splits at the first colon, so a key with a colon,
    an empty key, or a key given twice could not mean what it says: these are errors here.
    Integers are accepted as strings (`scale_nodes: 512` means "512").
    """

    expected: str = "a mapping of string keys to string values"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return ctx.error(node, path, self.expected, shown(node))
        pairs: dict[str, str] = {}
        ok = True
        for key_node, value_node in node.value:
            key = shown(key_node)
            key_path = f"{path}.{key}"
            if not isinstance(key, str) or not key or ":" in key:
                ctx.error(key_node, key_path, "a non-empty key without ':'", key)
                ok = False
                continue
            if key in pairs:
                ctx.problem(key_node, key_path, "duplicate key (Balsam cannot OR two values)")
                ok = False
                continue
            value = _scalar_or_none(value_node)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                ctx.error(value_node, key_path, "a string value (quote it)", shown(value_node))
                ok = False
                continue
            pairs[key] = value
        return tuple(sorted(pairs.items())) if ok else INVALID


def _scalar_or_none(node: yaml.Node) -> object:
    """A scalar's value; None for a collection or a scalar YAML cannot make (2024-13-01)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        return scalar_value(node)
    except yaml.YAMLError:
        return None


@dataclass(frozen=True)
class Timestamp:
    """An ISO 8601 time; naive means UTC, as in Balsam. Returns an aware UTC datetime."""

    expected: str = "an ISO 8601 time like 2024-03-01T18:00:00Z"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = scalar(node, path, ctx, self.expected)
        if value is INVALID:
            return value
        try:
            parsed = parse_time(value)
        except TimeOutOfRange:
            return ctx.error(node, path, IN_RANGE, value)
        return ctx.error(node, path, self.expected, value) if parsed is None else parsed


@dataclass(frozen=True)
class TimeAxisName:
    expected: str = "elapsed_minutes, utc or an IANA time zone like America/Chicago"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = scalar(node, path, ctx, self.expected)
        if value is INVALID:
            return value
        if value in ("elapsed_minutes", "utc"):
            return value
        if isinstance(value, str) and _is_zone(value):
            return value
        return ctx.error(node, path, self.expected, value)


def _is_zone(name: str) -> bool:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*", name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Stages:
    """A list of named stages from one state to another, `{name, from, to}`: names non-empty
    and unique, `from` and `to` two different `states`. Returns `(name, from, to)` tuples."""

    states: tuple[str, ...]
    expected: str = "a list of stages, each {name, from, to}"

    @property
    def item(self) -> Fields:
        state = Choice(self.states)
        return Fields(
            {
                "name": Key(
                    Text("a non-empty name", re.compile(r"(?s).*\S.*")),
                    "The stage's name in the CSVs, the legend and the table.",
                ),
                "from": Key(state, "The state it starts on entering."),
                "to": Key(state, "The state it ends on entering (a state other than `from`)."),
            },
            "a mapping with the keys name, from, to",
        )

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return ctx.error(node, path, self.expected, shown(node))
        if not node.value:
            return ctx.error(node, path, "at least one stage", [])
        stages: list[Any] = []
        seen: set[str] = set()
        for i, item in enumerate(node.value):
            stage = self._stage(item, f"{path}[{i}]", ctx, seen)
            stages.append(stage)
            if stage is not INVALID:
                seen.add(stage[0])
        return INVALID if INVALID in stages else tuple(stages)

    def _stage(self, node: yaml.Node, path: str, ctx: Context, seen: set[str]) -> Any:
        value = self.item(node, path, ctx)
        if value is INVALID or INVALID in (value["name"], value["from"], value["to"]):
            return INVALID
        name, start, end = value["name"], value["from"], value["to"]
        if name in seen:
            return ctx.error(
                value["__node__name"], f"{path}.name", "a name no other stage has", name
            )
        if start == end:
            expected = f"a state other than its from ({start})"
            return ctx.error(value["__node__to"], f"{path}.to", expected, end)
        return (name, start, end)
