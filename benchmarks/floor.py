"""The parsing floor: decompress and decode the events file into structs, nothing more.

python benchmarks/floor.py EVENTS_FILE  -> seconds on stdout
"""

from __future__ import annotations

import gzip
import sys
import time

import msgspec

from reportgen.source.fast import _page_type
from reportgen.source.structs import Event as _Event

started = time.perf_counter()
with open(sys.argv[1], "rb") as compressed:
    raw = gzip.decompress(compressed.read())
if raw.lstrip().startswith(b'{"results"'):
    rows = msgspec.json.Decoder(_page_type(_Event)).decode(raw).results
else:
    rows = msgspec.json.Decoder(_Event).decode_lines(raw)
print(time.perf_counter() - started, len(rows))
