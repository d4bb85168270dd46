"""Vega's JavaScript for the pages, bundled once per vl-convert and Vega-Lite version.

vl-convert takes ~3 s to bundle Vega, Vega-Lite and vega-embed, and the bundle depends only
on those two versions. So it is kept in the user's cache folder (`$XDG_CACHE_HOME/reportgen`,
else `~/.cache/reportgen`), named by the versions: every later build, into any site, copies
it. A cache that cannot be read or written only costs those 3 s again.

Beside the bundle a seal file holds its length and SHA-256, written after it: a bundle that
does not match its seal (empty, truncated, changed, or a seal never written) is made again,
never shipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

from reportgen.atomic import write_whole
from reportgen.charts.render import VEGALITE_VERSION, javascript_bundle, vl_convert_version
from reportgen.places import user_cache_folder


def bundle_version() -> str:
    return f"vl-convert {vl_convert_version()} / Vega-Lite {VEGALITE_VERSION}"


def vega_bundle() -> str:
    """The bundle from the user's cache if it matches its seal, else made by vl-convert and
    kept there."""
    digest = hashlib.sha256(bundle_version().encode()).hexdigest()[:16]
    path = user_cache_folder() / f"vega-bundle-{digest}.js"
    kept = _verified(path)
    if kept is not None:
        return kept
    bundle = javascript_bundle()
    data = bundle.encode("utf-8")
    with contextlib.suppress(OSError):  # not kept: the next build bundles again
        write_whole(path, lambda out: out.write(data))
        write_whole(_seal_path(path), lambda out: out.write(_seal(data)))
    return bundle


def _seal_path(path: Path) -> Path:
    return path.with_suffix(".seal.json")


def _seal(data: bytes) -> bytes:
    return json.dumps({"length": len(data), "sha256": hashlib.sha256(data).hexdigest()}).encode()


def _verified(path: Path) -> str | None:
    """The kept bundle, or None if it is missing, unreadable or does not match its seal."""
    try:
        data = path.read_bytes()
        seal = _seal_path(path).read_bytes()
    except OSError:
        return None
    if not data or seal != _seal(data):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
