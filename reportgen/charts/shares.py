"""Altair 100% bars: how a total splits into parts, one bar per group, labelled with
percentages (as an Altair chart, to be composed with others into one figure)."""

from __future__ import annotations

from typing import Any

import altair as alt

SHOWN_FROM = 0.06
"""A part's percentage is written on the bar from this share on (narrower ones: tooltip)."""


def share_rows(
    bars: dict[str, list[tuple[str, float, str]]], colors: dict[str, str]
) -> list[dict[str, Any]]:
    """Per group, its parts (label, value, value as text) laid end to end from 0 to 1, each
    with its percentage and the ink that reads on its colour."""
    rows = []
    for group, parts in bars.items():
        total = sum(value for _, value, _ in parts)
        left = 0.0
        for label, value, text in parts:
            share = value / total if total > 0 else 0.0
            rows.append(
                {
                    "group": group,
                    "series": label,
                    "x0": left,
                    "x1": left + share,
                    "middle": left + share / 2,
                    "value": text,
                    "percent": f"{share:.1%}",
                    "shown": f"{share:.0%}" if share >= SHOWN_FROM else "",
                    "ink": _ink(colors[label]),
                }
            )
            left += share
    return rows


def share_bar(
    dataset: str, groups: list[str], color: alt.Color, width: int, titles: tuple[str, str]
) -> Any:
    """The bars of `share_rows` (stored as `dataset`), one per group, coloured by `color`;
    `titles`: the x axis's and the values' (tooltips)."""
    several = len(groups) > 1
    y = alt.Y("group:N", sort=groups, title=None, axis=alt.Axis() if several else None)
    base = alt.Chart(alt.NamedData(name=dataset)).encode(y=y)
    bars = base.mark_bar(height=28).encode(
        x=alt.X(
            "x0:Q",
            title=titles[0],
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        ),
        x2="x1:Q",
        color=color,
        tooltip=[
            alt.Tooltip("series:N", title="Category"),
            *([alt.Tooltip("group:N", title="Run")] if several else []),
            alt.Tooltip("value:N", title=titles[1]),
            alt.Tooltip("percent:N", title="Share"),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        x="middle:Q", text="shown:N", fill=alt.Fill("ink:N", scale=None)
    )
    return alt.layer(bars, text).properties(width=width, height=36 * len(groups))


def _ink(color: str) -> str:
    """Black or white, whichever reads better on `color` (#rrggbb), by relative luminance."""
    red, green, blue = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#111111" if luminance > 0.45 else "#ffffff"
