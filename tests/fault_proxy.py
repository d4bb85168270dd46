"""A small fault-injecting HTTP proxy on 127.0.0.1, between reportgen and the real server.

Each request is forwarded unless a planned fault matches it first; every fault is used once.
It counts what passed: requests forwarded (with their paths), records in the pages answered,
and the most requests it held at once.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Fault:
    """What to do to the next request whose path contains `path`."""

    kind: str  # drop | status | slow | truncate | shift
    path: str = "/"
    status: int = 503
    retry_after: str | None = None
    delay_s: float = 0.0
    also: str = ""
    """Another part the request's path must contain."""


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.plan: list[Fault] = []
        self.applied: list[str] = []
        self.forwarded = 0
        self.paths: list[str] = []
        self.records = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self.plan):
                if fault.path in path and fault.also in path:
                    del self.plan[index]
                    self.applied.append(f"{fault.kind} {path.split('?')[0]}")
                    return fault
            self.forwarded += 1
            self.paths.append(path)
            return None

    def _count(self, status: int, body: bytes) -> None:
        """Records in a page that reached the client (a dropped or cut answer is no page)."""
        try:
            page = json.loads(body) if status == 200 else None
        except ValueError:
            page = None
        results = page.get("results") if isinstance(page, dict) else None
        with self._lock:
            self.records += len(results) if isinstance(results, list) else 0

    def _enter(self, delta: int) -> None:
        with self._lock:
            self.in_flight += delta
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def _forward(
        self, path: str, headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(
            self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=60
        )
        try:
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            connection.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                proxy._enter(1)
                try:
                    self._answer()
                finally:
                    proxy._enter(-1)

            def _answer(self) -> None:
                fault = proxy._next_fault(self.path)
                if fault is not None and fault.kind == "drop":
                    self.close_connection = True
                    return
                if fault is not None and fault.kind == "status":
                    body = json.dumps({"detail": f"injected {fault.status}"}).encode()
                    self.send_response(fault.status)
                    if fault.retry_after is not None:
                        self.send_header("Retry-After", fault.retry_after)
                    self._send_body(body)
                    return
                if fault is not None and fault.kind == "slow":
                    time.sleep(fault.delay_s)  # the fault itself: past the client's timeout
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() in ("authorization", "accept")
                }
                status, _, body = proxy._forward(self.path, headers)
                if fault is not None and fault.kind == "shift":
                    page = json.loads(body)
                    page["results"] = page["results"][1:]  # a row moved to an earlier page
                    body = json.dumps(page).encode()
                self.send_response(status)
                if fault is not None and fault.kind == "truncate":
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                    return
                proxy._count(status, body)
                self._send_body(body)

            def _send_body(self, body: bytes) -> None:
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    @contextmanager
    def running(self) -> Iterator[FaultProxy]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=10)
