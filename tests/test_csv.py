"""The CSV writer against a row-by-row formatter built on the standard library alone."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.analytics.steps import StepSeries
from reportgen.site import csvfile

EPOCH = datetime(1970, 1, 1)
MICROS = st.integers(min_value=-(10**15), max_value=4 * 10**15)  # 1938 .. 2096


def slowly(series: list[StepSeries]) -> str:
    rows = sorted(
        (int(t), rank, s.name, float(v), s.integral)
        for rank, s in enumerate(series)
        for t, v in zip(s.times.tolist(), s.values.tolist(), strict=True)
    )
    lines = [csvfile.HEADER]
    for micros, _, name, value, integral in rows:
        moment = EPOCH + timedelta(microseconds=micros)
        stamp = (
            f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
            f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}Z"
        )
        text = str(int(value)) if integral else repr(value + 0.0)
        lines.append(f"{name},{stamp},{text}\n")
    return "".join(lines)


def fast(series: list[StepSeries]) -> str:
    out = io.StringIO()
    csvfile.write_rows(out, series)
    return out.getvalue()


@st.composite
def a_series(draw: st.DrawFn, name: str) -> StepSeries:
    integral = draw(st.booleans())
    # a series has one point per instant, in time order
    times = sorted(
        draw(st.lists(MICROS | st.sampled_from([0, 1, 86_399_999_999]), max_size=40, unique=True))
    )
    counts = st.integers(-(10**9), 10**12).map(float) | st.integers(-(2**60), 2**60).map(float)
    weights = (
        st.floats(allow_nan=False, allow_infinity=False, width=64)
        | st.integers(0, 10**6).map(lambda k: k / 64)
        | st.floats(-2e6, 2e6).map(lambda x: round(x, 9))  # as step_series rounds them
        | st.integers(-(10**16), 10**16).map(lambda k: k / 1e9)  # around 1e6 and 1e-4
        | st.sampled_from([-0.0, 0.1, 1 / 3, 1e-4, 9.9999e-5, 999_999.999999999, 1e6])
    )
    values = draw(st.lists(counts if integral else weights, min_size=len(times)))
    return StepSeries(
        name,
        np.array(times, dtype=np.int64),
        np.array(values[: len(times)], dtype=np.float64),
        integral,
    )


@settings(max_examples=300, deadline=None)
@given(
    available=a_series("available_nodes"),
    used=a_series("utilization"),
    block=st.integers(min_value=1, max_value=50),
)
def test_rows_match_a_row_by_row_formatter(
    available: StepSeries, used: StepSeries, block: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvfile, "BLOCK", block)
        assert fast([available, used]) == slowly([available, used])


def test_no_series_is_just_the_header() -> None:
    assert fast([]) == csvfile.HEADER
