"""A mapping whose keys depend on its `type:`: the common keys, then the chosen kind's own.

Kept apart from the plain checks (`scalars.py`, `containers.py`) because it alone reads the
kinds' schemas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from reportgen.spec.containers import Fields, Key
from reportgen.spec.context import INVALID, Check, Context, scalar_value, shown
from reportgen.spec.scalars import Choice


@dataclass(frozen=True)
class NotFor:
    """A key of another type than the one chosen: still checked, and reported as not applying
    (a warning, an error under `--strict`), since the chosen type ignores it."""

    check: Check
    chosen: str

    @property
    def expected(self) -> str:
        return str(getattr(self.check, "expected", "a value"))

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = self.check(node, path, ctx)
        message = f"{ctx.where(node)}: {path}: does not apply to a {self.chosen} chart"
        (ctx.errors if ctx.strict else ctx.warnings).append(message)
        return value


@dataclass(frozen=True)
class ByType:
    """A mapping whose keys depend on its `type:` (cfgv's `ConditionalRecurse`): the common
    keys, then the chosen type's own keys, checked only when that type is chosen.

    `types` is read at each check, so a type registered later (a plug-in, a test) counts.
    A required key of a type is reported as `missing (a <type> chart needs it)`.
    """

    common: Mapping[str, Key]
    types: Callable[[], Mapping[str, Mapping[str, Key]]]
    type_doc: str
    expected: str = "a mapping describing a chart"
    fill: Callable[[Mapping[str, Key], dict[str, Any], yaml.Node, str, Context], None] | None = None
    """Fills in keys of the chosen type left out (given its keys, the checked values, the
    node, the path), before its required keys are looked for."""

    def fields(self) -> Fields:
        """The common keys with `type` after `id`, as the reference documents them."""
        names = tuple(self.types())
        keys = dict(self.common)
        first = next(iter(keys))
        ordered = {first: keys.pop(first), "type": Key(Choice(names), self.type_doc)}
        return Fields({**ordered, **keys}, self.expected)

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        types = self.types()
        chosen = _peek(node, "type")
        own = types.get(chosen) if isinstance(chosen, str) else None
        keys = dict(self.fields().keys)
        for kind_keys in types.values():
            for name, key in kind_keys.items():
                if name in keys:
                    continue
                if own is None or name in own:
                    key = own[name] if own is not None else key
                    keys[name] = Key(key.check, key.doc, None if key.required else key.default)
                else:
                    keys[name] = Key(NotFor(key.check, str(chosen)), key.doc, None)
        result = Fields(keys, self.expected)(node, path, ctx)
        if result is INVALID or own is None:
            return result
        if self.fill is not None:
            self.fill(own, result, node, path, ctx)
        for name, key in own.items():
            if key.required and f"__node__{name}" not in result and result[name] is None:
                ctx.problem(node, f"{path}.{name}", f"missing (a {chosen} chart needs it)")
                result[name] = INVALID
        return result


def _peek(node: yaml.Node, key: str) -> object:
    """A mapping's scalar value at `key`, unchecked (None if absent or not a scalar)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        named = isinstance(key_node, yaml.ScalarNode) and key_node.value == key
        if named and isinstance(value_node, yaml.ScalarNode):
            try:
                return scalar_value(value_node)
            except yaml.YAMLError:
                return None
    return None


@dataclass(frozen=True)
class OneOfForms:
    """A mapping in one of two forms, told apart by whether it has the key `marker`
    (`runs: {by_tag: ...}` against `runs: {<name>: {...}}`)."""

    marker: str
    marked: Check
    unmarked: Check
    expected: str

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return ctx.error(node, path, self.expected, shown(node))
        has_marker = any(
            isinstance(k, yaml.ScalarNode) and k.value == self.marker for k, _ in node.value
        )
        return (self.marked if has_marker else self.unmarked)(node, path, ctx)
