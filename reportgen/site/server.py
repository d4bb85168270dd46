"""Network edge: the local preview server of `reportgen serve`, on 127.0.0.1 only.

It serves the current site folder (swapped by `serve.py` after each good build) and adds, to
HTML responses only and only here, a small script that polls `/__reportgen/state` and reloads
the page when the build generation changes, and a banner with the last build's errors (or an
error page while no build has succeeded). Built files are never changed: the script exists
only in what this server sends.
"""

from __future__ import annotations

import errno
import html
import json
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reportgen.errors import ReportgenError

STATE_PATH = "/__reportgen/state"
POLL_MS = 400

RELOAD_SCRIPT = """<script data-reportgen-serve>
(() => {
  const shown = %(generation)d;
  const poll = () => fetch("%(state)s", {cache: "no-store"})
    .then((r) => r.json())
    .then((s) => { if (s.generation !== shown) location.reload(); else setTimeout(poll, %(ms)d); })
    .catch(() => setTimeout(poll, %(ms)d));
  setTimeout(poll, %(ms)d);
})();
</script>
"""

BANNER = (
    '<div data-reportgen-errors role="alert" style="position:sticky;top:0;z-index:1000;'
    "margin:0;padding:0.75rem 1rem;background:#fde8e8;color:#6b0000;border-bottom:2px solid "
    '#b00020;font:14px/1.4 system-ui,sans-serif">'
    "<strong>The last build failed; this is the last good site.</strong>"
    '<pre style="margin:0.5rem 0 0;white-space:pre-wrap;font:13px/1.4 monospace">%s</pre></div>'
)

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>reportgen serve: build failed</title></head>
<body style="margin:0">
<div data-reportgen-errors role="alert" style="padding:1rem 1.5rem;font:15px/1.5 system-ui,
sans-serif;color:#6b0000;background:#fde8e8;min-height:100vh;box-sizing:border-box">
<h1 style="font-size:1.3rem">The build failed; no site has been built yet</h1>
<pre style="white-space:pre-wrap;font:14px/1.4 monospace">%s</pre>
<p>Fix the spec or the input and save: this page reloads by itself.</p></div>
</body></html>
"""


@dataclass
class SiteState:
    """What the server shows: the site folder, its generation, the last build's errors."""

    root: Path | None = None
    generation: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def show(self, root: Path | None, errors: list[str]) -> None:
        """A build finished: show `root` (None: keep the last good site) and `errors`."""
        with self.lock:
            if root is not None:
                self.root = root
            self.errors = list(errors)
            self.generation += 1

    def snapshot(self) -> tuple[Path | None, int, list[str]]:
        with self.lock:
            return self.root, self.generation, list(self.errors)


def inject(page: bytes, generation: int, errors: list[str]) -> bytes:
    """`page` with the reload script before `</body>` and, if any, the errors banner after
    `<body ...>` (both at the ends if the page has no such tags)."""
    text = page.decode("utf-8", errors="replace")
    script = RELOAD_SCRIPT % {"generation": generation, "state": STATE_PATH, "ms": POLL_MS}
    end = text.rfind("</body>")
    text = text + script if end < 0 else text[:end] + script + text[end:]
    if errors:
        banner = BANNER % html.escape("\n".join(errors))
        start = text.find("<body")
        after = text.find(">", start) + 1 if start >= 0 else 0
        text = text[:after] + banner + text[after:]
    return text.encode("utf-8")


BUILDING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>reportgen serve: building</title></head>
<body><p style="font:15px/1.5 system-ui,sans-serif">Building the site; this page reloads by
itself when it is ready.</p></body></html>
"""


def error_page(generation: int, errors: list[str]) -> bytes:
    """The page shown while no build has succeeded: the errors, or that it is building."""
    page = ERROR_PAGE % html.escape("\n".join(errors)) if errors else BUILDING_PAGE
    return inject(page.encode(), generation, [])


class _Handler(SimpleHTTPRequestHandler):
    server: PreviewServer

    def do_GET(self) -> None:
        root, generation, errors = self.server.state.snapshot()
        path = urlsplit(self.path).path
        if path == STATE_PATH:
            body = json.dumps({"generation": generation, "errors": errors}).encode()
            return self._send(200, "application/json", body)
        if root is None:
            return self._send(503, "text/html; charset=utf-8", error_page(generation, errors))
        self.directory = str(root)
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.end_headers()
                return None
            target = target / "index.html"
        if target.suffix != ".html" or not target.is_file():
            return super().do_GET()
        body = inject(target.read_bytes(), generation, errors)
        return self._send(200, "text/html; charset=utf-8", body)

    def do_HEAD(self) -> None:
        self.send_error(405, "only GET is served")

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a request is not news on the terminal."""


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, state: SiteState) -> None:
        self.state = state
        try:
            super().__init__(("127.0.0.1", port), _Handler)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise ReportgenError(
                f"port {port} on 127.0.0.1 is in use: choose another with --port "
                "(--port 0 picks a free one)"
            ) from None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def start(port: int, state: SiteState) -> tuple[PreviewServer, threading.Thread]:
    """Listen on 127.0.0.1:`port` (0: any free port) and serve on a thread."""
    server = PreviewServer(port, state)
    thread = threading.Thread(target=server.serve_forever, name="reportgen-serve", daemon=True)
    thread.start()
    return server, thread
