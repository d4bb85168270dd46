"""Give freed arrays back to the system at once (glibc) when a build's inputs are large, so
its peak memory is what it holds, not what it once held.

glibc serves an allocation above its mmap threshold with a mapping of its own, unmapped when
freed; below it, from the heap, which keeps freed space. The threshold starts at 128 KB but
rises to the size of each mapped block freed, up to 32 MB: after the first large array is
freed, a reader's columns per chunk (~200 KB each) and most temporaries come from the heap
and stay there. Fixing the threshold stops that rise, at a price: every temporary of
128 KB to 32 MB is then mapped afresh, and the kernel zeroes its pages.

Measured (stop 27), the every-kind build of 9.4 x 10^6 events: process-tree peak 1,483 MB
fixed, 1,918 MB not (1,699-1,795 MB with a 1-4 MB threshold, 1,781 MB with `malloc_trim`
after reading instead); the three-chart cold build of 10^6 events, five alternating
rounds: 4.81 s fixed against 3.83 s not (system time 2.3-2.7 s against 1.0-1.4 s). So the
threshold is fixed only where memory is what matters: inputs estimated at
`LARGE_INPUT_BYTES` or more, or a live source (its size is not known before it is fetched,
and its fetch, not this, is what a user waits for).
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Iterable

from reportgen.source.files import estimated_size
from reportgen.spec.model import FilesSource, Source

M_MMAP_THRESHOLD = -3
"""mallopt's parameter number (glibc's malloc.h)."""
MMAP_THRESHOLD_BYTES = 128 << 10
"""glibc's own starting value, kept fixed: smaller objects stay on the heap as usual."""
LARGE_INPUT_BYTES = 512 << 20
"""About 2.5 x 10^6 events with their jobs, as JSON; 10^6 are ~200 MB (peak ~350 MB)."""


def release_freed_arrays_if_large(sources: Iterable[Source]) -> None:
    """Fix glibc's mmap threshold for this process and the workers it forks if the
    `sources` a build reads are large (elsewhere: no such allocator, nothing to do)."""
    every = list(sources)
    files = [source for source in every if isinstance(source, FilesSource)]
    if len(files) < len(every) or estimated_bytes(files) >= LARGE_INPUT_BYTES:
        with contextlib.suppress(OSError, AttributeError):  # the process's own symbols: libc's
            ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)


def estimated_bytes(sources: Iterable[FilesSource]) -> int:
    """The files' bytes decompressed, estimated (`source.files.estimated_size`)."""
    return sum(estimated_size(path) for source in sources for _, path in source.files())
