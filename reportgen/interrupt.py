"""Ctrl-C, raised as KeyboardInterrupt only where it cannot leave the import system locked.

Python raises KeyboardInterrupt at whatever bytecode the main thread is running when the
signal is handled. In CPython 3.11 that can be right after `_imp.acquire_lock()` in
`importlib._bootstrap` and before the `try` that releases it (the check for signals runs at
the end of the call). The global import lock then stays held by the main thread; if the
interrupt landed in a weakref callback of a module lock, it is even swallowed ("Exception
ignored in ...") and the build goes on. Any other thread that imports (the Altair import
started on a thread, see `charts/warmup.py`) then waits for that lock forever, and the main
thread waits for the other thread's module, or joins it at exit: the build hangs instead of
stopping. Seen about once in a hundred Ctrl-Cs on a loaded two-core machine.

So a Ctrl-C that finds the main thread in the import system's own code is put off: it is
tried again every `RETRY_SECONDS` (SIGALRM) until the main thread is elsewhere, which is at
most the rest of one import. Everywhere else it is the plain KeyboardInterrupt, which the
CLI reports.
"""

from __future__ import annotations

import signal
from types import FrameType

RETRY_SECONDS = 0.005
IMPORT_SYSTEM = "<frozen importlib"
"""How the import system's frozen modules name their code (`co_filename`)."""


def install() -> None:
    """Handle Ctrl-C as above in this process, unless SIGINT is ignored (`nohup`, `&`...)
    or someone already replaced Python's own handler."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        listen(signal.SIGINT)


def listen(*stops: signal.Signals) -> None:
    """From now on each of `stops` (SIGINT, SIGTERM...) raises KeyboardInterrupt, as above."""
    for stop in (*stops, signal.SIGALRM):
        signal.signal(stop, interrupt)


def ignore(*stops: signal.Signals) -> None:
    """From now on `stops` and a retry already due do nothing: for a clean-up that a second
    Ctrl-C must not cut short."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    for stop in (*stops, signal.SIGALRM):
        signal.signal(stop, signal.SIG_IGN)


def interrupt(signum: int, frame: FrameType | None) -> None:
    """The handler: KeyboardInterrupt now, or a retry soon if `frame` is the import system's."""
    if frame is not None and frame.f_code.co_filename.startswith(IMPORT_SYSTEM):
        signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
        return
    raise KeyboardInterrupt
