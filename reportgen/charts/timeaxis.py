"""Where a time lands on a chart's x axis, identical in every browser and in the images.

Vega formats times in the viewer's local zone unless told otherwise, so reportgen never hands
it local times: x is minutes since the report's start, or epoch milliseconds on a `utc` scale.
For an IANA zone the milliseconds are shifted by that zone's offset at each instant (daylight
saving included) and still drawn on a `utc` scale, so the labels read as wall-clock time there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np

from reportgen.source.tables import Ints
from reportgen.spec.model import TimeAxis


def axis_positions(times: Ints, axis: TimeAxis, start: int) -> list[float]:
    """x values for times in microseconds: minutes since `start`, or (shifted) epoch ms."""
    if axis.kind == "elapsed_minutes":
        return [round(v, 6) for v in ((times - start) / 60e6).tolist()]
    shifted = times + zone_offsets(times, axis.zone) if axis.kind == "zone" else times
    milliseconds: list[float] = (shifted // 1000).astype(np.float64).tolist()
    return milliseconds


def zone_offsets(times: Ints, zone: str) -> Ints:
    """Each time's UTC offset in `zone`, in microseconds (offsets change only at transitions,
    so they are looked up once per distinct hour)."""
    if times.size == 0:
        return times.copy()
    info = ZoneInfo(zone)
    hours = times // 3_600_000_000
    unique, inverse = np.unique(hours, return_inverse=True)
    offsets = np.array(
        [_offset(int(h) * 3_600_000_000, info) for h in unique.tolist()], dtype=np.int64
    )
    result: Ints = offsets[inverse]
    # a transition inside an hour: recompute exactly for the points of that hour
    ends = np.array([_offset(int(h + 1) * 3_600_000_000 - 1, info) for h in unique.tolist()])
    for index in np.flatnonzero(ends != offsets).tolist():
        members = np.flatnonzero(inverse == index)
        result[members] = [_offset(int(t), info) for t in times[members].tolist()]
    return result


def _offset(micros: int, info: ZoneInfo) -> int:
    moment = datetime.fromtimestamp(micros / 1e6, UTC).astimezone(info)
    offset = moment.utcoffset()
    return 0 if offset is None else int(offset.total_seconds() * 1_000_000)


def time_labels(times: Ints, axis: TimeAxis, unit: Literal["ms", "us"] = "ms") -> list[str]:
    """Tooltip labels: the instant in the axis's zone (UTC for elapsed axes), to the
    millisecond (or `unit`: "us" for the microsecond)."""
    zone = axis.zone if axis.kind == "zone" else "UTC"
    shifted = times + zone_offsets(times, zone) if zone != "UTC" else times
    stamps = np.datetime_as_string(shifted.astype("datetime64[us]"), unit=unit)
    suffix = " UTC" if zone == "UTC" else f" {zone}"
    return [s.replace("T", " ") + suffix for s in stamps.tolist()]
