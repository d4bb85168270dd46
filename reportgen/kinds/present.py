"""Presentation shared by the kinds that draw step series: the figure, its CSV, its note."""

from __future__ import annotations

from functools import partial

from reportgen.charts.layers import RUN_COLORS, StepLayer
from reportgen.kinds.base import DataFile, Figure, Section, View
from reportgen.kinds.results import Steps
from reportgen.site.csvfile import series_hash, write_series_csv


def steps_section(view: View, result: Steps, layers: list[StepLayer], y_title: str) -> Section:
    """A step chart of `layers` (drawn from `result`'s series) with the CSV of every series.

    The CSV has a leading `run` column when the result spans several runs.
    """
    from reportgen.charts.steps import chart_data, chart_spec  # Altair: only when drawing

    chart, window = view.chart, view.windows[0]
    data = chart_data(chart, layers, view.axis, window.start, window.as_of)
    figure = Figure(
        page=chart_spec(chart, data, view.axis, y_title, interactive=True),
        image=chart_spec(chart, data, view.axis, y_title, interactive=False),
    )
    series = list(result.series)
    runs = list(result.runs) if len(set(result.runs)) > 1 else None
    csv = DataFile(
        f"{chart.id}.csv",
        series_hash(series, runs),
        partial(write_series_csv, series=series, runs=runs),
    )
    if data.reduced:
        note = f"{data.changes:,} change points drawn as {data.drawn:,}, extremes kept."
    else:
        note = f"{data.changes:,} change points, all drawn."
    return Section(figure, (csv,), note, result.warnings, result.tables)


def run_layers(view: View, result: Steps, stroke: float) -> list[StepLayer]:
    """One layer per run, each in its own colour and labelled by the run's name."""
    return [
        StepLayer(
            series,
            f"{view.chart.id}-{run}-{series.name}",
            run,
            RUN_COLORS[index % len(RUN_COLORS)],
            stroke,
        )
        for index, (run, series) in enumerate(zip(result.runs, result.series, strict=True))
    ]
