"""What the failures chart draws, as plain rows: the costliest groups as bars (the rest
summed), jobs per number of attempts. No Altair here: kinds build these before
`charts/failures.py` is imported to draw them."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from reportgen.analytics.exact import six_decimals
from reportgen.analytics.failures import (
    AttemptCounts,
    FailureGroup,
    returncode_text,
)

DRAWN_GROUPS = 12
"""Groups drawn as bars; the rest are summed into one `other` bar."""
LABEL_CHARS = 48
"""A bar's label shows this much of the message; the tooltip shows it all."""


@dataclass(frozen=True)
class GroupBar:
    """One bar: its short label, what the tooltip says in full, and its numbers."""

    label: str
    outcome: str
    returncode: str
    message: str
    attempts: int
    jobs: str
    """Distinct jobs (for the `other` bar: where to find them)."""
    node_hours: float
    node_hours_text: str


@dataclass(frozen=True)
class AttemptBar:
    attempts: int
    final: str
    """A key of FINAL_COLORS."""
    jobs: int


def group_bars(groups: list[tuple[str, FailureGroup]], several: bool) -> list[GroupBar]:
    """The DRAWN_GROUPS costliest (run, group)s, then one bar summing the rest; labels lead
    with the run when there are `several`."""
    ranked = sorted(groups, key=lambda pair: (-pair[1].node_micros, -pair[1].attempts))
    bars = [_bar(run, group, several) for run, group in ranked[:DRAWN_GROUPS]]
    rest = [group for _, group in ranked[DRAWN_GROUPS:]]
    if rest:
        hours = sum((g.node_hours for g in rest), Fraction(0))
        bars.append(
            GroupBar(
                label=f"other ({len(rest):,} groups)",
                outcome="other",
                returncode="",
                message=f"{len(rest):,} smaller groups",
                attempts=sum(g.attempts for g in rest),
                jobs="see the CSV",  # (a job may be in several groups: no sum)
                node_hours=float(hours),
                node_hours_text=six_decimals(hours),
            )
        )
    return bars


def _bar(run: str, group: FailureGroup, several: bool) -> GroupBar:
    code = returncode_text(group.returncode)
    message = group.message or "(no message)"
    short = message if len(message) <= LABEL_CHARS else message[: LABEL_CHARS - 1] + "…"
    parts = [group.outcome, *([f"rc {code}"] if code else []), short]
    return GroupBar(
        label=(f"{run}: " if several else "") + " · ".join(parts),
        outcome=group.outcome,
        returncode=code or "(none)",
        message=message,
        attempts=group.attempts,
        jobs=f"{group.jobs:,}",
        node_hours=float(group.node_hours),
        node_hours_text=six_decimals(group.node_hours),
    )


def attempt_bars(counts: list[AttemptCounts]) -> list[AttemptBar]:
    """Jobs per number of attempts and state at as-of, summed over runs (no empty bar)."""
    jobs: dict[tuple[int, str], int] = {}
    for count in counts:
        for final, column in (
            ("JOB_FINISHED", count.finished),
            ("FAILED", count.failed),
            ("other state", count.other),
        ):
            for attempts, number in zip(count.attempts.tolist(), column.tolist(), strict=True):
                if number:
                    jobs[attempts, final] = jobs.get((attempts, final), 0) + number
    return [AttemptBar(a, final, n) for (a, final), n in sorted(jobs.items())]
