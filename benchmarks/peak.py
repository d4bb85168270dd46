"""Peak resident memory of this process alone, for the benchmark scripts."""

from __future__ import annotations

from pathlib import Path


def peak_rss_mb() -> float:
    """`VmHWM` of /proc/self/status, in MB.

    Not `ru_maxrss`: Linux carries a parent's resident size at fork into the child's
    `ru_maxrss`, across exec, so every child of a large `run.py` reported at least the
    parent's memory (measured: 613 MB for a process whose own peak was 13 MB).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status: the benchmarks need Linux")
