"""Altair: node-hours lost per failure group as horizontal bars, over the histogram of
attempts per job (coloured by each job's state at the as-of time), as one Vega-Lite figure."""

from __future__ import annotations

from typing import Any

import altair as alt

from reportgen.charts.failurebars import AttemptBar, GroupBar
from reportgen.charts.figure import PAGE_TICK_PX, layout
from reportgen.charts.layers import CONFIG, STATE_COLORS
from reportgen.charts.narrow import axis_room, is_narrow, text_ems, wrap
from reportgen.charts.palette import ORANGE, PURPLE, SKY_BLUE, VERMILLION, grey
from reportgen.spec.model import Chart

OUTCOME_COLORS = {
    "RUN_ERROR": VERMILLION,
    "RUN_TIMEOUT": ORANGE,
    "RESTART_READY": SKY_BLUE,
    "FAILED": PURPLE,
}
OTHER_COLOR = grey(0.55)
FINAL_COLORS = {
    "JOB_FINISHED": STATE_COLORS["JOB_FINISHED"],
    "FAILED": STATE_COLORS["FAILED"],
    "other state": grey(0.63),
}
"""The attempts histogram's classes: a job's state at the as-of time."""
GROUPS_TITLE = "Node-hours lost per kind of failure (outcome · return code · message)"
BAR_PX = 26
"""Height of one group's bar (with its gap): labels stay readable however many groups."""


CHAR_PX = 6.3
"""About the width of a character of an 11 px label."""


def _label_px(chart: Chart, groups: list[GroupBar]) -> int:
    """The room both charts' y axes take (so their plots line up): the longest bar label's,
    within 100 px and 45% of the chart's width (a longer label is cut, in full in the tooltip)."""
    longest = max((len(g.label) for g in groups), default=0)
    return max(100, min(int(longest * CHAR_PX) + 16, int(chart.width * 0.45)))


def failures_spec(
    chart: Chart, groups: list[GroupBar], attempts: list[AttemptBar], interactive: bool
) -> dict[str, Any]:
    """Both charts stacked (vconcat); `interactive` adds tooltips (the page), images get the
    chart's title (files)."""
    label_px = _label_px(chart, groups)
    figure = alt.vconcat(
        _groups_chart(chart, groups, label_px, interactive),
        _attempts_chart(chart, attempts, label_px, interactive),
    ).resolve_scale(color="independent")
    if not interactive:
        figure = figure.properties(title=chart.title)
    spec: dict[str, Any] = figure.to_dict(validate=False)
    spec["datasets"] = {
        **spec.get("datasets", {}),  # (Altair's own: the line said when nothing failed)
        f"{chart.id}-groups": [vars(g) for g in groups],
        f"{chart.id}-attempts": [vars(a) for a in attempts],
    }
    spec["config"] = CONFIG
    spec["background"] = "white"
    return spec


def _groups_chart(chart: Chart, groups: list[GroupBar], label_px: int, interactive: bool) -> Any:
    if not groups:
        return _nothing_failed(chart)
    outcomes = list(dict.fromkeys(g.outcome for g in groups))
    top = max((g.node_hours for g in groups), default=0.0)
    colors = [OUTCOME_COLORS.get(o, OTHER_COLOR) for o in outcomes]
    encoding: dict[str, Any] = {
        "y": alt.Y(
            "label:N",
            sort=[g.label for g in groups],
            title=None,
            axis=alt.Axis(labelLimit=label_px - 8, minExtent=label_px, maxExtent=label_px),
        ),
        "x": alt.X(
            "node_hours:Q",
            title="Node-hours the ended runs had used",
            # room right of the longest bar for its value
            scale=alt.Scale(domain=[0, 1.15 * top]) if top > 0 else alt.Undefined,
        ),
        "color": alt.Color(
            "outcome:N",
            title="Outcome",
            scale=alt.Scale(domain=outcomes, range=colors),
            legend=alt.Legend(orient="top"),
        ),
    }
    if interactive:
        encoding["tooltip"] = [
            alt.Tooltip("outcome:N", title="Outcome"),
            alt.Tooltip("returncode:N", title="Return code"),
            alt.Tooltip("message:N", title="Message"),
            alt.Tooltip("attempts:Q", title="Attempts", format=",d"),
            alt.Tooltip("jobs:N", title="Jobs"),
            alt.Tooltip("node_hours_text:N", title="Node-hours"),
        ]
    base = alt.Chart(alt.NamedData(name=f"{chart.id}-groups"))
    bars = base.mark_bar().encode(**encoding)
    values = base.mark_text(align="left", dx=4, fontSize=11).encode(
        y=encoding["y"], x="node_hours:Q", text=alt.Text("node_hours:Q", format=",.2f")
    )
    return alt.layer(bars, values).properties(
        width=chart.width - label_px,
        height=max(BAR_PX * len(groups), BAR_PX),
        title=GROUPS_TITLE,
    )


