"""The index's sparkline of a run's throughput: inline SVG path data (no script) and the
words a screen reader reads instead."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.headline import SPARKLINE_COLUMNS, Headline
from reportgen.times import prose_time

HEIGHT = 28
"""CSS pixels; the line keeps PAD pixels clear of the top and bottom edges."""
PAD = 2


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    line: str
    """SVG path data: sample i at x = i, its count scaled so the largest is at the top."""
    area: str
    """The same path closed along the bottom edge (the shading under the line)."""
    label: str


def sparkline(headline: Headline) -> Sparkline | None:
    """The headline's throughput samples drawn, or None without them (no summary events)."""
    samples = headline.throughput
    if not samples:
        return None
    top = max(samples)
    line = "M" + " L".join(f"{x},{_y(count, top)}" for x, count in enumerate(samples))
    area = f"{line} L{len(samples) - 1},{HEIGHT} L0,{HEIGHT} Z"
    label = (
        f"Throughput: {samples[-1]:,} events into JOB_FINISHED by "
        f"{prose_time(headline.as_of)}, from {samples[0]:,} at {prose_time(headline.start)}"
    )
    return Sparkline(SPARKLINE_COLUMNS, HEIGHT, line, area, label)


def _y(count: int, top: int) -> str:
    """The pixel row of a count (0 at the bottom, `top` at the top), to 2 decimals."""
    share = count / top if top else 0.0
    return f"{HEIGHT - PAD - (HEIGHT - 2 * PAD) * share:.2f}"
