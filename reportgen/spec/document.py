"""A spec file as YAML nodes: the path as the user knows it, a safe file name, composing
with bounded nesting, and a mapping's child by key."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from reportgen.errors import SpecError

SAFE_STEM = re.compile(r"[\w-][\w.-]*")
RESERVED_STEMS = {
    "assets": "the site's own assets/ folder",
    "index.html": "the site's own front page",
}


def check_stem(stem: str, shown_path: str) -> None:
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


def display_path(path: Path) -> str:
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


def compose(text: str, shown_path: str) -> yaml.Node:
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


def child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found: yaml.Node = value_node
            return found
    return None
