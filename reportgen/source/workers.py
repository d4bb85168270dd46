"""Decoding workers that never outlive the build that started them, and say nothing on Ctrl-C.

A worker is forked from the build. If the build is killed (even with SIGKILL, which runs no
clean-up), Linux sends the worker SIGKILL too (`PR_SET_PDEATHSIG`); where that is not
available, or the parent died before the worker set it up, the worker sees its parent gone
and exits at once. Ctrl-C reaches the whole process group: the build reports it, so the
workers ignore SIGINT rather than each print a traceback. A Ctrl-C that arrives while a
worker is being forked, before it could ignore SIGINT, is held back: workers are forked with
SIGINT blocked (the child inherits the mask; `start_worker` ignores, then unblocks it), and
the build gets its own once the fork is done.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.context
import os
import signal

PR_SET_PDEATHSIG = 1


def start_worker(parent: int) -> None:
    """Initializer of each decoding worker: `parent` is the build's process id."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held since the fork
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(None, use_errno=True)  # the loaded C library, without ldconfig
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)


class _QuietForkProcess(multiprocessing.context.ForkProcess):
    def start(self) -> None:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _QuietForkContext(multiprocessing.context.ForkContext):
    Process = _QuietForkProcess


def worker_context() -> multiprocessing.context.ForkContext:
    """The fork context of the decoding workers: forked with SIGINT held back."""
    return _QuietForkContext()
