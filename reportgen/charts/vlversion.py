"""Which Vega-Lite version Altair writes specs for, without importing Altair.

The version keys every rendered image and the Vega bundle, and a rebuild that reuses all of
them should not pay Altair's import (~0.4 s) to learn it. Altair's `SCHEMA_VERSION` is a
literal in its schema module, found through the import system's spec (which imports
nothing); if that file ever reads otherwise, Altair itself is asked.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

SCHEMA_LINE = re.compile(r'^SCHEMA_VERSION = "(v[0-9][0-9.]*)"$', re.MULTILINE)
REEXPORT = re.compile(r"^from \.(v[0-9]+) import \*$", re.MULTILINE)


@functools.cache
def altair_schema_version() -> str:
    """Altair's `SCHEMA_VERSION` (e.g. `v6.4.1`)."""
    return _read_schema_version() or _imported_schema_version()


def _read_schema_version() -> str | None:
    spec = importlib.util.find_spec("altair")
    if spec is None or spec.origin is None:
        return None
    vegalite = Path(spec.origin).parent / "vegalite"
    try:
        reexport = REEXPORT.search((vegalite / "__init__.py").read_text(encoding="utf-8"))
        if reexport is None:
            return None
        schema = vegalite / reexport[1] / "schema" / "__init__.py"
        line = SCHEMA_LINE.search(schema.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return None if line is None else line[1]


def _imported_schema_version() -> str:
    import altair as alt

    return str(alt.SCHEMA_VERSION)
