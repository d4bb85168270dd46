"""Checks of one scalar value: text, numbers, booleans, one of a set of names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from reportgen.spec.context import INVALID, Context, scalar


@dataclass(frozen=True)
class Text:
    expected: str = "a string"
    pattern: re.Pattern[str] | None = None
    max_length: int | None = None
    """Longer text is refused for its length (not as if its characters were wrong)."""

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = scalar(node, path, ctx, self.expected)
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
        value = scalar(node, path, ctx, self.expected)
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
        value = scalar(node, path, ctx, self.expected)
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
        value = scalar(node, path, ctx, self.expected)
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
        value = scalar(node, path, ctx, self.expected)
        if value is INVALID:
            return value
        return value if value in self.options else ctx.error(node, path, self.expected, value)
