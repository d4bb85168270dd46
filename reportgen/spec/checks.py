"""Small validators over PyYAML nodes, so every error can name the node's line.

A check takes a node and its key path and returns the plain value, or `INVALID` after
recording an error. Schemas are built from these checks as data (see `schema.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from reportgen.spec.times import IN_RANGE, TimeOutOfRange, parse_time


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()
REQUIRED: Final = object()


@dataclass
class Context:
    """Where we are (file) and what we found (errors, warnings, names of defined queries)."""

    file: str
    strict: bool = False
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    runs: bool = False
    """The report has `runs:` (see `chartqueries`)."""
    implied: bool = False
    """... and no `queries:`: each run's queries are implied by its tags."""

    def where(self, node: yaml.Node) -> str:
        return f"{self.file}:{node.start_mark.line + 1}"

    def error(self, node: yaml.Node, path: str, expected: str, got: object) -> _Invalid:
        self.errors.append(f"{self.where(node)}: {path}: expected {expected}; got {got!r}")
        return INVALID

    def problem(self, node: yaml.Node, path: str, message: str) -> _Invalid:
        self.errors.append(f"{self.where(node)}: {path}: {message}")
        return INVALID

    def unknown_key(self, node: yaml.Node, path: str, known: list[str]) -> None:
        message = f"{self.where(node)}: {path}: unknown key (known keys: {', '.join(known)})"
        (self.errors if self.strict else self.warnings).append(message)


Check = Callable[[yaml.Node, str, Context], Any]


def scalar_value(node: yaml.Node) -> Any:
    """The Python value of a scalar node, typed as YAML's safe loader types it."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def shown(node: yaml.Node) -> Any:
    """The value to quote in an error: the scalar itself, or a short note for collections."""
    if isinstance(node, yaml.ScalarNode):
        try:
            return scalar_value(node)
        except yaml.YAMLError:
            return node.value
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


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


NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _scalar(node: yaml.Node, path: str, ctx: Context, expected: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return ctx.error(node, path, expected, shown(node))
    try:
        return scalar_value(node)
    except yaml.YAMLError:
        return ctx.error(node, path, expected, node.value)


@dataclass(frozen=True)
class Text:
    expected: str = "a string"
    pattern: re.Pattern[str] | None = None
    max_length: int | None = None
    """Longer text is refused for its length (not as if its characters were wrong)."""

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = _scalar(node, path, ctx, self.expected)
        if value is INVALID:
            return value
        if isinstance(value, str) and self.max_length and len(value) > self.max_length:
            return ctx.problem(
                node,
                path,
                f"expected at most {self.max_length} characters; got {len(value)} "
                f"({value[:20]!r}...)",
            )
        if not isinstance(value, str) or (self.pattern and not self.pattern.fullmatch(value)):
            return ctx.error(node, path, self.expected, value)
        return value


@dataclass(frozen=True)
class Integer:
    minimum: int | None = None
    maximum: int | None = None
    expected: str = "an integer"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = _scalar(node, path, ctx, self.expected)
        if value is INVALID:
            return value
        bad = not isinstance(value, int) or isinstance(value, bool)
        if not bad and self.minimum is not None and value < self.minimum:
            bad = True
        if not bad and self.maximum is not None and value > self.maximum:
            bad = True
        return ctx.error(node, path, self.expected, value) if bad else value


@dataclass(frozen=True)
class Number:
    minimum: float
    maximum: float
    expected: str = "a number"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = _scalar(node, path, ctx, self.expected)
        if value is INVALID:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return ctx.error(node, path, self.expected, value)
        if not self.minimum <= value <= self.maximum:
            return ctx.error(node, path, self.expected, value)
        return float(value)


@dataclass(frozen=True)
class Boolean:
    expected: str = "true or false"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = _scalar(node, path, ctx, self.expected)
        if value is INVALID:
            return value
        return value if isinstance(value, bool) else ctx.error(node, path, self.expected, value)


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]

    @property
    def expected(self) -> str:
        return f"one of {', '.join(self.options)}"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = _scalar(node, path, ctx, self.expected)
        if value is INVALID:
            return value
        return value if value in self.options else ctx.error(node, path, self.expected, value)


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
            value = shown(value_node) if isinstance(value_node, yaml.ScalarNode) else None
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                ctx.error(value_node, key_path, "a string value (quote it)", shown(value_node))
                ok = False
                continue
            pairs[key] = value
        return tuple(sorted(pairs.items())) if ok else INVALID


@dataclass(frozen=True)
class Timestamp:
    """An ISO 8601 time; naive means UTC, as in Balsam. Returns an aware UTC datetime."""

    expected: str = "an ISO 8601 time like 2024-03-01T18:00:00Z"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = _scalar(node, path, ctx, self.expected)
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
        value = _scalar(node, path, ctx, self.expected)
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
class Reference:
    """The name of a query defined elsewhere in the spec (`ctx.names[kind]`)."""

    kind: str
    label: str

    @property
    def expected(self) -> str:
        return f"the name of one of the {self.label}"

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = _scalar(node, path, ctx, self.expected)
        if value is INVALID:
            return value
        if ctx.implied:
            from reportgen.spec.chartqueries import named_in_implied

            return named_in_implied(node, path, value, ctx)
        names = ctx.names.get(self.kind, ())
        if value not in names:
            defined = ", ".join(names) if names else f"none defined under queries.{self.kind}"
            return ctx.error(node, path, f"one of the {self.label} ({defined})", value)
        return value


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
