"""What a kind is: one module's options, needs, computation and presentation, and the plain
objects passed between those hooks and the stages around them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen.kinds.results import Grid, Rows
from reportgen.kinds.run import Run, Window
from reportgen.source.data import Needs
from reportgen.spec.containers import Key
from reportgen.spec.context import Context
from reportgen.spec.model import Chart, TimeAxis


@dataclass(frozen=True)
class View:
    """How a result is to be shown: the chart's own settings, the time axis, each run's window."""

    chart: Chart
    axis: TimeAxis
    windows: tuple[Window, ...]


@dataclass(frozen=True)
class Figure:
    """A chart as Vega-Lite: `page` is interactive (tooltips), `image` is for the files;
    `description` says what it shows in words, from its data (its aria label, naming its
    peak or the kind's headline number), and `summary` is its data alternative on the page."""

    page: dict[str, Any]
    image: dict[str, Any]
    description: str = ""
    summary: Rows | None = None


@dataclass(frozen=True)
class DataFile:
    """A file of what the section draws (a CSV). `key` hashes its content: equal keys, equal
    bytes, so an unchanged file can be reused from the build cache."""

    name: str
    key: str
    write: Callable[[Path], None]


@dataclass(frozen=True)
class Section:
    """One chart or table on the page, everything already laid out."""

    figure: Figure | None
    files: tuple[DataFile, ...]
    note: str
    warnings: tuple[str, ...] = ()
    tables: tuple[Rows, ...] = ()
    grid: Grid | None = None


@dataclass(frozen=True)
class Kind:
    """A chart or table type: registered by name (the spec's `type:`), it owns everything about
    that type. `options` are its own spec keys, checked only when the type is chosen, and
    `make_options` turns the checked values into its frozen options (which key its cache)."""

    name: str
    title: str
    """The default chart title."""
    doc: str
    """What it shows, for the spec reference."""
    options: Mapping[str, Key]
    make_options: type[Any]
    needs: Callable[[Any], Needs]
    compute: Callable[[Sequence[Run], Any], Any]
    present: Callable[[Any, View], Section]
    guide: str = ""
    """How to read it: a short paragraph shown on the page under the chart's heading."""
    requires_jobs: bool = False
    """It cannot do without job records: a files source must list its jobs file."""
    check_options: Callable[[dict[str, Any], str, Context], None] | None = None
    """Checks between its options (`chart`: the checked values, `__node__<key>` their nodes)."""
    report_keys: tuple[str, ...] = ()
    """Report-level settings its options take too (`steady_state`, `baseline`), by name."""
