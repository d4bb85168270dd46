"""A figure narrower than the page's narrow card, counted in tick labels: the rules the page's
`narrowed()` (templates/charts.js) follows below 600 px, for print (plain dicts, in place).

A journal column (3.42 in at 8 pt: 31 tick-label ems wide) takes the page's layout for an
800 px card (73 ems) only by squeezing the plots to nothing. Here, in a narrow figure:

- every legend goes below its plot, in at most two columns; a label longer than its column
  is wrapped at spaces onto more lines (a word too long for a line is cut, with an ellipsis);
- a y axis of names (the failure groups) takes at most `AXIS_SHARE` of the width, its labels
  wrapped the same way; the panels it lines up with keep that same extent;
- a view title (a panel's heading) longer than the width is wrapped;
- an x axis of numbers or times has about one tick per `TICK_EMS` tick-label ems of plot;
- a y axis title longer than `AXIS_SHARE` of the width is wrapped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

NARROW_EMS = 600 / 11
"""Narrower than this many tick-label ems is narrow: the page's 600 px card at 11 px."""
LEGEND_COLUMNS = 2
AXIS_SHARE = 0.4
"""The share of a narrow figure's width a y axis of names may take."""
NUMBERS_ROOM = 45.0
"""The room a y axis of numbers and its title take, in points."""
TICK_EMS = 6.0
"""A narrow figure's x axis: a tick per this many tick-label ems of plot width."""
LABEL_EM = 0.55
"""A mean width of a label character, in ems (`figure._legend_width`: a wide figure's
legend columns); a narrow figure measures with `text_ems`."""
LINE_EMS = 1.2
"""A line of a wrapped label, in ems of its size."""
ROW_GAP_EMS = 0.8
"""Room between two rows of names (a bar's padding), in tick-label ems."""
COMPOSED = ("layer", "vconcat", "hconcat", "concat")


def is_narrow(width: float | None, tick: float | None) -> bool:
    """Whether a figure `width` wide, with tick labels `tick` high (both in its units), is
    narrow."""
    return width is not None and tick is not None and width / tick < NARROW_EMS


def axis_room(width: float) -> float:
    """The most a y axis of names may take of a narrow figure `width` wide."""
    return round(width * AXIS_SHARE, 2)


def narrow(spec: dict[str, Any], width: float, tick: float, larger: float) -> None:
    """Apply the narrow rules to `spec`, a figure `width` wide whose tick labels are `tick`
    and whose legends and titles are `larger` (all in the figure's units)."""
    room = width * (1 - AXIS_SHARE) if _has_names(spec) else width - NUMBERS_ROOM
    for view in _views(spec):
        for name, channel in view.get("encoding", {}).items():
            if not isinstance(channel, dict):
                continue
            if isinstance(channel.get("legend"), dict):
                _legend(channel, channel["legend"], room, larger)
            if name == "y" and isinstance(channel.get("axis"), dict):
                _axis(channel, channel["axis"], axis_room(width), tick)
            if name == "y" and isinstance(channel.get("title"), str):
                _axis_title(channel, axis_room(width), larger)
        _title(view, width, larger)
    for view in _views(spec):
        _name_rows(view, axis_room(width), tick)
    config = spec.setdefault("config", {})
    ticks = max(2, math.floor(room / (TICK_EMS * tick)))
    for key in ("axisXQuantitative", "axisXTemporal"):
        config.setdefault(key, {})["tickCount"] = ticks


def _legend(channel: dict[str, Any], legend: dict[str, Any], room: float, label: float) -> None:
    """Below the plot, in two columns if every word fits one, else one; long labels wrapped."""
    labels = _labels(channel)
    words = [text_ems(w) for text in labels for w in text.split()] or [0.0]
    chrome = label + 14  # symbol (~ the label's size), its gap and the columns' padding
    columns = min(LEGEND_COLUMNS, max(1, len(labels)))
    if columns > 1 and max(words) * label > room / columns - chrome:
        columns = 1
    limit = max(label, room / columns - chrome)
    legend.update(orient="bottom", direction="horizontal", columns=columns)
    legend["labelLimit"] = round(limit, 2)
    expr = _wrapped_expr(labels, limit / label)
    if expr is not None and "labelExpr" not in legend:
        legend["labelExpr"] = expr


