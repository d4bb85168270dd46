"""The report spec schema, declared once as data: checks, meanings and defaults.

`docs/spec-reference.md` is generated from it (`python -m reportgen.spec.reference`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from reportgen.spec.chartqueries import IMPLIED, Reference, fill_queries
from reportgen.spec.comparison import STEADY_STATE, WHOLE_RUN
from reportgen.spec.conditional import ByType, OneOfForms
from reportgen.spec.containers import Fields, Key, ListOf, NamedMap, OneOrMany
from reportgen.spec.domain import KeyValues, TimeAxisName, Timestamp
from reportgen.spec.figure import FIGURE
from reportgen.spec.scalars import Boolean, Choice, Integer, Number, Text
from reportgen.spec.urls import HttpUrl
from reportgen.states import BATCH_JOB_STATES, JOB_STATES

IMAGE_FORMATS = ("png", "svg", "pdf")
MAX_CONNECTIONS = 8
"""The most connections one event query is fetched over (`source.balsam.parallel`)."""

_ids = OneOrMany(Integer(minimum=1, expected="a positive integer"), "an id or a list of ids")
_job_state = Choice(JOB_STATES)
_path = Text("a file path")

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

EVENT_QUERY = Fields(
    {
        "id": Key(_ids, "Only events with these ids.", None, "any"),
        "job_id": Key(_ids, "Only events of these jobs.", None, "any"),
        "batch_job_id": Key(
            Integer(minimum=1, expected="a positive integer"),
            "Only events of jobs whose *latest* batch job has this id (Balsam's meaning).",
            None,
            "any",
        ),
        "scheduler_id": Key(
            Integer(minimum=0, expected="a non-negative integer"),
            "Only events of jobs whose latest batch job has this scheduler id (e.g. a PBS id).",
            None,
            "any",
        ),
        "tags": Key(KeyValues(), "Only events of jobs having all these tags.", (), "none"),
        "data": Key(
            KeyValues(),
            "Only events whose `data` has all these string values.",
            (),
            "none",
        ),
        "from_state": Key(_job_state, "Only transitions out of this job state.", None, "any"),
        "to_state": Key(_job_state, "Only transitions into this job state.", None, "any"),
        "timestamp_after": Key(Timestamp(), "Only events at or after this time.", None, "none"),
        "timestamp_before": Key(Timestamp(), "Only events at or before this time.", None, "none"),
    },
    "a mapping of event filters",
)

BATCH_JOB_QUERY = Fields(
    {
        "id": Key(_ids, "Only batch jobs with these ids.", None, "any"),
        "site_id": Key(_ids, "Only batch jobs of these sites.", None, "any"),
        "state": Key(
            OneOrMany(Choice(BATCH_JOB_STATES), "a state or a list of states"),
            "Only batch jobs in one of these states.",
            None,
            "any",
        ),
        "scheduler_id": Key(
            Integer(minimum=0, expected="a non-negative integer"),
            "Only the batch job with this scheduler id.",
            None,
            "any",
        ),
        "queue": Key(Text(), "Only batch jobs submitted to this queue.", None, "any"),
        "filter_tags": Key(KeyValues(), "Only batch jobs whose filter_tags include all these.", ()),
        "start_time_before": Key(Timestamp(), "Only batch jobs started at or before.", None),
        "start_time_after": Key(Timestamp(), "Only batch jobs started at or after.", None),
        "end_time_before": Key(Timestamp(), "Only batch jobs ended at or before.", None),
        "end_time_after": Key(Timestamp(), "Only batch jobs ended at or after.", None),
    },
    "a mapping of batch-job filters",
)

QUERIES = Fields(
    {
        "events": Key(
            NamedMap(EVENT_QUERY, "a mapping of query names to event filters"),
            "Named EventLog queries that charts refer to.",
            {},
            "none",
        ),
        "batch_jobs": Key(
            NamedMap(BATCH_JOB_QUERY, "a mapping of query names to batch-job filters"),
            "Named BatchJob queries that charts refer to.",
            {},
            "none",
        ),
    },
    "a mapping with the keys events and batch_jobs",
)


def kind_options() -> Mapping[str, Mapping[str, Key]]:
    """Each registered kind's own chart keys, by kind name (read when a spec is checked)."""
    from reportgen.kinds import KINDS  # the kinds import this module's checks

    return {name: kind.options for name, kind in KINDS.items()}


def kinds_requiring_jobs() -> frozenset[str]:
    """The kinds that cannot do without job records (a files source needs its jobs file)."""
    from reportgen.kinds import KINDS

    return frozenset(name for name, kind in KINDS.items() if kind.requires_jobs)


CHART_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
EVENT_REF = Reference("events", "event queries")
BATCH_JOB_REF = Reference("batch_jobs", "batch-job queries")

