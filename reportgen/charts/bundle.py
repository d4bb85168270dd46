"""Vega's JavaScript for the pages, bundled once per vl-convert and Vega-Lite version.

vl-convert takes ~3 s to bundle Vega, Vega-Lite and vega-embed, and the bundle depends only
on those two versions. So it is kept in the user's cache folder (`$XDG_CACHE_HOME/reportgen`,
else `~/.cache/reportgen`), named by the versions: every later build, into any site, copies
it. A cache that cannot be read or written only costs those 3 s again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from reportgen.charts.render import VEGALITE_VERSION, javascript_bundle, vl_convert_version


def bundle_version() -> str:
    return f"vl-convert {vl_convert_version()} / Vega-Lite {VEGALITE_VERSION}"


def user_cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reportgen"


def vega_bundle() -> str:
    """The bundle from the user's cache, else made by vl-convert and kept there."""
    digest = hashlib.sha256(bundle_version().encode()).hexdigest()[:16]
    path = user_cache_folder() / f"vega-bundle-{digest}.js"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return path.read_text(encoding="utf-8")
    bundle = javascript_bundle()
    _keep(path, bundle)
    return bundle


def _keep(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all (a reader never sees half a bundle)."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
