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
from reportgen.spec.model import IMAGE_FORMATS
from reportgen.spec.scalars import Choice, Integer, Text
from reportgen.spec.sourceschema import SOURCE
from reportgen.states import BATCH_JOB_STATES, JOB_STATES

_ids = OneOrMany(Integer(minimum=1, expected="a positive integer"), "an id or a list of ids")
_job_state = Choice(JOB_STATES)

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
