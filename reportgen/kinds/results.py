"""What a kind computes: plain, frozen result types the presentation stage draws and writes.

A kind returns one of these (or a small dataclass of its own holding them); none of them
holds record tables, so results can be cached and records freed before rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportgen.analytics.steps import StepSeries
from reportgen.source.tables import Floats, Ints


@dataclass(frozen=True)
class Column:
    name: str
    numeric: bool = False


@dataclass(frozen=True)
class Rows:
    """A table: columns and rows of already formatted cells."""

    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    css_class: str = "rows"
    warnings: tuple[str, ...] = field(default=())
    key: str = ""
    """Names a table several sections may list (e.g. one run's batch jobs not counted):
    equal keys, the same table, shown once per page (see `present.tables_once`)."""
    owner: bool = False
    """Shown under this section rather than the first that lists it."""
    link_topic: str = ""
    """Names the `Grid` its rows link to (e.g. a query's job table), if the page has one."""
    row_links: tuple[str, ...] = ()
    """Per row, the filter key its link shows in that grid (with `link_topic`)."""
    link_column: int = 0
    """The column whose cells become the links."""
    row_hrefs: tuple[str, ...] = ()
    """Per row, its link: filled in by the page once it knows where the grid is."""


@dataclass(frozen=True)
class Grid:
    """A table larger than a page: `rows` (at most the kind's limit, in their default order)
    are embedded in the page for the browser to search, sort and page through, the first
    page of them also as HTML (read without JavaScript); the CSV has every row."""

    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    count_text: str
    """How many rows the page holds of how many, and which: said in the page's own HTML."""
    csv: str
    """The CSV's file name (beside the page)."""
    topic: str = ""
    """What links name this grid by (see `Rows.link_topic`)."""
    row_groups: tuple[str, ...] = ()
    """Per row, the filter keys it matches, space-separated (empty: none)."""
    group_labels: dict[str, str] = field(default_factory=dict)
    """Per filter key, what the filter shows, for the page to say."""
    group_sizes: dict[str, int] = field(default_factory=dict)
    """Per filter key, how many rows of the whole table (the CSV) match it."""
    page_size: int = 50


@dataclass(frozen=True)
class Steps:
    """One or more named step series, drawn as step lines over time, in drawing order;
    `runs` names the run of each series, `tables` lists what is shown beside them."""

    series: tuple[StepSeries, ...]
    runs: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    tables: tuple[Rows, ...] = ()
    csvs: tuple[tuple[str, str], ...] = ()
    """Other CSVs beside the series' own: (part, text), written as `<chart>-<part>.csv`."""


@dataclass(frozen=True)
class Distribution:
    """Samples per group (e.g. seconds a job waited, per stage), for histograms and ECDFs."""

    samples: dict[str, Floats]
    unit: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intervals:
    """Spans of time on lanes, each with a category (e.g. allocations, job attempts)."""

    start: Ints
    end: Ints
    lane: tuple[str, ...]
    category: tuple[str, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bars:
    """Categories, in order, each with one value per named group (e.g. per run)."""

    categories: tuple[str, ...]
    values: dict[str, tuple[float, ...]]
    integral: bool = True
    warnings: tuple[str, ...] = ()
    tables: tuple[Rows, ...] = ()
