"""The site's one palette: Okabe and Ito's eight colour-blind-safe colours, with tints
(towards white) and shades (towards black) of them where a family needs several steps.

Every chart takes its colours from here, the page and the image files alike, so a series
or a state has one colour everywhere. Greys are tints of black.
"""

from __future__ import annotations

BLACK = "#000000"
ORANGE = "#e69f00"
SKY_BLUE = "#56b4e9"
GREEN = "#009e73"
YELLOW = "#f0e442"
BLUE = "#0072b2"
VERMILLION = "#d55e00"
PURPLE = "#cc79a7"


def _mix(color: str, other: int, share: float) -> str:
    channels = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (other - c) * share):02x}" for c in channels)


def tint(color: str, share: float) -> str:
    """`color` moved `share` of the way to white."""
    return _mix(color, 255, share)


def shade(color: str, share: float) -> str:
    """`color` moved `share` of the way to black."""
    return _mix(color, 0, share)


def grey(lightness: float) -> str:
    """A grey, 0 black to 1 white."""
    return tint(BLACK, lightness)


RUN_COLORS = (BLUE, ORANGE, GREEN, PURPLE, SKY_BLUE, VERMILLION, YELLOW)
"""Series that stand for runs, in turn."""
RUN_DASHES: tuple[tuple[int, ...], ...] = ((), (6, 3), (2, 2), (8, 3, 2, 3), (4, 4, 1, 4))
"""Run lines' dashes, in turn, so runs stay apart in greyscale too (solid first)."""
