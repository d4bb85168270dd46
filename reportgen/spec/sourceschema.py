"""The spec schema of where records come from: saved API responses or a live Balsam server,
and the provenance of a snapshot fetched from one (`source.files.fetched`)."""

from __future__ import annotations

from reportgen.spec.containers import Fields, Key, ListOf
from reportgen.spec.domain import Timestamp
from reportgen.spec.scalars import Boolean, Choice, Integer, Number, Text
from reportgen.spec.urls import HttpUrl

_path = Text("a file path")

MAX_CONNECTIONS = 8
"""The most connections one event query is fetched over (`source.balsam.parallel`)."""


FETCHED_SET = Fields(
    {
        "kind": Key(Choice(("events", "batch_jobs", "jobs")), "What the records are."),
        "query": Key(
            Text(),
            "The query they answered; empty for the jobs and the batch jobs (by scheduler id) "
            "reportgen fetched to apply filters itself.",
        ),
        "path": Key(Text(), "The API path, like `/events/`."),
        "params": Key(
            Text(),
            "The query string sent (without `limit` and `offset`): each parameter is the "
            "filter of the same name that the server applied, but `ordering`.",
        ),
        "records": Key(
            Integer(0, expected="a count of 0 or more"),
            "The records the server returned (every page, de-duplicated by id).",
        ),
    },
    "a mapping of kind, query, path, params, records",
)

FETCHED = Fields(
    {
        "api_root": Key(HttpUrl(), "The server the records were fetched from."),
        "server_version": Key(
            Text(),
            "The version the server reported (Balsam's API declares one in "
            "`GET /openapi.json`, `info.version`).",
            None,
            "it reported none",
        ),
        "server_version_origin": Key(Text(), "Where that version came from, or why none."),
        "started": Key(Timestamp(), "When the fetch started (UTC)."),
        "ended": Key(Timestamp(), "When its last record set arrived (UTC)."),
        "record_sets": Key(ListOf(FETCHED_SET), "Each record set fetched, in fetch order."),
    },
    "a mapping of api_root, server_version, server_version_origin, started, ended, record_sets",
)

FILES_SOURCE = Fields(
    {
        "events": Key(_path, "EventLog records (`/events/` responses).", None, "none"),
        "jobs": Key(
            _path,
            "Job records (`/jobs/` responses). Needed by event queries that filter on `tags`, "
            "`batch_job_id` or `scheduler_id`, and for the `num_nodes` fallback.",
            None,
            "none",
        ),
        "batch_jobs": Key(
            _path,
            "BatchJob records (`/batch-jobs/` responses). Needed by batch-job queries and by "
            "`scheduler_id` on event queries.",
            None,
            "none",
        ),
        "fetched": Key(
            FETCHED,
            "How the files were fetched from a live server: reportgen writes it into a "
            "snapshot's spec (`<report>/data/<report>.yaml`), and the rebuilt report's "
            "manifest and page repeat it as given. Not needed in specs of your own.",
            None,
            "none",
        ),
    },
    "a mapping of events, jobs, batch_jobs (file paths) and fetched",
)

BALSAM_SOURCE = Fields(
    {
        "api_root": Key(
            HttpUrl(),
            "The Balsam server. `BALSAM_API_ROOT` in the environment overrides it.",
            None,
            "from client.yml",
        ),
        "client_config": Key(
            _path,
            "The `client.yml` that `balsam login` writes (token, expiry, timeouts, retries); "
            "relative to the spec's folder.",
            None,
            "`$BALSAM_CLIENT_PATH`, else `~/.balsam/client.yml`",
        ),
        "page_size": Key(
            Integer(1, 100_000, "an integer from 1 to 100000"),
            "Records per request (the server's maximum is 100000).",
            100_000,
        ),
        "parallel": Key(
            Integer(1, MAX_CONNECTIONS, f"an integer from 1 to {MAX_CONNECTIONS}"),
            "Connections an event query is fetched over at once: a query of 1,000 events "
            "or more is cut into time windows of about equal counts (one per "
            "connection), each paged in timestamp order and checked against its own count, "
            "and merged by id: the same records as over one connection. `1` pages every "
            "query whole. Bounded because a Balsam server is shared: more connections load "
            "it without fetching faster. Against Balsam's server as it ships (one gunicorn "
            "worker) on 2 cores, 1 connection was the fastest (benchmarks/README.md).",
            4,
        ),
        "lag_s": Key(
            Number(0.0, 86_400.0, "a number of seconds from 0 to 86400"),
            "How late records may reach the server after the time they carry (launchers send "
            "state changes in batches). A rebuild keeps the records of its last fetch (in the "
            "build cache) and fetches again only those from the newest kept one minus this "
            "lag (events by `timestamp`, jobs by `last_update`); the server's counts then find "
            "what changed earlier, per time bucket, and those buckets are fetched again. "
            "Batch jobs are always fetched whole. `--refresh` or `--no-cache` fetch "
            "everything.",
            600.0,
        ),
        "snapshots": Key(
            Boolean(),
            "Write the fetched records into the site (`<report>/data/`) so the report can be "
            "rebuilt offline. Turn off for sites that must not publish raw records.",
            True,
        ),
        "retry_backoff_s": Key(
            Number(0.0, 60.0, "a number of seconds from 0 to 60"),
            "First retry delay; it doubles per retry (with jitter), or follows `Retry-After`.",
            0.5,
        ),
    },
    "a mapping of Balsam server settings",
)

SOURCE = Fields(
    {
        "files": Key(
            FILES_SOURCE,
            "Saved API responses. Each file holds one `{count, results}` page, a list of pages, "
            "a list of records, or JSON Lines; `.gz` is read transparently. Relative paths "
            "resolve against the spec file's folder.",
            None,
            "give files or balsam",
        ),
        "balsam": Key(
            BALSAM_SOURCE,
            "A live Balsam server; `balsam: {}` uses the credentials of `balsam login`.",
            None,
            "give files or balsam",
        ),
    },
    "a mapping with the key files or balsam",
)
