"""The one exception tree: the CLI prints these as messages; anything else is our bug."""

from __future__ import annotations


class ReportgenError(Exception):
    """A problem the user can fix: bad spec, unreadable data, a failed render."""


class SpecError(ReportgenError):
    """A report spec is invalid; the message lists every problem with file:line: key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class SourceError(ReportgenError):
    """Data could not be read or fetched."""


class RenderError(ReportgenError):
    """A chart or page could not be produced."""


class OutputError(ReportgenError):
    """The site could not be written (a full disk, a read-only folder); the previous one is
    untouched."""
