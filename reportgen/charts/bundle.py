"""Vega's JavaScript for the pages, bundled once per vl-convert and Vega-Lite version.

vl-convert takes ~3 s to bundle Vega, Vega-Lite and vega-embed, and the bundle depends only
on those two versions. So it is kept in the user's cache folder (`$XDG_CACHE_HOME/reportgen`,
else `~/.cache/reportgen`), named by the versions: every later build, into any site, copies
it. A cache that cannot be read or written only costs those 3 s again.
"""

from __future__ import annotations

import contextlib
import hashlib

from reportgen.atomic import write_whole
from reportgen.charts.render import VEGALITE_VERSION, javascript_bundle, vl_convert_version
from reportgen.places import user_cache_folder


def bundle_version() -> str:
    return f"vl-convert {vl_convert_version()} / Vega-Lite {VEGALITE_VERSION}"


def vega_bundle() -> str:
    """The bundle from the user's cache, else made by vl-convert and kept there."""
    digest = hashlib.sha256(bundle_version().encode()).hexdigest()[:16]
    path = user_cache_folder() / f"vega-bundle-{digest}.js"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return path.read_text(encoding="utf-8")
    bundle = javascript_bundle()
    with contextlib.suppress(OSError):  # not kept: the next build bundles again
        write_whole(path, lambda out: out.write(bundle.encode("utf-8")))
    return bundle
