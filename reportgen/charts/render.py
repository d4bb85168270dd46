"""Vega-Lite specs to PNG/SVG/PDF with vl-convert (no browser, no network)."""

from __future__ import annotations

import re
from typing import Any

import altair as alt
import vl_convert

from reportgen.errors import RenderError

PRINT_DPI = 300
CSS_DPI = 96
PNG_SCALE = (PRINT_DPI / CSS_DPI) / (PRINT_DPI / 72)
"""A chart of W CSS pixels becomes a PNG of W * 300/96 pixels tagged 300 dpi: 300 dpi at its
CSS size. vl-convert already scales by ppi/72, hence the division."""


def _vegalite_version() -> str:
    """The Vega-Lite version Altair writes specs for, as vl-convert names it (`6.4`)."""
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    available = vl_convert.get_vegalite_versions()
    return major_minor if major_minor in available else available[-1]


VEGALITE_VERSION = _vegalite_version()


def vl_convert_version() -> str:
    return str(getattr(vl_convert, "__version__", "unknown"))


def render_image(spec: dict[str, Any], image_format: str) -> bytes:
    """One chart as PNG (300 dpi), SVG or PDF bytes."""
    version = VEGALITE_VERSION
    try:
        if image_format == "png":
            return bytes(
                vl_convert.vegalite_to_png(spec, vl_version=version, scale=PNG_SCALE, ppi=PRINT_DPI)
            )
        if image_format == "svg":
            return str(vl_convert.vegalite_to_svg(spec, vl_version=version)).encode("utf-8")
        if image_format == "pdf":
            return stable_pdf(bytes(vl_convert.vegalite_to_pdf(spec, vl_version=version)))
    except Exception as exc:  # vl-convert raises plain exceptions from its JS engine
        raise RenderError(f"rendering {image_format.upper()} failed: {exc}") from exc
    raise RenderError(f"unknown image format {image_format!r}")


def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one classic script, from the installed vl-convert."""
    # the stub marks `snippet` required; the function documents it optional (default: globals)
    bundle = vl_convert.javascript_bundle(vl_version=VEGALITE_VERSION)  # type: ignore[call-arg]
    return str(bundle)


_REFERENCE_RUN = re.compile(rb"(<<\n)((?:[ \t]+/[A-Za-z0-9]+ \d+ 0 R\n)+)")


def stable_pdf(data: bytes) -> bytes:
    """Same chart, same PDF bytes.

    vl-convert's PDF writer lists resource dictionaries (`/xo1 11 0 R` ...) in hash-map order,
    which changes from call to call. Sorting those lines changes no byte offset (the set of
    lines is the same), so the cross-reference table stays valid. Fonts are the other source
    of disorder; charts use a single font weight, so there is one font object.
    """
    return _REFERENCE_RUN.sub(
        lambda m: m.group(1) + b"".join(sorted(m.group(2).splitlines(keepends=True))), data
    )
