"""The page's words: the description's Markdown (raw HTML escaped), times in prose, and the
numbers a chart's description names, against a plain walk over each series."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from reportgen.analytics.steps import StepSeries
from reportgen.build import BuildResult
from reportgen.kinds.describe import moment, number, step_stats
from reportgen.site.markdown import markdown_html
from reportgen.spec.model import TimeAxis
from reportgen.times import prose_time, zone_time


def test_markdown_renders_code_emphasis_lists_and_links() -> None:
    text = "Made by `python -m reportgen.demo`, *twice*:\n\n- one\n- two\n\n[docs](https://x.org/a)"
    assert markdown_html(text) == (
        "<p>Made by <code>python -m reportgen.demo</code>, <em>twice</em>:</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        '<p><a href="https://x.org/a">docs</a></p>\n'
    )
    assert markdown_html("") == markdown_html("  \n") == ""


def test_raw_html_and_script_links_are_never_markup() -> None:
    hostile = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    rendered = markdown_html(hostile)
    assert "<script" not in rendered and "<img" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "javascript:" not in rendered.replace("[x](javascript:alert(3))", "")
    assert 'href="javascript' not in rendered


def test_the_demo_page_shows_markdown_and_times_in_prose(demo_site: BuildResult) -> None:
    page = (demo_site.out_dir / "demo" / "index.html").read_text()
    assert "<code>python -m reportgen.demo</code>" in page and "`" not in page.split("<pre>")[0]
    assert '<time datetime="2024-03-01T18:00:00.000000Z">2024-03-01 18:00:00 UTC</time>' in page
    assert '<time datetime="2024-03-01T08:00:00.000000Z">2024-03-01 08:00:00 UTC</time>' in page
    facts = page.split('<section class="chart-section"')[0]
    assert ".000000Z<" not in facts  # full precision in attributes, CSVs, tooltips, tables


def test_times_in_prose_are_to_the_second() -> None:
    # 2024-03-01T18:00:00.999999Z (1709316000 s since the epoch)
    assert prose_time(1_709_316_000_999_999) == "2024-03-01 18:00:00 UTC"
    assert prose_time(0) == "1970-01-01 00:00:00 UTC"
    # 08:00 UTC is 02:00 in Chicago (CST, UTC-6) on 2024-03-01
    assert zone_time(1_709_280_000_000_000, "America/Chicago") == (
        "2024-03-01 02:00:00 America/Chicago"
    )


def test_numbers_and_moments_as_the_description_writes_them() -> None:
    assert [number(v) for v in (0.0, 363.0, 1234.0, 110.94, 2.25)] == [
        "0",
        "363",
        "1,234",
        "110.9",
        "2.2",
    ]
    elapsed = TimeAxis("elapsed_minutes")
    assert moment(481 * 60_000_000 + 30_000_000, elapsed, 0) == "482 min"
    assert moment(90_000_000, elapsed, 0) == "1.5 min"
    utc = TimeAxis("utc")
    assert moment(1_709_316_000_000_000, utc, 0) == "2024-03-01 18:00:00 UTC"


def slow_stats(times: list[int], values: list[float], start: int, end: int) -> tuple[float, ...]:
    """Peak (a change at `end` included), its first instant, time-weighted mean: a walk
    over the window's pieces."""

    def at(t: int) -> float:
        level = 0.0
        for time, value in zip(times, values, strict=True):
            if time <= t:
                level = value
        return level

    edges = sorted({start, end, *(t for t in times if start < t < end)})
    peak, when = at(start), start
    for t in edges[1:]:  # a change at the end counts: the chart draws it there
        if at(t) > peak:
            peak, when = at(t), t
    area = sum(at(a) * (b - a) for a, b in itertools.pairwise(edges))
    return peak, when, area / (end - start)


@given(
    st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 50)), max_size=30),
    st.integers(0, 500),
    st.integers(1, 600),
)
def test_peak_and_mean_match_a_plain_walk(
    changes: list[tuple[int, int]], start: int, length: int
) -> None:
    by_time = dict(changes)  # one value per instant, as a step series holds it
    times = sorted(by_time)
    values = [float(by_time[t]) for t in times]
    series = StepSeries("s", np.array(times, np.int64), np.array(values), True)
    stats = step_stats(series, start, start + length)
    peak, when, mean = slow_stats(times, values, start, start + length)
    assert (stats.peak, stats.peak_at) == (peak, when)
    assert abs(stats.mean - mean) <= 1e-9 * max(1.0, abs(mean))
