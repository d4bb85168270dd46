"""The CSV of a chart's series: `series,timestamp,value`, one row per change, in time order."""

from __future__ import annotations

import numpy as np

from reportgen.analytics.steps import StepSeries


def series_csv(series: list[StepSeries]) -> str:
    """Rows sorted by time; at one instant, in the chart's series order. Counts are integers,
    node-weighted values the float rounded to 9 decimals (shortest exact repr)."""
    if not series:
        return "series,timestamp,value\n"
    times = np.concatenate([s.times for s in series])
    rank = np.concatenate([np.full(len(s), i) for i, s in enumerate(series)])
    order = np.lexsort((rank, times))
    stamps = np.datetime_as_string(times.astype("datetime64[us]"), unit="us")
    names = [s.name for s in series]
    values = [_format_values(s) for s in series]
    offsets = np.cumsum([0] + [len(s) for s in series])
    lines = ["series,timestamp,value"]
    for index in order.tolist():
        which = int(rank[index])
        lines.append(f"{names[which]},{stamps[index]}Z,{values[which][index - offsets[which]]}")
    return "\n".join(lines) + "\n"


def _format_values(series: StepSeries) -> list[str]:
    if series.integral:
        return [str(int(v)) for v in series.values.tolist()]
    return [repr(v) for v in series.values.tolist()]
