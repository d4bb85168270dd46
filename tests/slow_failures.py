"""A naive `failures` kind, written from the issue's rules and sharing no code with reportgen:
per job, walk its events in true order (`seq`) and write both CSVs as text."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""What ends a line (Python's `str.splitlines`)."""


@dataclass(frozen=True)
class FEv:
    """One event; `seq` is its true place in its job's history; `data` its raw data."""

    id: int
    job_id: int
    time: int
    """Microseconds."""
    from_state: str
    to_state: str
    seq: int
    data: dict[str, Any]


def message_of(data: dict[str, Any]) -> str:
    error, message = data.get("error"), data.get("message")
    if type(error) is str and len(error) > 0:
        text = error
    elif type(message) is str:
        text = message
    else:
        return ""
    line = ""
    for ch in text:
        if ch in LINE_BREAKS:
            break
        line += ch
    words, word = [], ""
    for ch in line:
        if ch.isspace():
            if word:
                words.append(word)
            word = ""
        else:
            word += ch
    if word:
        words.append(word)
    collapsed = " ".join(words)
    out = ""
    for i, ch in enumerate(collapsed):
        if "0" <= ch <= "9":
            if i == 0 or not ("0" <= collapsed[i - 1] <= "9"):
                out += "N"
        else:
            out += ch
    return out[:120]


def returncode_of(data: dict[str, Any]) -> tuple[str, float | None]:
    """(as printed, as a number for sorting); a non-number counts as absent."""
    value = data.get("returncode")
    if type(value) is int and -(2**53) <= value <= 2**53:
        return str(value), float(value)
    if type(value) is float and -(2.0**53) <= value <= 2.0**53:
        if value == int(value):
            return str(int(value)), value
        return repr(value), value
    return "", None


def six(value: Fraction) -> str:
    """Rounded half up to 6 decimals."""
    scaled = value * 1_000_000
    whole = int(scaled)  # (values are never negative)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return str(whole // 1_000_000) + "." + str(whole % 1_000_000).rjust(6, "0")


def _weight(event: FEv, fallback: dict[int, float]) -> Fraction:
    nodes = event.data.get("num_nodes")
    value = nodes if nodes is not None else fallback.get(event.job_id, 1)
    return Fraction(value).limit_denominator(1000)


def _walk(events: list[FEv], as_of: int) -> dict[int, list[FEv]]:
    by_job: dict[int, list[FEv]] = {}
    for e in events:
        if e.time <= as_of:
            by_job.setdefault(e.job_id, []).append(e)
    for job_events in by_job.values():
        job_events.sort(key=lambda e: e.seq)
    return by_job


def groups_csv(events: list[FEv], as_of: int, fallback: dict[int, float]) -> str:
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for job_id, job_events in sorted(_walk(events, as_of).items()):
        opened: tuple[int, Fraction] | None = None
        for e in job_events:
            if e.to_state == "RUNNING" and e.from_state != "RUNNING":
                if opened is None:
                    opened = (e.time, _weight(e, fallback))
            elif e.from_state == "RUNNING" and e.to_state != "RUNNING":
                cost = Fraction(0)
                if opened is not None:
                    cost = opened[1] * (e.time - opened[0]) / 3_600_000_000
                opened = None
                if e.to_state == "RUN_DONE":
                    continue
                code, number = returncode_of(e.data)
                key = (e.to_state, code, message_of(e.data))
                group = groups.setdefault(
                    key, {"attempts": 0, "jobs": set(), "hours": Fraction(0), "number": number}
                )
                group["attempts"] += 1
                group["jobs"].add(job_id)
                group["hours"] += cost
    ordered = sorted(
        groups.items(),
        key=lambda item: (
            -item[1]["hours"],
            -item[1]["attempts"],
            item[0][0],
            item[1]["number"] is None,
            item[1]["number"] or 0.0,
            item[0][2],
        ),
    )
    lines = ["outcome,returncode,message,attempts,jobs,node_hours,example_job_ids"]
    for (outcome, code, message), g in ordered:
        quoted = message
        if "," in message or '"' in message:
            quoted = '"' + message.replace('"', '""') + '"'
        examples = " ".join(str(j) for j in sorted(g["jobs"])[:5])
        lines.append(
            f"{outcome},{code},{quoted},{g['attempts']},{len(g['jobs'])},{six(g['hours'])},"
            f"{examples}"
        )
    return "\n".join(lines) + "\n"


def attempts_csv(events: list[FEv], as_of: int) -> str:
    rows: dict[int, list[int]] = {}
    for job_events in _walk(events, as_of).values():
        entries = sum(
            1 for e in job_events if e.to_state == "RUNNING" and e.from_state != "RUNNING"
        )
        final = job_events[-1].to_state
        row = rows.setdefault(entries, [0, 0, 0, 0])
        row[0] += 1
        row[1 if final == "JOB_FINISHED" else 2 if final == "FAILED" else 3] += 1
    lines = ["attempts,jobs,finished,failed,other"]
    for entries in sorted(rows):
        lines.append(",".join(str(v) for v in [entries, *rows[entries]]))
    return "\n".join(lines) + "\n"
