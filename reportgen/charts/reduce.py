"""Step-preserving reduction: what a chart draws when a series has more points than pixels.

Per pixel column of the chart's width, keep the first and last point and the points holding
the column's minimum and maximum. Every peak and dip stays visible and the step shape between
columns is unchanged; CSVs and headline numbers always use the full series.
"""

from __future__ import annotations

import numpy as np

from reportgen.source.tables import Floats, Ints

PAGE_COLUMNS = 1600
"""The pixel columns a chart on the page is reduced to: it fills its card, so it is drawn
wider than its spec's `width` on a wide screen, and no extreme may be lost there. The
exported images keep the spec's width (their bytes do not change with the page)."""


def reduce_steps(times: Ints, values: Floats, start: int, end: int, columns: int) -> Ints:
    """Indices (ascending) of the points to draw. Identity when there are <= `columns` points."""
    count = times.size
    if count <= columns or end <= start:
        return np.arange(count)
    column = ((times - start).astype(np.float64) * columns / (end - start)).astype(np.int64)
    column = np.clip(column, 0, columns - 1)
    bounds = np.flatnonzero(np.r_[True, column[1:] != column[:-1], True])
    firsts, lasts = bounds[:-1], bounds[1:] - 1
    by_value = np.lexsort((np.arange(count), values, column))  # per column, ascending value
    minima, maxima = by_value[firsts], by_value[lasts]
    return np.unique(np.concatenate([firsts, lasts, minima, maxima]))


def column_extremes(times: Ints, values: Floats, start: int, end: int, columns: int) -> Ints:
    """Like `reduce_steps` but per pixel column only the points holding its minimum and
    maximum (and the series' first and last): for stacked areas, whose many layers make
    every kept instant cost a row per layer. Within one column, where between its extremes
    the value starts and ends cannot be seen."""
    count = times.size
    if count <= columns or end <= start:
        return np.arange(count)
    column = ((times - start).astype(np.float64) * columns / (end - start)).astype(np.int64)
    column = np.clip(column, 0, columns - 1)
    bounds = np.flatnonzero(np.r_[True, column[1:] != column[:-1], True])
    by_value = np.lexsort((np.arange(count), values, column))  # per column, ascending value
    minima, maxima = by_value[bounds[:-1]], by_value[bounds[1:] - 1]
    return np.unique(np.concatenate([[0, count - 1], minima, maxima]))
