"""Skip re-rendering a chart image, or re-writing a CSV, unchanged since the last build.

The previous site is the cache: each report folder keeps `.render-hashes.json`, the content
hash of every image and CSV it holds (for an image: spec, format, reportgen's code and the
vl-convert version). A rebuild after a text edit copies those files instead of making them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportgen.charts.render import VEGALITE_VERSION, render_image, vl_convert_version
from reportgen.fingerprint import code_fingerprint

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

    def image(self, folder: Path, name: str, spec: dict[str, Any], image_format: str) -> None:
        """`folder / name` from the previous site if its hash matches, else rendered."""

        def render(path: Path) -> None:
            path.write_bytes(render_image(spec, image_format))

        reused = self.file(folder, name, content_hash(spec, image_format), render)
        with self._lock:
            self.reused += reused
            self.rendered += not reused

    def file(self, folder: Path, name: str, key: str, write: Callable[[Path], None]) -> bool:
        """`folder / name` copied from the previous site if its hash matches (True), else
        written by `write` (False). Safe to call from several threads."""
        with self._lock:
            self.hashes[name] = key
        if self.known.get(name) == key:
            try:
                shutil.copyfile(self.previous / name, folder / name)
            except OSError:
                pass
            else:
                return True
        write(folder / name)
        return False

    def write_manifest(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(
            json.dumps(self.hashes, sort_keys=True, indent=1) + "\n", encoding="utf-8"
        )


def content_hash(spec: dict[str, Any], image_format: str) -> str:
    digest = hashlib.sha256()
    versions = (code_fingerprint(), vl_convert_version(), VEGALITE_VERSION)
    for part in (*versions, image_format):
        digest.update(part.encode() + b"\0")
    digest.update(json.dumps(spec, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()
