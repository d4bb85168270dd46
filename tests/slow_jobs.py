"""A naive `jobs_table` kind, written from the issue's rules and sharing no code with
reportgen: per job, walk its events in true order (`seq`, as `slow_failures` does) and write
each row as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from tests.slow_failures import FEv, returncode_of

HEADER = (
    "job_id,state,tags,num_nodes,node_packing_count,attempts,first_event,last_event,"
    "run_seconds,node_hours,outcome,returncode,workdir,batch_job_id"
)


def six_even(value: Fraction) -> str:
    """Rounded half to even to 6 decimals (values are never negative)."""
    scaled = value * 1_000_000
    whole = scaled.numerator // scaled.denominator
    rest = scaled - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    return f"{whole // 1_000_000}.{str(whole % 1_000_000).rjust(6, '0')}"


def iso(micros: int) -> str:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def quoted(text: str) -> str:
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def number(value: Any) -> str:
    if value is None:
        return ""
    if float(value) == int(value):
        return str(int(value))
    return repr(float(value))


def job_rows(
    events: list[FEv], as_of: int, records: dict[int, dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Per job with an event at or before `as_of`: its row's cells, and its node-hours exact."""
    by_job: dict[int, list[FEv]] = {}
    for e in events:
        if e.time <= as_of:
            by_job.setdefault(e.job_id, []).append(e)
    rows = {}
    for job_id, mine in by_job.items():
        mine.sort(key=lambda e: e.seq)
        record = records.get(job_id)
        fallback = Fraction(1)
        if record is not None:
            fallback = Fraction(record["num_nodes"]) / Fraction(
                record.get("node_packing_count") or 1
            )
        opened: tuple[int, Fraction] | None = None
        seconds, hours = Fraction(0), Fraction(0)
        attempts, outcome, code = 0, "", ""
        for e in mine:
            enters = e.to_state == "RUNNING" and e.from_state != "RUNNING"
            leaves = e.from_state == "RUNNING" and e.to_state != "RUNNING"
            if enters:
                attempts += 1
                if opened is None:
                    nodes = e.data.get("num_nodes")
                    weight = fallback if nodes is None else Fraction(nodes).limit_denominator(1000)
                    opened = (e.time, weight)
            if leaves:
                outcome, code = e.to_state, returncode_of(e.data)[0]
                if opened is not None:
                    seconds += Fraction(e.time - opened[0], 1_000_000)
                    hours += opened[1] * Fraction(e.time - opened[0], 3_600_000_000)
                    opened = None
        if opened is not None:
            seconds += Fraction(as_of - opened[0], 1_000_000)
            hours += opened[1] * Fraction(as_of - opened[0], 3_600_000_000)
        tags, nodes, packing, workdir, batch = "", "", "", "", ""
        if record is not None:
            tag_map = record.get("tags") or {}
            tags = " ".join(k + "=" + tag_map[k] for k in sorted(tag_map))
            nodes = number(record["num_nodes"])
            packing = number(record.get("node_packing_count") or 1)
            workdir = record.get("workdir") or ""
            batch = "" if record.get("batch_job_id") is None else str(record["batch_job_id"])
        cells = [
            str(job_id),
            mine[-1].to_state,
            tags,
            nodes,
            packing,
            str(attempts),
            iso(mine[0].time),
            iso(mine[-1].time),
            six_even(seconds),
            six_even(hours),
            outcome,
            code,
            workdir,
            batch,
        ]
        rows[job_id] = {"cells": cells, "hours": hours, "failed": mine[-1].to_state == "FAILED"}
    return rows


def jobs_csv(events: list[FEv], as_of: int, records: dict[int, dict[str, Any]]) -> str:
    rows = job_rows(events, as_of, records)
    lines = [HEADER]
    for job_id in sorted(rows):
        lines.append(",".join(quoted(c) for c in rows[job_id]["cells"]))
    return "\n".join(lines) + "\n"


def page_ids(
    events: list[FEv], as_of: int, records: dict[int, dict[str, Any]], limit: int
) -> list[int]:
    """The jobs the page holds, in order: failed first, then most node-hours, then id."""
    rows = job_rows(events, as_of, records)
    ranked = sorted(rows, key=lambda j: (not rows[j]["failed"], -rows[j]["hours"], j))
    return ranked[:limit]
