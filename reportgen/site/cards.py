"""A run's headline numbers as the report page's cards and as its row on the index: the same
numbers, formatted once, each with a sentence saying what it counts."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.headline import Headline
from reportgen.spec.model import Summary
from reportgen.times import format_micros, span_text


@dataclass(frozen=True)
class Card:
    key: str
    """Stable name (the index's column, the card's CSS hook)."""
    label: str
    value: str
    explanation: str
    detail: str = ""
    """A second line under the value on the card (e.g. a share of all jobs)."""
    unit: str = ""
    """After the value on the card, in the index column's heading."""
    """What it counts: the card's tooltip and the index column's."""


@dataclass(frozen=True)
class CardGroup:
    run: str
    """The run's name, or "" for a report of one run."""
    cards: tuple[Card, ...]


def headline_cards(headline: Headline, summary: Summary) -> tuple[Card, ...]:
    """The cards, in reading order: jobs, then utilization and node-hours, then time."""
    return (*_job_cards(headline, summary), *_node_cards(headline, summary), *_time_cards(headline))


def _job_cards(headline: Headline, summary: Summary) -> list[Card]:
    events = f"event query '{summary.events}'" if summary.events else "no event query"
    jobs = headline.jobs
    return [
        Card(
            "jobs",
            "Jobs",
            f"{jobs:,}",
            f"Distinct jobs with an event of {events} by the as-of time.",
        ),
        Card(
            "finished",
            "Finished",
            f"{headline.jobs_finished:,}",
            "Jobs in JOB_FINISHED at the as-of time.",
            _share(headline.jobs_finished, jobs),
        ),
        Card(
            "failed",
            "Failed",
            f"{headline.jobs_failed:,}",
            "Jobs in FAILED at the as-of time.",
            _share(headline.jobs_failed, jobs),
        ),
        Card(
            "in_progress",
            "In progress",
            f"{headline.jobs_in_progress:,}",
            "Jobs in any other state at the as-of time (waiting, running, or to be retried).",
            _share(headline.jobs_in_progress, jobs),
        ),
    ]


def _node_cards(headline: Headline, summary: Summary) -> list[Card]:
    held = f"batch-job query '{summary.batch_jobs}'" if summary.batch_jobs else ""
    return [
        Card(
            "peak_utilization",
            "Peak utilization",
            _number(headline.peak_utilization),
            "The most nodes in use at one instant (running jobs weighted by data.num_nodes).",
            unit="nodes",
        ),
        Card(
            "mean_utilization",
            "Mean utilization",
            _number(headline.mean_utilization),
            "Nodes in use, averaged over the report's window (its first record to the as-of time).",
            unit="nodes",
        ),
        Card(
            "node_hours_available",
            "Node-hours available",
            _hours(headline.node_hours_available),
            f"Nodes held by the batch jobs of {held} integrated over the report's window."
            if held
            else "No batch-job query: nothing to integrate.",
        ),
        Card(
            "node_hours_useful",
            "Node-hours useful",
            _hours(headline.node_hours_useful),
            "Node-hours of runs that ended in RUN_DONE (the node-hour ledger's useful).",
        ),
        Card(
            "node_hours_lost",
            "Node-hours lost",
            _hours(headline.node_hours_lost),
            "Node-hours of runs that ended in RUN_ERROR, RUN_TIMEOUT or any state but RUN_DONE "
            "(the ledger's failed + timed_out + lost).",
        ),
        Card(
            "efficiency",
            "Efficiency",
            "-" if headline.efficiency is None else f"{100 * headline.efficiency:.1f}%",
            "Useful node-hours over available node-hours.",
        ),
    ]


def _time_cards(headline: Headline) -> list[Card]:
    return [
        Card(
            "makespan",
            "Makespan",
            "-" if headline.makespan is None else span_text(headline.makespan),
            "From the first event to the last entry into JOB_FINISHED.",
        ),
        Card(
            "throughput",
            "Throughput",
            "-" if headline.throughput_per_hour is None else f"{headline.throughput_per_hour:,.1f}",
            "Finished jobs per hour of the makespan.",
            unit="jobs/h",
        ),
    ]


def time_span(headline: Headline) -> str:
    """`2024-03-01 08:00 to 18:00`, or `2024-03-01 08:00 to 2024-03-02 06:00` (UTC, to the
    minute)."""
    start, end = format_micros(headline.start), format_micros(headline.as_of)
    shown_end = end[11:16] if end[:10] == start[:10] else end[:16].replace("T", " ")
    return f"{start[:16].replace('T', ' ')} to {shown_end}"


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}% of jobs" if total else ""


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
