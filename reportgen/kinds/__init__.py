"""Kinds of chart and table: the registry. A kind is one module (see `base.Kind`); the
stages loop over the kinds a report uses and never name one."""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

from reportgen.kinds.base import Kind, Section, View
from reportgen.source.data import Needs

KINDS: dict[str, Kind] = {}
"""Every kind by its `type:` name, in the order the spec reference lists them."""


COMMON_KEYS = frozenset({"id", "type", "title", "width", "height", "formats", "runs"})
"""Keys every chart has: no kind may own one."""


def register(kind: Kind) -> Kind:
    """Make a kind available to specs (a plug-in, or a test's own kind). Its option names may
    not be common chart keys, nor another kind's with a different check: one key, one check."""
    clash = COMMON_KEYS & set(kind.options)
    if clash:
        raise ValueError(f"kind {kind.name!r}: {', '.join(sorted(clash))} is a common chart key")
    for other in KINDS.values():
        for name, key in kind.options.items():
            shared = other.name != kind.name and name in other.options
            if shared and other.options[name].check != key.check:
                raise ValueError(
                    f"kind {kind.name!r}: option {name!r} is checked differently by "
                    f"kind {other.name!r}"
                )
    KINDS[kind.name] = kind
    return kind


def code_of(kind: Kind) -> str:
    """What a kind's cached results depend on besides its options: for a kind outside
    reportgen (a plug-in), its module's source (reportgen's own is in every cache key)."""
    module = sys.modules.get(kind.compute.__module__)
    if module is None or module.__name__.startswith("reportgen."):
        return ""
    try:
        return hashlib.sha256(Path(str(module.__file__)).read_bytes()).hexdigest()
    except OSError:
        return repr(time.time())  # unknown code: never reuse a result


def _register_builtin() -> None:
    from reportgen.kinds import (
        allocations,
        available_nodes,
        durations,
        failures,
        jobs_table,
        node_hours,
        scaling,
        states,
        throughput,
        utilization,
    )

    kinds = (throughput, utilization, available_nodes, states, durations, node_hours, failures)
    for module in (*kinds, jobs_table, allocations, scaling):
        register(module.KIND)


_register_builtin()

__all__ = ["KINDS", "Kind", "Needs", "Section", "View", "code_of", "register"]
