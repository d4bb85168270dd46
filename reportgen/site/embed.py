"""A chart's Vega-Lite spec as the page embeds it: page-only sizing and its description.

The exported images are drawn from the spec as the kinds made it (fixed width, white);
on the page a chart fills its card and redraws when the card's width changes, and its
colours follow the page's theme (`charts.js` applies the dark one). A single or layered
view uses Vega-Lite's container sizing; a concatenation cannot, so `charts.js` scales its
views' widths to the card (`usermeta.fit` says which).
"""

from __future__ import annotations

from typing import Any

FIT_X = {"type": "fit-x", "contains": "padding"}


def page_spec(spec: dict[str, Any], description: str) -> dict[str, Any]:
    """A copy of `spec` (the kinds' page spec) sized to its container, described, and on a
    transparent background (the card's, in either theme)."""
    page = dict(spec)
    if description:
        page["description"] = description
    page["background"] = "transparent"
    concat = next((key for key in ("vconcat", "hconcat", "concat") if key in page), None)
    if concat is None and isinstance(page.get("width"), int | float):
        page["usermeta"] = {"fit": "container", "width": page["width"]}
        page["width"] = "container"
        page["autosize"] = FIT_X
    else:
        page["usermeta"] = {"fit": "scale", "width": _widest(page)}
    return page


def _widest(spec: dict[str, Any]) -> float:
    """The largest view width in a (nested) concatenation: what `charts.js` scales from."""
    widths = [float(spec["width"])] if isinstance(spec.get("width"), int | float) else []
    for key in ("vconcat", "hconcat", "concat", "layer"):
        widths += [_widest(part) for part in spec.get(key, ()) if isinstance(part, dict)]
    return max(widths, default=0.0)


def explored(spec: dict[str, Any]) -> bool:
    """Whether some view of `spec` zooms its x axis (`charts/hover.py`): the page then says
    how to explore it under the chart."""
    params = spec.get("params", ())
    if any(isinstance(p, dict) and p.get("bind") == "scales" for p in params):
        return True
    return any(
        explored(part)
        for key in ("vconcat", "hconcat", "concat", "layer")
        for part in spec.get(key, ())
        if isinstance(part, dict)
    )
