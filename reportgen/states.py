"""Balsam's job and batch-job states, as its API spells them."""

from __future__ import annotations

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

BATCH_JOB_STATES: tuple[str, ...] = (
    "pending_submission",
    "queued",
    "running",
    "finished",
    "submit_failed",
    "pending_deletion",
)
