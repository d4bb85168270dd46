"""What the failures chart draws, as plain rows (no Altair: kinds build these before
`charts/failures.py` is imported to draw them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GroupBar:
    """One bar: its short label, what the tooltip says in full, and its numbers."""

    label: str
    outcome: str
    returncode: str
    message: str
    attempts: int
    jobs: int
    node_hours: float
    node_hours_text: str


@dataclass(frozen=True)
class AttemptBar:
    attempts: int
    final: str
    """A key of FINAL_COLORS."""
    jobs: int
