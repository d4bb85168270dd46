"""Checks of mappings and lists: a fixed set of keys, a map of chosen names, lists of values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import yaml

from reportgen.spec.context import INVALID, Check, Context, shown
from reportgen.spec.scalars import Choice

REQUIRED: Final = object()
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Key:
    """One key of a mapping: its check, its documentation and its default."""

    check: Check
    doc: str
    default: Any = REQUIRED
    default_doc: str | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Fields:
    """A mapping with a fixed set of keys; returns a dict with defaults filled in."""

    keys: Mapping[str, Key]
    expected: str = "a mapping"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return ctx.error(node, path, self.expected, shown(node))
        result: dict[str, Any] = {"__node__": node}
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            name = shown(key_node)
            key_path = f"{path}.{name}" if path else str(name)
            if name in seen:
                ctx.problem(key_node, key_path, "duplicate key")
                continue
            seen[name] = value_node
            if name not in self.keys:
                ctx.unknown_key(key_node, key_path, list(self.keys))
                continue
            result[name] = self.keys[name].check(value_node, key_path, ctx)
            result[f"__node__{name}"] = value_node
        for name, key in self.keys.items():
            if name in seen:
                continue
            if key.required:
                key_path = f"{path}.{name}" if path else name
                ctx.problem(node, key_path, f"missing (expected {_describe(key)})")
                result[name] = INVALID
            else:
                result[name] = key.default
        return result


def _describe(key: Key) -> str:
    return getattr(key.check, "expected", "a value")


@dataclass(frozen=True)
class NamedMap:
    """A mapping from user-chosen names (query names) to values of one kind."""

    value: Check
    expected: str = "a mapping of names to queries"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return ctx.error(node, path, self.expected, shown(node))
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name = shown(key_node)
            key_path = f"{path}.{name}"
            if not isinstance(name, str) or not NAME_RE.fullmatch(name):
                ctx.error(key_node, key_path, "a name of letters, digits, '_' or '-'", name)
                continue
            if name in result:
                ctx.problem(key_node, key_path, "duplicate key")
                continue
            result[name] = self.value(value_node, key_path, ctx)
        return result


@dataclass(frozen=True)
class ListOf:
    item: Check
    expected: str = "a list"
    min_items: int = 0

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return ctx.error(node, path, self.expected, shown(node))
        if len(node.value) < self.min_items:
            return ctx.error(node, path, f"at least {self.min_items} item(s)", [])
        return [self.item(item, f"{path}[{i}]", ctx) for i, item in enumerate(node.value)]


@dataclass(frozen=True)
class DistinctChoices:
    """A non-empty list of names from `options`, each at most once; returns a tuple in the
    order given (e.g. the job states a chart draws)."""

    options: tuple[str, ...]
    noun: str
    """What one item is, plural ("job states"), for the messages."""

    @property
    def expected(self) -> str:
        return f"a list of {self.noun}"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return ctx.error(node, path, self.expected, shown(node))
        if not node.value:
            return ctx.error(node, path, f"at least one of the {self.noun}", [])
        choice, ok = Choice(self.options), True
        seen: dict[str, int] = {}
        for i, item in enumerate(node.value):
            value = choice(item, f"{path}[{i}]", ctx)
            if value is INVALID:
                ok = False
            elif value in seen:
                ctx.problem(item, f"{path}[{i}]", f"{value} is already {path}[{seen[value]}]")
                ok = False
            else:
                seen[value] = i
        return tuple(seen) if ok else INVALID


@dataclass(frozen=True)
class OneOrMany:
    """A single value or a list of them (Balsam's list filters, e.g. `job_id`)."""

    item: Check
    expected: str = "a value or a list of values"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        if isinstance(node, yaml.SequenceNode):
            if not node.value:
                return ctx.error(node, path, f"{self.expected} (not empty)", [])
            items = [self.item(item, f"{path}[{i}]", ctx) for i, item in enumerate(node.value)]
            return INVALID if INVALID in items else tuple(items)
        value = self.item(node, path, ctx)
        return value if value is INVALID else (value,)