def _axis(channel: dict[str, Any], axis: dict[str, Any], cap: float, tick: float) -> None:
    """A y axis whose extent was set wider than `cap` (the failure groups' and the panel
    lined up with them) gets `cap`; its names are wrapped to fit."""
    extent = axis.get("maxExtent")
    if isinstance(extent, int | float) and extent > cap:
        axis.update(minExtent=cap, maxExtent=cap)
    if channel.get("type") not in ("nominal", "ordinal"):
        return
    limit = min(cap, axis.get("maxExtent", cap)) - 8  # the tick and its gap
    axis["labelLimit"] = round(limit, 2)
    expr = _wrapped_expr(_labels(channel), limit / tick)
    if expr is not None and "labelExpr" not in axis:
        axis["labelExpr"] = expr


def _axis_title(channel: dict[str, Any], room: float, size: float) -> None:
    """A y axis title longer than `room` on lines (it runs along a plot about that tall:
    a longer one would set the figure's height, not the plot)."""
    lines = wrap(channel["title"], room / size)
    if len(lines) > 1:
        channel["title"] = lines


def _name_rows(view: dict[str, Any], cap: float, tick: float) -> None:
    """A plot with a y axis of names: a row per name as tall as its label's lines (a fixed
    `step`, which the figure's fitting leaves alone), so wrapped names never overlap."""
    if not isinstance(view.get("height"), int | float):
        return
    lines = 0
    for part in (view, *view.get("layer", [])):
        y = part.get("encoding", {}).get("y")
        named = isinstance(y, dict) and y.get("type") in ("nominal", "ordinal")
        if named and isinstance(y.get("axis"), dict):
            ems = (min(cap, y["axis"].get("maxExtent", cap)) - 8) / tick
            lines = max([lines, *(len(wrap(t, ems)) for t in _labels(y))])
    if lines:
        view["height"] = {"step": round((lines * LINE_EMS + ROW_GAP_EMS) * tick, 2)}


def _title(view: dict[str, Any], width: float, size: float) -> None:
    """A view's own title (a panel's heading) wrapped to the figure's width."""
    title = view.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    if not isinstance(text, str):
        return
    lines = wrap(text, (width - 10) / size)
    if len(lines) > 1:
        if isinstance(title, dict):
            title["text"] = lines
        else:
            view["title"] = lines


def wrap(text: str, ems: float) -> list[str]:
    """`text` in lines at most `ems` wide (`text_ems`), broken at spaces (a longer word keeps
    a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_ems(f"{lines[-1]} {word}") <= ems:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def _wrapped_expr(labels: list[str], ems: float) -> str | None:
    """A Vega expression giving each label wider than `ems` as its lines, the others as
    they are (None: none is too wide)."""
    wrapped = [(t, wrap(t, ems)) for t in labels if text_ems(t) > ems]
    wrapped = [(t, lines) for t, lines in wrapped if len(lines) > 1]
    if not wrapped:
        return None
    expr = "datum.label"
    for text, lines in reversed(wrapped):
        expr = f"datum.label === {_js(text)} ? [{', '.join(map(_js, lines))}] : {expr}"
    return expr


def _js(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def text_ems(text: str) -> float:
    """An estimate of `text`'s width in ems of its size, from Liberation Sans' (Arial's)
    advance widths: a space, `i`, `l`... 0.28; capitals 0.67; `m`, `w` 0.8; others 0.5."""
    return sum(_EMS.get(c, 0.67 if c.isupper() else 0.5) for c in text)


_EMS = {c: 0.28 for c in " ·.,:;'!|ijlft()[]"} | {"m": 0.83, "w": 0.72, "W": 0.94, "M": 0.83}
_EMS |= {c: 0.556 for c in "0123456789_"}


def _labels(channel: dict[str, Any]) -> list[str]:
    """The channel's labels, where its spec lists them (its scale's domain, or its sort)."""
    scale = channel.get("scale")
    domain = scale.get("domain") if isinstance(scale, dict) else None
    listed = domain if isinstance(domain, list) else channel.get("sort")
    if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
        return []
    return list(listed)


def _has_names(spec: dict[str, Any]) -> bool:
    """Whether a view has a y axis of names, or one lined up with such (a set `maxExtent`):
    the plots then start `AXIS_SHARE` of the width from the left."""
    for view in _views(spec):
        y = view.get("encoding", {}).get("y")
        if not isinstance(y, dict) or y.get("axis", {}) is None:  # (lanes: no axis)
            continue
        if y.get("type") in ("nominal", "ordinal") or "maxExtent" in (y.get("axis") or {}):
            return True
    return False


def _views(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield spec
    for key in COMPOSED:
        for child in spec.get(key, []):
            yield from _views(child)
