"""Decoding workers that never outlive the build that started them, and say nothing on Ctrl-C.

A worker is forked from the build. If the build is killed (even with SIGKILL, which runs no
clean-up), Linux sends the worker SIGKILL too (`PR_SET_PDEATHSIG`); where that is not
available, or the parent died before the worker set it up, the worker sees its parent gone
and exits at once. Ctrl-C reaches the whole process group: the build reports it, so the
workers ignore SIGINT rather than each print a traceback.

A Ctrl-C is held back while the build hands the pool a chunk (`held_interrupts`): the first
`submit` forks the workers and then starts the pool's own thread, and an interrupt between
the two leaves a pool that cannot shut down ("cannot join thread before it is started"). A
worker forked meanwhile starts with SIGINT held too (a child inherits the mask);
`start_worker` ignores it, then lets it through.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.context
import os
import signal
from collections.abc import Iterator

PR_SET_PDEATHSIG = 1
INTERRUPTS = {signal.SIGINT, signal.SIGALRM}
"""Ctrl-C and its retry (`reportgen/interrupt.py`)."""


def start_worker(parent: int) -> None:
    """Initializer of each decoding worker: `parent` is the build's process id."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, INTERRUPTS)  # held since the fork
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(None, use_errno=True)  # the loaded C library, without ldconfig
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)


@contextlib.contextmanager
def held_interrupts() -> Iterator[None]:
    """Ctrl-C (and its retry) held back in this thread until the block ends, then delivered."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def worker_context() -> multiprocessing.context.ForkContext:
    """The fork context of the decoding workers (forked inside `held_interrupts`)."""
    return multiprocessing.get_context("fork")
