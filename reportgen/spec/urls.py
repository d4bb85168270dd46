"""The Balsam server's address: an http or https URL with a host, wherever it is given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from reportgen.spec.context import Context
from reportgen.spec.scalars import Text

HTTP_URL = "an http or https URL with a host, like https://balsam.example.org"


def is_http_url(text: str) -> bool:
    """True for `http(s)://host[:port][/path]`: no other scheme, no blanks or control
    characters, a port that is a number."""
    if any(c.isspace() or not c.isprintable() for c in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class HttpUrl:
    expected: str = HTTP_URL

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        value = Text(self.expected)(node, path, ctx)
        if isinstance(value, str) and not is_http_url(value):
            return ctx.error(node, path, self.expected, value)
        return value