CHART = ByType(
    {
        "id": Key(
            Text("a file name of letters, digits, '_' or '-'", CHART_ID, 64),
            "Unique within the report; names the chart's files (`<id>.png`, `<id>.csv`, ...).",
        ),
        "title": Key(Text(), "Shown above the chart.", None, "from the type"),
        "width": Key(Integer(200, 4000, "an integer from 200 to 4000"), "In CSS pixels.", 800),
        "height": Key(Integer(100, 3000, "an integer from 100 to 3000"), "In CSS pixels.", 300),
        "formats": Key(
            ListOf(Choice(IMAGE_FORMATS), "a list of png, svg, pdf"),
            "Image files written beside the page (the CSV is always written).",
            ["png", "svg", "pdf"],
            "[png, svg, pdf]",
        ),
        "figure": Key(
            FIGURE,
            "The image files' physical size, resolution and fonts (the page keeps its own "
            "sizing); over the report's `figure:`, key by key.",
            None,
            "the report's `figure:`",
        ),
        "runs": Key(
            Choice(("all",)),
            "The runs the chart draws, in a report with `runs:`: `all` (the only choice: every "
            "chart draws every run). There, a query key left out is the report's only query "
            f"of its table, and without `queries:` each run's own, `{IMPLIED}` (its tags).",
            None,
            "all",
        ),
    },
    kind_options,
    "What the chart shows: one of the kinds below, each with its own keys.",
    fill=fill_queries,
)

RUN = Fields(
    {
        "tags": Key(
            KeyValues(),
            "The run's jobs: added to every event query's `tags` and every batch-job query's "
            "`filter_tags`.",
            (),
            "none",
        ),
        "source": Key(SOURCE, "Where this run's records come from.", None, "the report's"),
        "as_of": Key(Timestamp(), "This run's cut-off time.", None, "the report's"),
        "queries": Key(
            QUERIES,
            "This run's own queries, named as the report's: each replaces the report's query "
            "of that name for this run (another system's tags, another time window); the "
            f"run's `tags` still narrow them. Names the report does not define are an error "
            f"(charts name the report's queries; without `queries:` they are `{IMPLIED}`).",
            None,
            "the report's",
        ),
    },
    "a mapping with the keys tags, source, as_of, queries",
)

TAG_KEY = re.compile(r"[^:]+")

RUNS = OneOfForms(
    "by_tag",
    Fields(
        {
            "by_tag": Key(
                Text("a tag key without ':'", TAG_KEY),
                "One run per value of this job tag found in the data (in numeric order when "
                "every value is a number, else in text order), named by the value.",
            ),
            "tags": Key(
                KeyValues(), "Only jobs having all these tags (and their batch jobs).", (), "none"
            ),
        },
        "a mapping with the keys by_tag and tags",
    ),
    NamedMap(RUN, "a mapping of run names to runs"),
    "a mapping of run names to runs, or {by_tag: <tag>, tags: {...}}",
)

SUMMARY = Fields(
    {
        "events": Key(EVENT_REF, "Event query for jobs finished/failed.", None, "the first one"),
        "batch_jobs": Key(
            BATCH_JOB_REF, "Batch-job query for node-hours available.", None, "the first one"
        ),
    },
    "a mapping with the keys events and batch_jobs",
)

REPORT = Fields(
    {
        "title": Key(Text(), "The report's title."),
        "description": Key(
            Text(),
            "Shown on the page, in Markdown (CommonMark; raw HTML is shown as text).",
            "",
            "empty",
        ),
        "source": Key(SOURCE, "Where the records come from."),
        "as_of": Key(
            Timestamp(),
            "Cut-off time: later events and batch-job times are ignored; open intervals stay "
            "open up to it. `--as-of` overrides it.",
            None,
            "the latest timestamp in the loaded data",
        ),
        "time_axis": Key(
            TimeAxisName(),
            "`elapsed_minutes` (since the report's first point), `utc`, or an IANA zone.",
            "elapsed_minutes",
        ),
        "queries": Key(
            QUERIES,
            "Named queries. A report with `runs:` may leave them out: each run then has one "
            f"event and one batch-job query, `{IMPLIED}`, its tags (the events of its jobs, "
            "the batch jobs whose filter_tags have them), and charts name no query.",
            None,
            "none",
        ),
        "runs": Key(
            RUNS,
            "Runs compared in one report: each has the report's queries narrowed to its tags, "
            "its own start and as-of time, and optionally its own source. Charts draw every run.",
            None,
            "one run: the report's source and queries",
        ),
        "baseline": Key(
            Text(),
            "The run the others are compared with (a `scaling` table's speedup and deltas).",
            None,
            "the first run",
        ),
        "steady_state": Key(
            STEADY_STATE,
            "Each run's steady state, as fractions of its completions: from the k1-th "
            "completion to the k2-th, k1 = max(1, ceil(from x N)), k2 = ceil(to x N) of its N "
            "(exactly; 0 <= from < to <= 1).",
            WHOLE_RUN,
            "from: 0, to: 1 (the first completion to the last)",
        ),
        "charts": Key(ListOf(CHART, "a list of charts", 1), "Charts, in page order."),
        "figure": Key(
            FIGURE,
            "Default `figure:` of every chart. Without any, images are the chart's page "
            "layout at 96 CSS pixels to the inch (an 864 x 375 px chart: a 9 x 3.9 in image, "
            "PNG 2700 x 1172 px at 300 dpi, PDF 648 x 281.25 pt), with the page's font sizes, "
            "title and as-of label.",
            None,
            "none",
        ),
        "summary": Key(SUMMARY, "Headline numbers on the index page.", None, "first queries"),
        "group": Key(
            Text(),
            "The index page lists the reports under their groups (in the order each group's "
            'first report comes), reports without one last, under "Other reports".',
            None,
            "none (when no report has one, the index is one table)",
        ),
    },
    "a mapping (the report spec)",
)
