"""What the page's Data line says about a file's records: what was dropped or not known."""

from __future__ import annotations

from reportgen.source.tables import BatchJobTable, EventTable, JobTable
from reportgen.states import BATCH_JOB_STATES, JOB_STATES


def record_notes(table: EventTable | JobTable | BatchJobTable, name: str, what: str) -> list[str]:
    """What the page says about a file's records: a partial save (allowed), duplicates
    dropped, unknown states."""
    notes = [f"{name}: {table.shortfall}"] if table.shortfall else []
    if table.duplicates_dropped:
        count = table.duplicates_dropped
        notes.append(
            f"{name}: {count:,} duplicate {what} record{'s' if count > 1 else ''} dropped "
            "(the same id and content as an earlier record)"
        )
    if isinstance(table, EventTable):
        unknown = list(table.state_names[len(JOB_STATES) :])
    elif isinstance(table, BatchJobTable):
        unknown = sorted(set(table.state.tolist()) - set(BATCH_JOB_STATES))
    else:
        unknown = []
    if unknown:
        names = ", ".join(repr(state) for state in unknown)
        notes.append(f"{name}: states Balsam does not define: {names} (counted as they are)")
    return notes
