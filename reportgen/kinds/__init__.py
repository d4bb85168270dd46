"""Kinds of chart and table: the registry. A kind is one module (see `base.Kind`); the
stages loop over the kinds a report uses and never name one."""

from __future__ import annotations

from reportgen.kinds.base import Kind, Section, View
from reportgen.source.data import Needs

KINDS: dict[str, Kind] = {}
"""Every kind by its `type:` name, in the order the spec reference lists them."""


def register(kind: Kind) -> Kind:
    """Make a kind available to specs (a plug-in, or a test's own kind)."""
    KINDS[kind.name] = kind
    return kind


def _register_builtin() -> None:
    from reportgen.kinds import available_nodes, throughput, utilization

    for module in (throughput, utilization, available_nodes):
        register(module.KIND)


_register_builtin()

__all__ = ["KINDS", "Kind", "Needs", "Section", "View", "register"]
