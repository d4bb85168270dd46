"""A chart's section kept for the next build: a rebuild after a text edit draws nothing again.

Laying a chart out (its Vega-Lite specs through Altair, its data reduced to the page's
pixels, its table rows) costs more than everything else a warm rebuild does, and Altair's
import alone ~0.4 s. A section depends only on its kind's result and its `View`, and the
result only on the run's data and the chart's options, so the section is kept in the run's
memo (the build cache's results file, keyed by the data) under its kind and view, and by
the Altair version that wrote its specs. What cannot be kept, a data file's way of writing
itself, is made again only if the render cache does not already hold that file.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import msgspec

from reportgen.kinds import code_of
from reportgen.kinds.base import DataFile, Figure, Kind, Section, View
from reportgen.kinds.results import Grid, Rows
from reportgen.kinds.run import Memo


@dataclass(frozen=True)
class KeptFigure:
    """A `Figure` with its Vega-Lite specs as JSON text (a spec holds the chart's data: as
    text it is read back at the JSON parser's speed, not one cache entry per value)."""

    page: str
    image: str
    description: str
    summary: Rows | None


@dataclass(frozen=True)
class KeptSection:
    """A `Section` as the cache holds it: its data files by name and content key only."""

    figure: KeptFigure | None
    files: tuple[tuple[str, str], ...]
    note: str
    warnings: tuple[str, ...]
    tables: tuple[Rows, ...]
    grid: Grid | None


def kept_section(kind: Kind, result: Any, view: View, memo: Memo) -> Section:
    """`kind.present(result, view)`, or the section an earlier build made of the same."""
    fresh = functools.cache(lambda: kind.present(result, view))
    key = ("section", kind.name, code_of(kind), _altair_version(), view)
    kept = memo.get(key, lambda: _keep(fresh()))
    if fresh.cache_info().currsize or not isinstance(kept, KeptSection):
        return fresh()  # (laid out in this build, or another shape under this key)
    files = tuple(
        DataFile(name, file_key, functools.partial(_write_fresh, fresh, index))
        for index, (name, file_key) in enumerate(kept.files)
    )
    return Section(_figure(kept.figure), files, kept.note, kept.warnings, kept.tables, kept.grid)


def _figure(kept: KeptFigure | None) -> Figure | None:
    if kept is None:
        return None
    return Figure(_loads(kept.page), _loads(kept.image), kept.description, kept.summary)


def _loads(text: str) -> Any:
    """`json.loads`, at msgspec's speed where the text is strict JSON (Python's writes NaN,
    which msgspec refuses)."""
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def _keep(section: Section) -> KeptSection:
    files = tuple((f.name, f.key) for f in section.files)
    figure = section.figure
    kept = None
    if figure is not None:
        page, image = json.dumps(figure.page), json.dumps(figure.image)
        kept = KeptFigure(page, image, figure.description, figure.summary)
    return KeptSection(kept, files, section.note, section.warnings, section.tables, section.grid)


def _write_fresh(fresh: Any, index: int, path: Path) -> None:
    """Write a kept section's data file by laying the section out again (the render cache
    lacked it)."""
    fresh().files[index].write(path)


@functools.cache
def _altair_version() -> str:
    try:
        return version("altair")
    except PackageNotFoundError:  # pragma: no cover (an installed reportgen has it)
        return "unknown"
