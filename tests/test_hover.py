"""The hover table (charts/hover.py): per interval between drawn changes, each series' value
in effect, against a hand-worked example and a plain walk written from the definition (the
value of the series' last change at or before the interval's start, inside its window)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.charts.hover import Track, hover_rows, tooltip_fields
from reportgen.spec.model import TimeAxis

ELAPSED = TimeAxis("elapsed_minutes")
MINUTE = 60_000_000
T0 = 1_709_280_000_000_000  # 2024-03-01 08:00:00 UTC


def track(
    label: str, points: list[tuple[int, float]], window: tuple[int, int], run: str = ""
) -> Track:
    times = np.array([t for t, _ in points], dtype=np.int64)
    values = np.array([v for _, v in points], dtype=np.float64)
    integral = all(float(v).is_integer() for _, v in points)
    return Track(label, times, values, integral, window, run)


def test_two_series_of_one_run_by_hand() -> None:
    window = (T0, T0 + 10 * MINUTE)
    held = track(
        "Available nodes", [(T0, 0), (T0 + 2 * MINUTE, 1200), (T0 + 10 * MINUTE, 1200)], window
    )
    used = track("Utilization", [(T0, 0), (T0 + 5 * MINUTE, 2.5), (T0 + 10 * MINUTE, 2.5)], window)
    rows = hover_rows([held, used], ELAPSED)
    assert rows == [
        {"x": 0.0, "x2": 2.0, "elapsed": "0.00 min", "utc": "2024-03-01 08:00:00.000000 UTC",
         "v0": "0", "v1": "0"},
        {"x": 2.0, "x2": 5.0, "elapsed": "2.00 min", "utc": "2024-03-01 08:02:00.000000 UTC",
         "v0": "1,200", "v1": "0"},
        {"x": 5.0, "x2": 10.0, "elapsed": "5.00 min", "utc": "2024-03-01 08:05:00.000000 UTC",
         "v0": "1,200", "v1": "2.5"},
    ]  # fmt: skip
    titles = [f["title"] for f in tooltip_fields([held, used], ELAPSED, ["A", "B"])]
    assert titles == ["Elapsed", "Time (UTC)", "A", "B"]


def test_runs_overlaid_from_their_own_starts_by_hand() -> None:
    """On an elapsed axis two runs share minutes, not clocks: a UTC time per run, and the
    shorter run has no value after its as-of time."""
    a = track(
        "n128", [(T0, 0), (T0 + MINUTE, 3), (T0 + 2 * MINUTE, 3)], (T0, T0 + 2 * MINUTE), "n128"
    )
    later = T0 + 60 * MINUTE
    b = track("n256", [(later, 0), (later + 3 * MINUTE, 7), (later + 4 * MINUTE, 7)],
              (later, later + 4 * MINUTE), "n256")  # fmt: skip
    rows = hover_rows([a, b], ELAPSED)
    assert [(r["x"], r.get("v0"), r.get("v1")) for r in rows] == [
        (0.0, "0", "0"),
        (1.0, "3", "0"),
        (2.0, "—", "0"),
        (3.0, "—", "7"),
    ]
    assert rows[1]["utc_0"] == "2024-03-01 08:01:00.000000 UTC"
    assert rows[1]["utc_1"] == "2024-03-01 09:01:00.000000 UTC"
    assert rows[2]["utc_0"] == "—" and rows[2]["elapsed"] == "2.00 min"
    titles = [f["title"] for f in tooltip_fields([a, b], ELAPSED, ["n128", "n256"])]
    assert titles == ["Elapsed", "Time (UTC), n128", "Time (UTC), n256", "n128", "n256"]


def slow_rows(
    tracks: list[list[tuple[int, float]]], end: int
) -> list[tuple[int, list[float | None]]]:
    """Every interval's start and each series' value there, by walking every point."""
    keys = sorted({t for points in tracks for t, _ in points} | {end})
    out = []
    for key in keys[:-1]:
        values: list[float | None] = []
        for points in tracks:
            value = None
            for t, v in points:
                if t <= key:
                    value = v
            values.append(value)
        out.append((key, values))
    return out


series = st.lists(
    st.tuples(st.integers(1, 10_000), st.integers(0, 5_000)), min_size=0, max_size=12
).map(lambda pts: sorted({t * 1000: v for t, v in pts}.items()))


@settings(max_examples=150, deadline=None)
@given(st.lists(series, min_size=1, max_size=4))
def test_every_interval_shows_the_last_change_at_or_before_it(
    many: list[list[tuple[int, int]]],
) -> None:
    end = 10_001_000  # microseconds; the changes fall on whole milliseconds, as x does
    drawn = [
        [
            (0, 0.0),
            *((t, float(v)) for t, v in points),
            (end, float(points[-1][1] if points else 0)),
        ]
        for points in many
    ]
    tracks = [
        track(f"s{i}", [(T0 + t, v) for t, v in p], (T0, T0 + end)) for i, p in enumerate(drawn)
    ]
    rows = hover_rows(tracks, TimeAxis("utc"))
    expected = slow_rows(drawn, end)
    assert [round(r["x"]) for r in rows] == [(T0 + key) // 1000 for key, _ in expected]
    for row, (key, values) in zip(rows, expected, strict=True):
        moment = datetime.fromtimestamp((T0 + key) / 1e6, UTC)
        assert row["utc"].startswith(moment.strftime("%Y-%m-%d %H:%M:%S"))
        for i, value in enumerate(values):
            assert row[f"v{i}"] == (f"{int(value):,}" if value is not None else None)
