"""Skip re-rendering a chart image whose spec and format are unchanged since the last build.

The previous site is the cache: each report folder keeps `.render-hashes.json`, the content
hash of every image it holds (spec, format, reportgen and vl-convert versions). A rebuild
after a text edit copies those images instead of rendering them again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from reportgen import __version__
from reportgen.charts.render import VEGALITE_VERSION, render_image, vl_convert_version

MANIFEST = ".render-hashes.json"


class RenderCache:
    def __init__(self, previous: Path) -> None:
        self.previous = previous
        try:
            self.known: dict[str, str] = json.loads((previous / MANIFEST).read_text())
        except (OSError, ValueError):
            self.known = {}
        self.hashes: dict[str, str] = {}
        self.reused = 0
        self.rendered = 0
        self._lock = threading.Lock()

    def image(self, name: str, spec: dict[str, Any], image_format: str) -> bytes:
        """The image bytes: from the previous site if its hash matches, else rendered."""
        key = content_hash(spec, image_format)
        with self._lock:
            self.hashes[name] = key
        if self.known.get(name) == key:
            try:
                data = (self.previous / name).read_bytes()
            except OSError:
                pass
            else:
                with self._lock:
                    self.reused += 1
                return data
        with self._lock:
            self.rendered += 1
        return render_image(spec, image_format)

    def write_manifest(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(
            json.dumps(self.hashes, sort_keys=True, indent=1) + "\n", encoding="utf-8"
        )


def content_hash(spec: dict[str, Any], image_format: str) -> str:
    digest = hashlib.sha256()
    versions = (__version__, vl_convert_version(), VEGALITE_VERSION)
    for part in (*versions, image_format):
        digest.update(part.encode() + b"\0")
    digest.update(json.dumps(spec, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()
