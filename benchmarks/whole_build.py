"""One timed `reportgen build` of a spec, in a fresh process, with the build cache on.

    python benchmarks/whole_build.py SPEC OUT CACHE  -> JSON on stdout

`seconds` is `build_site` alone; `process_seconds` adds starting Python and importing
reportgen, Altair and vl-convert (what a user waits for). Peak RSS is this process's; the
two decoding workers are forked children with their own, smaller, memory.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from peak import peak_rss_mb

STARTED = time.perf_counter()

from reportgen.build import build_site  # noqa: E402  (the import is part of the timing)


def main() -> None:
    spec, out, cache = (Path(arg) for arg in sys.argv[1:4])
    began = time.perf_counter()
    result = build_site([spec], out, cache_dir=cache)
    finished = time.perf_counter()
    json.dump(
        {
            "seconds": finished - began,
            "process_seconds": finished - STARTED,
            "peak_rss_mb": peak_rss_mb(),
            "images_rendered": result.images_rendered,
            "images_reused": result.images_reused,
            "data_reused": result.data_reused,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
