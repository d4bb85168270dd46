"""vl-convert's JavaScript engine started on a thread while the records are read, and
Altair imported on a thread while the series are computed.

The first conversion in a process starts the engine and loads Vega-Lite into it: ~1 s on
this machine, then ~0.05 s per small chart. vl-convert converts outside the GIL, so a
first conversion of a one-point chart on a thread, started before a build reads its
records, takes that second off the wait for the first image. Started only by a build that
reads records (a rebuild from the build cache usually renders nothing: its images are
reused, and a process waits for its threads before it exits).

Altair's import (~0.3 s) is wanted only to lay charts out, after the records are read and
the series computed: it starts once the records are in, when no earlier build left results
(so no laid-out sections either, see `kinds/kept.py`), and overlaps the computation, which
spends most of its time in NumPy outside the GIL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_started: dict[str, threading.Thread] = {}
_lock = threading.Lock()

ONE_POINT: dict[str, Any] = {
    "data": {"values": [{"x": 0}]},
    "mark": "point",
    "encoding": {"x": {"field": "x", "type": "quantitative"}},
}


def start_renderer() -> None:
    """Start the engine on a thread, once per process."""
    _start_once("vl-convert start", _first_conversion)


def _start_once(name: str, work: Callable[[], None]) -> None:
    """`work` on a thread named `name`, the first time only."""
    with _lock:
        if name not in _started:
            _started[name] = threading.Thread(target=work, name=name)
            _started[name].start()


def _first_conversion() -> None:
    import vl_convert

    from reportgen.charts.render import VEGALITE_VERSION

    try:
        vl_convert.vegalite_to_svg(ONE_POINT, vl_version=VEGALITE_VERSION)
    except Exception:  # (a real render reports any failure of the engine)
        return


def start_layout_import() -> None:
    """Import Altair on a thread, once per process (a later `import altair` waits for it)."""
    _start_once("Altair import", _import_altair)


def _import_altair() -> None:
    import altair  # noqa: F401
