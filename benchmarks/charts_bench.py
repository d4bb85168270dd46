"""Render the utilization chart of an input with and without the per-pixel reduction.

python benchmarks/charts_bench.py DIR reduced|full  -> JSON on stdout
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from peak import peak_rss_mb

from reportgen.analytics import utilization
from reportgen.charts.layers import StepLayer
from reportgen.charts.render import ChartImages
from reportgen.charts.steps import chart_data, chart_spec
from reportgen.site.model import script_json
from reportgen.source.fast import read_event_table
from reportgen.spec.model import Chart, TimeAxis

Y_TITLE = "Nodes in use"


def main() -> None:
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    events = read_event_table(folder / "events.jsonl.gz", set())
    as_of = int(events.timestamp.max())
    start = int(events.timestamp.min())
    series, _ = utilization(events, as_of, True, None)
    layers = [StepLayer(series, "u-utilization", "Utilization", "#1f6fb4", 2.0)]
    chart = Chart("u", "utilization", "Utilization", 800, 300, ("png", "svg", "pdf"), None)
    axis = TimeAxis("elapsed_minutes")
    if mode == "full":  # as many columns as points: the reduction keeps everything
        wide = Chart("u", "utilization", "Utilization", max(len(series), 1), 300, ("png",), None)
        data = chart_data(wide, layers, axis, start, as_of)
    else:
        data = chart_data(chart, layers, axis, start, as_of)
    seconds = {}
    image_spec = chart_spec(chart, data, axis, Y_TITLE, interactive=False)
    for image_format in ("png", "svg", "pdf"):
        began = time.perf_counter()
        ChartImages(image_spec).render(image_format)  # each format drawn from scratch
        seconds[image_format] = time.perf_counter() - began
    page_bytes = len(script_json(chart_spec(chart, data, axis, Y_TITLE, interactive=True)).encode())
    json.dump(
        {
            "changes": data.changes,
            "drawn": data.drawn,
            "seconds": seconds,
            "page_spec_mb": page_bytes / 1e6,
            "peak_rss_mb": peak_rss_mb(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
