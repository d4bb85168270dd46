"""Skip re-rendering a chart image, or re-writing a CSV, unchanged since the last build.

Each file is kept in the build cache's folder for its report under the key of what it is
made from, in the build cache's one key scheme (`cachekey.py`: format version, reportgen's
code, then for an image its spec, format, figure settings and the vl-convert and Vega-Lite
versions; for a CSV what its rows are made of). A rebuild after a text edit copies those
files instead of making them. Only the files this build used are kept.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reportgen.atomic import naming
from reportgen.cachekey import entry_hash
from reportgen.spec.model import DEFAULT_FIGURE, FigureOptions


class RenderCache:
    """Rendered files by content hash in `kept` (None: nothing is kept or reused)."""

    def __init__(self, kept: Path | None) -> None:
        self.kept = kept
        self.used: set[str] = set()
        self.reused = 0
        self.rendered = 0
        self._lock = threading.Lock()

    def images(
        self,
        folder: Path,
        stem: str,
        spec: dict[str, Any],
        image_formats: tuple[str, ...],
        figure: FigureOptions = DEFAULT_FIGURE,
    ) -> None:
        """`folder / <stem>.<format>` for each format: from the cache if its hash matches,
        else rendered (the formats of one chart share one render, see `ChartImages`)."""
        from reportgen.charts.render import ChartImages  # vl-convert: only to draw

        images = ChartImages(spec, figure)
        for image_format in image_formats:

            def render(path: Path, image_format: str = image_format) -> None:
                path.write_bytes(images.render(image_format))

            name = f"{stem}.{image_format}"
            reused = self.file(folder, name, content_hash(spec, image_format, figure), render)
            with self._lock:
                self.reused += reused
                self.rendered += not reused

    def file(self, folder: Path, name: str, key: str, write: Callable[[Path], None]) -> bool:
        """`folder / name` copied from the cache if it holds `key` (True), else written by
        `write` and kept (False). Safe to call from several threads."""
        if self.kept is None:
            with naming(folder / name):
                write(folder / name)
            return False
        kept = self.kept / key
        with self._lock:
            self.used.add(key)
        with contextlib.suppress(OSError):
            shutil.copyfile(kept, folder / name)
            return True
        with naming(folder / name):
            write(folder / name)
        with contextlib.suppress(OSError):  # not kept: the next build makes it again
            self.kept.mkdir(parents=True, exist_ok=True)
            temporary = self.kept / f".{key}.{threading.get_ident()}"
            shutil.copyfile(folder / name, temporary)
            temporary.replace(kept)
        return False

    def forget_unused(self) -> None:
        """Delete the kept files this build did not use (a changed chart's old images)."""
        if self.kept is None or not self.kept.is_dir():
            return
        for path in self.kept.iterdir():
            if path.name not in self.used and _is_key(path.name):
                path.unlink(missing_ok=True)


def _is_key(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def content_hash(
    spec: dict[str, Any], image_format: str, figure: FigureOptions = DEFAULT_FIGURE
) -> str:
    """The key of everything an image is made from: its spec, format and figure settings,
    and the versions of vl-convert and Vega-Lite (after the format version and reportgen's
    code, as every key)."""
    from reportgen.charts.render import VEGALITE_VERSION, vl_convert_version

    digest = entry_hash()
    for part in (vl_convert_version(), VEGALITE_VERSION, image_format):
        digest.update(b"\0" + part.encode())
    digest.update(b"\0" + json.dumps(spec, sort_keys=True, separators=(",", ":")).encode())
    digest.update(b"\0" + json.dumps(asdict(figure), sort_keys=True).encode())
    return digest.hexdigest()
