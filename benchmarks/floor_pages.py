"""The reading and decoding floor of a list-of-pages events file, one core.

python benchmarks/floor_pages.py EVENTS.json  -> {"read": s, "decode": s, "records": n}

Reading is the file's bytes into memory; decoding is msgspec turning them into the typed
event structs reportgen's reader uses (`reportgen/source/structs.py`), nothing more.
"""

from __future__ import annotations

import json
import sys
import time

import msgspec

from reportgen.source.fast import _page_type
from reportgen.source.structs import Event

began = time.perf_counter()
with open(sys.argv[1], "rb") as saved:
    raw = saved.read()
read = time.perf_counter()
pages = msgspec.json.Decoder(list[_page_type(Event)]).decode(raw)  # type: ignore[misc]
decoded = time.perf_counter()
records = sum(len(page.results) for page in pages)
json.dump({"read": read - began, "decode": decoded - read, "records": records}, sys.stdout)