NOTHING_PX = 13
"""The size of the line said in place of the bars."""


def _nothing_failed(chart: Chart) -> Any:
    """In place of the bars: a line saying there is nothing to draw."""
    text = "No attempt ended other than in RUN_DONE by the as-of time."
    figure = layout(chart.figure)
    x: float = 0
    if is_narrow(figure.width, figure.tick):
        # from the figure's left edge (the panel below has its axis there; a panel's title
        # starts where its drawing does), on lines that fit the figure's width
        assert figure.width is not None and figure.tick is not None
        size = NOTHING_PX / PAGE_TICK_PX * figure.tick
        x = -axis_room(figure.width)
        text = "\n".join(wrap(text, (figure.width - 10) / size))
    return (
        alt.Chart(alt.InlineData(values=[{"text": text}]))
        .mark_text(
            align="left", baseline="middle", fontSize=NOTHING_PX, x=x, y=BAR_PX, lineBreak="\n"
        )
        .encode(text="text:N")
        .properties(width=chart.width, height=2 * BAR_PX, title=GROUPS_TITLE)
    )


def _totals(attempts: list[AttemptBar]) -> dict[int, int]:
    """Jobs per number of attempts (a bar's height)."""
    totals: dict[int, int] = {}
    for bar in attempts:
        totals[bar.attempts] = totals.get(bar.attempts, 0) + bar.jobs
    return totals


def _tallest(attempts: list[AttemptBar]) -> int:
    return max(_totals(attempts).values(), default=0)


def _attempts_encoding(attempts: list[AttemptBar], label_px: int) -> dict[str, Any]:
    """Bars per number of attempts, stacked by state at as-of (finished at the bottom)."""
    finals = list(FINAL_COLORS)
    return {
        "x": alt.X(
            "attempts:O",
            title="Times the job entered RUNNING",
            axis=alt.Axis(labelAngle=0),
            # every number up to the largest, so a gap shows as one
            scale=alt.Scale(domain=list(range(max((a.attempts for a in attempts), default=0) + 1))),
        ),
        "y": alt.Y(
            "jobs:Q",
            title=None,
            stack="zero",
            axis=alt.Axis(
                tickMinStep=1,
                tickCount=min(5, max(1, _tallest(attempts))),  # (else 0, 1, 1 for one job)
                format=",d",
                minExtent=label_px,
                maxExtent=label_px,
            ),
        ),
        "color": alt.Color(
            "final:N",
            title="State at the as-of time",
            sort=finals,
            scale=alt.Scale(domain=finals, range=list(FINAL_COLORS.values())),
            legend=alt.Legend(orient="top"),
        ),
        "order": alt.Order("order:Q"),
    }


def _totals_fit(chart: Chart, attempts: list[AttemptBar]) -> bool:
    """Whether each bar's total fits its band in the chart's image: always at the page's
    size; in a narrow figure, if the widest total is no wider than the plot's width (right
    of the axis `narrow` leaves) over the bars (else the totals would run into each other)."""
    figure = layout(chart.figure)
    if not is_narrow(figure.width, figure.tick):
        return True
    assert figure.width is not None and figure.tick is not None
    bars = max((a.attempts for a in attempts), default=0) + 1
    band = (figure.width - axis_room(figure.width)) / bars
    widest = max((text_ems(f"{total:,}") for total in _totals(attempts).values()), default=0)
    return widest * figure.tick <= band


def _attempts_chart(
    chart: Chart, attempts: list[AttemptBar], label_px: int, interactive: bool
) -> Any:
    encoding = _attempts_encoding(attempts, label_px)
    if interactive:
        encoding["tooltip"] = [
            alt.Tooltip("attempts:O", title="Entries into RUNNING"),
            alt.Tooltip("final:N", title="State at as-of"),
            alt.Tooltip("jobs:Q", title="Jobs", format=",d"),
        ]
    base = alt.Chart(alt.NamedData(name=f"{chart.id}-attempts"))
    bars = (
        base.transform_calculate(order=f"indexof({list(FINAL_COLORS)!r}, datum.final)")
        .mark_bar()
        .encode(**encoding)
    )
    totals = (
        base.transform_aggregate(total="sum(jobs)", groupby=["attempts"])
        .mark_text(dy=-7, fontSize=11)
        .encode(x="attempts:O", y="total:Q", text=alt.Text("total:Q", format=",d"))
    )
    layers = [bars, totals] if interactive or _totals_fit(chart, attempts) else [bars]
    return alt.layer(*layers).properties(
        width=chart.width - label_px,
        height=max(140, chart.height // 2),
        title="Jobs per number of attempts",
    )
