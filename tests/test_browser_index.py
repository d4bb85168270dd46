"""The index in real headless Chromium: each sparkline is drawn (at 120 x 28 CSS px, in the
theme's accent on either theme, the shading lighter than the line), the page does not
scroll sideways at 400 px, and the sparkline's label is what the accessibility tree reads."""

from __future__ import annotations

from typing import Any

import pytest

from reportgen.build import BuildResult
from tests.test_browser_pages import browser, contrast, open_page, parse_rgb

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, used by name

ACCENT = {"light": (26, 98, 163), "dark": (127, 184, 238)}
"""`--accent` of templates/style.css in each theme."""


@pytest.mark.parametrize(("scheme", "width"), [("light", 1300), ("dark", 400)])
def test_the_sparkline_is_drawn_in_the_themes_accent(
    browser: Any, demo_site: BuildResult, scheme: str, width: int
) -> None:
    page = open_page(browser, (demo_site.out_dir / "index.html").as_uri(), scheme, width)
    spark = page.locator("svg.sparkline")
    assert spark.count() == 1
    box = spark.bounding_box()
    assert (box["width"], box["height"]) == (120, 28)
    stroke = page.evaluate("getComputedStyle(document.querySelector('svg.sparkline .line')).stroke")
    assert parse_rgb(stroke) == ACCENT[scheme]
    background = parse_rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert contrast(parse_rgb(stroke), background) >= 3  # a graphic's contrast (WCAG 1.4.11)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    label = spark.get_attribute("aria-label")
    assert label is not None and label.startswith("Throughput: ")
    assert page.get_by_role("img", name=label).count() == 1
