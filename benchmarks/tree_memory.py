"""Peak memory of a command with every process it starts (the decoding workers included).

    python3 benchmarks/tree_memory.py [--json] COMMAND [ARG ...]

Samples the total PSS (proportional set size: shared pages split between the processes that
share them, so forked workers are not counted twice) of the command's process tree every
50 ms and prints the peak. `run.py`'s peak RSS is one process's; this is the whole build's.
With `--json`, COMMAND prints one JSON object: it is printed again with `tree_pss_mb` added.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):  # the task ended meanwhile
                pending += [int(child) for child in (task / "children").read_text().split()]
    return found


def pss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # the process ended meanwhile
        return 0.0
    line = next((line for line in text.splitlines() if line.startswith("Pss:")), "Pss: 0 kB")
    return int(line.split()[1]) / 1024


def main() -> int:
    as_json = sys.argv[1:2] == ["--json"]
    arguments = sys.argv[2:] if as_json else sys.argv[1:]
    command = subprocess.Popen(arguments, stdout=subprocess.PIPE if as_json else None, text=True)
    peak, processes = 0.0, 0
    while command.poll() is None:
        tree = descendants(command.pid)
        total = sum(pss_mb(pid) for pid in tree)
        if total > peak:
            peak, processes = total, len(tree)
        time.sleep(0.05)
    if as_json:
        assert command.stdout is not None
        result = json.loads(command.stdout.read())
        json.dump({**result, "tree_pss_mb": peak}, sys.stdout)
    else:
        print(f"peak PSS of the process tree: {peak:,.0f} MB ({processes} process(es) then)")
    return command.returncode


if __name__ == "__main__":
    raise SystemExit(main())
