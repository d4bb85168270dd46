"""A small Balsam REST client on `requests`: retries, paging that loses nothing, no token leaks.

Retried: connection errors, timeouts, truncated or malformed answers, and HTTP 429/502/503/504
(honouring `Retry-After`), with exponential backoff and jitter. Never retried: other 4xx (a
retry cannot fix them), 500 (a server bug) and an address that is not a URL. The token lives
only in the sessions' headers.

With `parallel` above 1, an event query is fetched as time windows (see `windows.py`) over
that many connections, one session each; a `Retry-After` from any of them holds back all.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from reportgen.errors import SourceError
from reportgen.source.balsam import windows
from reportgen.source.balsam.credentials import Credentials
from reportgen.source.files import Record

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_DELAY_S = 30.0
PAGE_PASSES = 3
NOT_A_URL = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
)
Params = list[tuple[str, str]]
PageProgress = Callable[[str, int, int, int], None]
"""(what, records so far, pages so far, total count) -> None"""


class _Transient(Exception):
    """A failure worth another try; the message says what happened (never the token)."""

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


class BalsamClient:
    def __init__(
        self,
        credentials: Credentials,
        page_size: int,
        backoff_s: float,
        progress: PageProgress = lambda what, records, pages, total: None,
        sleep: Callable[[float], None] = time.sleep,
        parallel: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.credentials = credentials
        self.page_size = page_size
        self.backoff_s = backoff_s
        self.progress = progress
        self.sleep = sleep
        self.parallel = parallel
        self.clock = clock
        self.requests_made = 0
        self.retries = 0
        self.notes: list[str] = []
        self._cache: dict[tuple[str, tuple[tuple[str, str], ...]], list[Record]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._paused_until = -math.inf  # (on `clock`) a Retry-After holds back every connection

    def __repr__(self) -> str:
        return f"BalsamClient({self.credentials.api_root!r})"

    @property
    def session(self) -> requests.Session:
        """This thread's session: one connection pool per thread, each with the headers."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["Accept"] = "application/json"
            if self.credentials.token:
                session.headers["Authorization"] = f"Bearer {self.credentials.token}"
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        for session in self._sessions:
            session.close()

    def fetch_all(self, what: str, path: str, params: Params) -> list[Record]:
        """Every record matching `params`, sorted by id; identical requests are made once."""
        key = (path, tuple(params))
        if key not in self._cache:
            if path == "events" and self.parallel > 1:
                self._cache[key] = self._fetch_windows(what, path, params)
            else:
                self._cache[key] = self._page_through(what, path, params, self.progress)
        return self._cache[key]

    def count(self, path: str, params: Params) -> int:
        """How many records the server holds for `params` (`limit=0`: the count only)."""
        count: int = self.get_json(path, [*params, ("limit", "0")])["count"]
        return count

    def _fetch_windows(self, what: str, path: str, params: Params) -> list[Record]:
        """An event query as time windows read concurrently, each checked against its own
        count; records merged by id. A small query (or one the cuts cannot be found for) is
        paged through whole."""
        self.progress(what, 0, 0, 0)
        first = self.get_json(path, [*params, ("limit", "1"), ("offset", "0")])
        count = first["count"]
        parts = windows.window_count(count, self.parallel)
        if parts < 2 or not first["results"]:
            return self._page_through(what, path, params, self.progress)
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="balsam") as pool:
            offsets = windows.quantile_offsets(count, parts)
            quantiles = list(pool.map(lambda at: self._timestamp_at(path, params, at), offsets))
            cuts = windows.cut_points(first["results"][0].get("timestamp"), quantiles)
            if cuts is None:
                return self._page_through(what, path, params, self.progress)
            tally = _Tally(self.progress, what, count)
            pieces = windows.window_params(params, cuts)
            fetched = pool.map(
                lambda n: self._page_through(
                    f"{what} (window {n + 1} of {len(pieces)})", path, pieces[n], tally.part(n)
                ),
                range(len(pieces)),
            )
            merged = {record["id"]: record for part in fetched for record in part}
        if len(merged) != count:
            self.notes.append(
                f"{what}: the server counted {count} before its {len(pieces)} time windows "
                f"were read and they held {len(merged)} (records changed meanwhile)"
            )
        return [merged[i] for i in sorted(merged)]

    def _timestamp_at(self, path: str, params: Params, offset: int) -> str | None:
        """The timestamp of the record at `offset` in the query's order (None past the end)."""
        page = self.get_json(path, [*params, ("limit", "1"), ("offset", str(offset))])
        results = page["results"]
        stamp = results[0].get("timestamp") if results else None
        return stamp if isinstance(stamp, str) else None

    def _page_through(
        self, what: str, path: str, params: Params, progress: PageProgress
    ) -> list[Record]:
        """Offset paging in a stable order, de-duplicated by id, checked against `count`.

        Rows that move between pages while a site runs show up as a shortfall against the
        server's count: then the whole query is read again (up to PAGE_PASSES times).
        """
        shortfall = ""
        for _ in range(PAGE_PASSES):
            seen: dict[int, Record] = {}
            offset, pages, count = 0, 0, 0
            progress(what, 0, 0, 0)  # the fetch starts: its rate is measured from here
            while True:
                page = self.get_json(
                    path, [*params, ("limit", str(self.page_size)), ("offset", str(offset))]
                )
                results, count = page["results"], page["count"]
                for record in results:
                    seen[record["id"]] = record
                offset += len(results)
                pages += 1
                progress(what, len(seen), pages, count)
                if not results or offset >= count:
                    break
            if len(seen) >= count:
                if len(seen) > count:
                    self.notes.append(
                        f"{what}: {len(seen) - count} record(s) were added while "
                        "paging; all were kept"
                    )
                return [seen[i] for i in sorted(seen)]
            shortfall = f"the server counted {count} but paging returned {len(seen)}"
            self.notes.append(f"{what}: {shortfall}; read again")
        raise SourceError(
            f"{what}: {shortfall} in {PAGE_PASSES} passes (records are moving while the site "
            "runs); build again when it is quieter, or set as_of and a timestamp_before"
        )

    def server_version(self) -> tuple[str | None, str]:
        """The version the server reports, and where it came from; (None, why) if none.

        Balsam's server (FastAPI) reports one only in its OpenAPI document: `info.version`
        of `GET /openapi.json`, the version its API declares (Balsam 0.7.0a24 says 0.1.0),
        not the release installed. Any failure to read it means none: the records are in.
        """
        try:
            document = self.get_json("openapi.json", [], page=False)
        except SourceError as exc:
            return None, f"the server reported none ({exc})"
        info = document.get("info")
        version = info.get("version") if isinstance(info, dict) else None
        if not isinstance(version, str) or not version.strip():
            return None, "the server reported none (GET /openapi.json has no info.version)"
        assert isinstance(info, dict)
        title = info.get("title")
        named = f" of {title!r}" if isinstance(title, str) else ""
        return version, f"GET /openapi.json: info.version{named}, the version its API declares"

    def get_json(self, path: str, params: Params, page: bool = True) -> dict[str, Any]:
        """One GET with retries; a page `{count, results}` checked for shape (else, with
        `page=False`, any JSON object at the path as given, without a trailing slash)."""
        tail = f"{path.strip('/')}/" if page else path.strip("/")
        url = f"{self.credentials.api_root}/{tail}"
        attempts = self.credentials.retry_count + 1
        for attempt in range(attempts):
            self._wait_for_pause()
            try:
                return self._try_once(url, path, params, page)
            except _Transient as failure:
                if attempt == attempts - 1:
                    raise SourceError(
                        f"GET {url}: {failure} (gave up after {attempts} tries). "
                        f"{self._advice(failure)}"
                    ) from None
                with self._lock:
                    self.retries += 1
                if failure.delay is None:
                    self.sleep(self._backoff(attempt))
                else:  # the server asked for a pause: every connection keeps it
                    with self._lock:
                        until = self.clock() + failure.delay
                        self._paused_until = max(self._paused_until, until)
        raise AssertionError("unreachable")

    def _wait_for_pause(self) -> None:
        with self._lock:
            wait = self._paused_until - self.clock()
        if wait > 0:
            self.sleep(wait)

    def _try_once(self, url: str, path: str, params: Params, page: bool) -> dict[str, Any]:
        with self._lock:
            self.requests_made += 1
        timeout = (self.credentials.connect_timeout, self.credentials.read_timeout)
        try:
            response = self.session.get(url, params=params, timeout=timeout, allow_redirects=False)
        except requests.ConnectionError as exc:
            raise _Transient(_connection_problem(exc)) from None
        except requests.Timeout:
            raise _Transient(f"no answer within {self.credentials.read_timeout:g}s") from None
        except NOT_A_URL as exc:  # a retry cannot fix the address
            raise SourceError(f"GET {url}: not a URL that can be fetched ({exc})") from None
        except requests.RequestException as exc:
            raise _Transient(f"the answer broke off ({type(exc).__name__})") from None
        status = response.status_code
        if status == 200:
            return _checked_page(response) if page else _checked_object(response)
        if status == 401:
            raise SourceError(self._auth_problem(response))
        if status in RETRY_STATUSES:
            raise _Transient(f"HTTP {status}", _retry_after(response))
        raise SourceError(f"GET {url} answered HTTP {status}: {_detail(response)}")

    def _backoff(self, attempt: int) -> float:
        ceiling = min(MAX_DELAY_S, self.backoff_s * 2.0**attempt)
        return ceiling * random.uniform(0.5, 1.0)

    def _advice(self, failure: _Transient) -> str:
        if "refused" in str(failure) or "resolve" in str(failure):
            return (
                "Is the Balsam server running, and is the API root right "
                "(source.balsam.api_root, BALSAM_API_ROOT or client.yml)?"
            )
        return "The server or the network is struggling: try again later."

    def _auth_problem(self, response: requests.Response) -> str:
        creds = self.credentials
        where = f"the Balsam server at {creds.api_root}"
        if not creds.token:
            return (
                f"{where} needs a token and none was found (BALSAM_TOKEN, {creds.origin}): "
                "run `balsam login`"
            )
        if creds.token_expiry is not None and creds.token_expiry <= datetime.now(UTC):
            expired = creds.token_expiry.strftime("%Y-%m-%d %H:%M:%S UTC")
            return (
                f"{where} refused the token from {creds.origin}: it expired at {expired}; "
                "run `balsam login` for a new one"
            )
        return (
            f"{where} rejected the token from {creds.origin} ({_detail(response)}); "
            "run `balsam login` for a new one"
        )


