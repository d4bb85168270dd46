"""Balsam's job and batch-job states, as its API spells them."""

from __future__ import annotations

from collections.abc import Iterable

JOB_STATES: tuple[str, ...] = (
    "CREATED",
    "AWAITING_PARENTS",
    "READY",
    "STAGED_IN",
    "PREPROCESSED",
    "RUNNING",
    "RUN_DONE",
    "RUN_ERROR",
    "RUN_TIMEOUT",
    "RESTART_READY",
    "POSTPROCESSED",
    "STAGED_OUT",
    "JOB_FINISHED",
    "FAILED",
)
"""The states Balsam 0.7 defines; event columns code states by their index here."""


def state_codes() -> dict[str, int]:
    """A fresh name -> code table of JOB_STATES, for a reader to extend with the states a file
    has that Balsam does not define."""
    return {name: code for code, name in enumerate(JOB_STATES)}


BATCH_JOB_STATES: tuple[str, ...] = (
    "pending_submission",
    "queued",
    "running",
    "finished",
    "submit_failed",
    "pending_deletion",
)


def in_balsam_order(names: Iterable[str]) -> list[str]:
    """State names in JOB_STATES order, then those Balsam does not define, by name."""
    rank = {name: i for i, name in enumerate(JOB_STATES)}
    return sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n))
