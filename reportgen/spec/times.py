"""Times in specs and on the command line: full ISO 8601, naive meaning UTC, as in Balsam."""

from __future__ import annotations

from datetime import UTC, datetime

IN_RANGE = "a time that stays within the years 1 to 9999 in UTC"


class TimeOutOfRange(ValueError):
    """An ISO 8601 time whose offset moves it before year 1 or after year 9999 in UTC."""


def parse_time(value: object) -> datetime | None:
    """Parse a spec or command-line time; None if it is not a full ISO 8601 time.

    Raise TimeOutOfRange if it is one but its offset moves it out of Python's years."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) < 16:  # a date alone is ambiguous (Balsam answers 422 to it too)
            return None
        try:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise TimeOutOfRange(str(value)) from None