class _Tally:
    """One progress line for a query read as windows: their records and pages summed."""

    def __init__(self, progress: PageProgress, what: str, total: int) -> None:
        self.progress = progress
        self.what = what
        self.total = total
        self.done: dict[int, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def part(self, window: int) -> PageProgress:
        def report(what: str, records: int, pages: int, total: int) -> None:
            with self._lock:
                self.done[window] = (records, pages)  # a window read again starts at 0
                if pages == 0:
                    return
                records = sum(r for r, _ in self.done.values())
                pages = sum(p for _, p in self.done.values())
                self.progress(self.what, records, pages, self.total)

        return report


def _connection_problem(exc: requests.ConnectionError) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    if "Name or service not known" in text or "resolve" in text.lower():
        return "the host name does not resolve"
    if "reset" in text.lower() or "aborted" in text.lower():
        return "the connection was dropped"
    return f"connection failed ({type(exc).__name__})"


def _checked_page(response: requests.Response) -> dict[str, Any]:
    try:
        page = response.json()
    except ValueError:
        raise _Transient("a truncated or malformed JSON answer") from None
    if (
        not isinstance(page, dict)
        or not isinstance(page.get("count"), int)
        or not isinstance(page.get("results"), list)
        or not all(isinstance(r, dict) and isinstance(r.get("id"), int) for r in page["results"])
    ):
        raise _Transient("an answer that is not a page of records")
    return page


def _checked_object(response: requests.Response) -> dict[str, Any]:
    try:
        document = response.json()
    except ValueError:
        raise _Transient("a truncated or malformed JSON answer") from None
    if not isinstance(document, dict):
        raise _Transient("an answer that is not a JSON object")
    return document


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), 120.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    wait: float = (moment - datetime.now(UTC)).total_seconds()
    return min(max(wait, 0.0), 120.0)


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return repr(response.text[:200])
    detail = body.get("detail") if isinstance(body, dict) else body
    return repr(detail)[:300]
