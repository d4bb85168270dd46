"""A report's `description`, written in Markdown, as the page's HTML.

CommonMark by markdown-it-py with raw HTML off: a `<script>` (or any tag) in a spec is shown
as text, never run. Links keep markdown-it's own URL check (no `javascript:`).
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def markdown_html(text: str) -> str:
    """The HTML of `text` (empty for empty text)."""
    return _parser().render(text) if text.strip() else ""
