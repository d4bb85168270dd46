"""Where a spec check is and what it found: the context errors go to, and a node's value.

A check takes a node and its key path and returns the plain value, or `INVALID` after
recording an error in the `Context`, so every error can name the node's line. Schemas are
built from checks as data (see `schema.py`); the checks are in `scalars.py` (one value),
`containers.py` (mappings and lists) and `domain.py` (reportgen's own values).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import yaml


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()


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
    """The Python value of a scalar node, typed as YAML's safe loader types it. A scalar
    the loader cannot make (a date like 2024-13-01) is a `yaml.YAMLError`, as other bad
    scalars are: PyYAML lets `datetime`'s ValueError out."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(None, None, str(exc), node.start_mark) from exc
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


def scalar(node: yaml.Node, path: str, ctx: Context, expected: str) -> Any:
    """A scalar node's value, or `INVALID` after an error if the node is none (or bad YAML)."""
    if not isinstance(node, yaml.ScalarNode):
        return ctx.error(node, path, expected, shown(node))
    try:
        return scalar_value(node)
    except yaml.YAMLError:
        return ctx.error(node, path, expected, node.value)
