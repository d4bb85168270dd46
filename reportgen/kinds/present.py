"""Presentation the kinds share: a step chart or a bar chart, with its CSV and its note."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from reportgen.cachekey import entry_hash
from reportgen.charts.layers import StepLayer
from reportgen.charts.palette import RUN_COLORS, RUN_DASHES
from reportgen.charts.reduce import PAGE_COLUMNS
from reportgen.kinds.base import DataFile, Figure, Section, View
from reportgen.kinds.describe import Described, steps_description, steps_summary
from reportgen.kinds.results import Bars, Steps
from reportgen.kinds.run import Window
from reportgen.site.csvfile import csv_field, series_hash, write_series_csv
from reportgen.spec.model import Chart


def steps_section(
    view: View,
    result: Steps,
    layers: list[StepLayer],
    y_title: str,
    unit: str = "",
    description: str = "",
) -> Section:
    """A step chart of `layers` (drawn from `result`'s series) with the CSV of every series,
    described by its layers' peaks (`unit` names what they count) unless `description` is
    given.

    The CSV has a leading `run` column when the result spans several runs.
    """
    from reportgen.charts.steps import chart_data, chart_spec  # Altair: only when drawing

    chart, window = view.chart, _rule_window(view)
    data = chart_data(chart, layers, view.axis, window.start, window.as_of)
    names = {(w.start, w.as_of): w.name for w in view.windows}
    shown = chart_data(
        page_chart(chart), layers, view.axis, window.start, window.as_of, True, names
    )
    items = described_layers(layers, unit, window, view)
    figure = Figure(
        page=chart_spec(chart, shown, view.axis, y_title, interactive=True),
        image=chart_spec(chart, data, view.axis, y_title, interactive=False),
        description=description or steps_description(chart.title, items, view.axis),
        summary=steps_summary(items, view.axis),
    )
    series = list(result.series)
    runs = list(result.runs) if len(set(result.runs)) > 1 else None
    csv = DataFile(
        f"{chart.id}.csv",
        series_hash(series, runs),
        partial(write_series_csv, series=series, runs=runs),
    )
    if shown.reduced:
        note = f"{shown.changes:,} change points drawn as {shown.drawn:,}, extremes kept."
    else:
        note = f"{shown.changes:,} change points, all drawn."
    others = tuple(text_file(f"{chart.id}-{part}.csv", text) for part, text in result.csvs)
    return Section(figure, (csv, *others), note, result.warnings, result.tables)


def page_chart(chart: Chart) -> Chart:
    """`chart` as the page's data reduction sees it: as wide as the page may draw it."""
    return replace(chart, width=max(chart.width, PAGE_COLUMNS))


def described_layers(
    layers: list[StepLayer], unit: str, window: Window, view: View
) -> list[Described]:
    """The layers as their description and summary name them, each over its own window."""
    runs = {(w.start, w.as_of): w.name for w in view.windows}
    items = []
    for layer in layers:
        span = layer.window or (window.start, window.as_of)
        items.append(Described(layer.label, layer.series, unit, span, runs.get(span, "")))
    return items


def _rule_window(view: View) -> Window:
    """The window whose as-of time the chart marks: the only one, or the one reaching
    furthest along the x axis (the longest, when each run's time is elapsed since its start)."""
    if view.axis.kind == "elapsed_minutes":
        return max(view.windows, key=lambda w: w.as_of - w.start)
    return max(view.windows, key=lambda w: w.as_of)


def run_layers(view: View, result: Steps, styles: dict[str, tuple[str, float]]) -> list[StepLayer]:
    """One layer per series, coloured (and dashed) by its run and drawn over its run's own
    window, with the label and stroke width `styles` gives its series' name; labelled by the
    run's name (then the series' label, when a run has several series)."""
    windows = {w.name: (w.start, w.as_of) for w in view.windows}
    order = {run: i for i, run in enumerate(dict.fromkeys(result.runs))}
    colors = {run: RUN_COLORS[i % len(RUN_COLORS)] for run, i in order.items()}
    dashes = {run: RUN_DASHES[i % len(RUN_DASHES)] for run, i in order.items()}
    several = len(result.runs) > len(colors)
    return [
        StepLayer(
            series,
            f"{view.chart.id}-{run}-{series.name}",
            f"{run} {styles[series.name][0]}" if several else run,
            colors[run],
            styles[series.name][1],
            windows[run],
            dashes[run] if len(order) > 1 else (),
        )
        for run, series in zip(result.runs, result.series, strict=True)
    ]


def bars_section(view: View, result: Bars, y_title: str) -> Section:
    """A bar chart of `result` with its CSV: `category,group,value`, in the bars' order."""
    from reportgen.charts.bars import BarData, bars_spec  # Altair: only when drawing

    chart = view.chart
    bars = BarData(result.categories, result.values, result.integral)
    figure = Figure(
        page=bars_spec(chart, bars, y_title, interactive=True),
        image=bars_spec(chart, bars, y_title, interactive=False),
    )
    csv = text_file(f"{chart.id}.csv", bars_csv(result))
    count = len(result.categories) * len(result.values)
    return Section(figure, (csv,), f"{count:,} bars.", result.warnings, result.tables)


def bars_csv(result: Bars) -> str:
    lines = ["category,group,value"]
    for group, values in result.values.items():
        for category, value in zip(result.categories, values, strict=True):
            shown = str(int(value)) if result.integral else repr(float(value))
            lines.append(f"{csv_field(category)},{csv_field(group)},{shown}")
    return "\n".join(lines) + "\n"


def text_file(name: str, text: str) -> DataFile:
    """A data file of `text` (a small CSV), keyed by its content (`cachekey.py`)."""
    digest = entry_hash()
    digest.update(b"\0" + text.encode())
    key = digest.hexdigest()
    return DataFile(name, key, partial(_write_text, text=text))


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")


def tables_once(sections: list[Section], charts: list[Chart]) -> list[Section]:
    """Each table with a key under one section only: its owner's (the first, if several own
    it), else the first section listing it; the others' notes name the chart it is under.
    Several kinds list e.g. the batch jobs not counted, each for a reader of that chart alone."""
    home = _homes(sections)
    result = []
    for place, section in enumerate(sections):
        kept = tuple(t for t in section.tables if not t.key or home[t.key] == place)
        notes = [
            f"The table “{t.caption}” is under the chart “{charts[home[t.key]].title}”."
            for t in section.tables
            if t.key and home[t.key] != place
        ]
        note = " ".join([section.note, *notes]) if notes else section.note
        result.append(replace(section, tables=kept, note=note))
    return result


def link_tables(sections: list[Section], charts: list[Chart]) -> list[Section]:
    """Rows that link to a grid (`Rows.link_topic`) get their links when the page has that
    grid (the first section showing it), `#<its section>?group=<key>`; else none."""
    where = {
        s.grid.topic: chart.id
        for s, chart in reversed(list(zip(sections, charts, strict=True)))
        if s.grid is not None and s.grid.topic
    }
    result = []
    for section in sections:
        tables = tuple(
            replace(t, row_hrefs=tuple(f"#{where[t.link_topic]}?group={k}" for k in t.row_links))
            if t.link_topic in where and t.row_links
            else t
            for t in section.tables
        )
        result.append(replace(section, tables=tables))
    return result


def _homes(sections: list[Section]) -> dict[str, int]:
    """The section each keyed table is shown under."""
    home: dict[str, int] = {}
    for place, section in enumerate(sections):
        for table in section.tables:
            if not table.key:
                continue
            current = home.get(table.key)
            if current is None or (table.owner and not _owns(sections[current], table.key)):
                home[table.key] = place
    return home


def _owns(section: Section, key: str) -> bool:
    return any(t.key == key and t.owner for t in section.tables)
