"""Ctrl-C is raised only outside the import system's own code (`reportgen/interrupt.py`).

The hang it prevents is a race (a signal handled right after importlib takes its lock); these
tests call the handler as CPython would, with the frame it would pass, inside a real import."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap

import pytest

from reportgen import interrupt

IN_AN_IMPORT = textwrap.dedent(
    """
    import importlib.abc, json, signal, sys, threading, traceback
    from reportgen import interrupt

    interrupt.install()
    seen = {}

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "module_being_imported":
                frame = sys._getframe(1)  # the import system's: where a Ctrl-C can land
                seen["frame"] = frame.f_code.co_filename
                try:
                    interrupt.interrupt(signal.SIGINT, frame)
                    seen["raised_in_import"] = False
                except KeyboardInterrupt:
                    seen["raised_in_import"] = True
                seen["retry_armed"] = signal.getitimer(signal.ITIMER_REAL)[0] > 0
            return None

    sys.meta_path.insert(0, Finder())
    try:
        try:
            import module_being_imported
        except ModuleNotFoundError:
            pass
        if seen["retry_armed"]:
            signal.pause()  # until the retry comes
    except KeyboardInterrupt as exc:
        seen["raised_at"] = traceback.extract_tb(exc.__traceback__)[-1].filename
    # the import system is not left locked: another thread can import
    other = threading.Thread(target=__import__, args=("json.tool",), daemon=True)
    other.start()
    other.join(60)
    seen["other_thread_imported"] = not other.is_alive()
    print(json.dumps(seen))
    """
)


def test_a_ctrl_c_in_the_import_system_is_put_off_until_it_is_left() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IN_AN_IMPORT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["frame"].startswith("<frozen importlib")
    assert seen["raised_in_import"] is False
    assert seen["retry_armed"] is True
    assert "raised_at" in seen, "the Ctrl-C was lost"
    assert not seen["raised_at"].startswith("<frozen importlib")
    assert seen["other_thread_imported"] is True


def test_a_ctrl_c_elsewhere_is_raised_at_once() -> None:
    with pytest.raises(KeyboardInterrupt):
        interrupt.interrupt(signal.SIGINT, sys._getframe())
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


IGNORED_STAYS_IGNORED = textwrap.dedent(
    """
    import signal
    from reportgen import interrupt

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as under nohup, or `&` in a script
    interrupt.install()
    print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
    """
)


def test_an_ignored_ctrl_c_stays_ignored() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IGNORED_STAYS_IGNORED], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "True"


def test_the_command_takes_over_ctrl_c() -> None:
    """`python -m reportgen` (no argv given to `main`) installs the handler."""
    code = (
        "import signal, sys\n"
        "from reportgen import cli, interrupt\n"
        "sys.argv = ['reportgen', '--version']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print(signal.getsignal(signal.SIGINT) is interrupt.interrupt)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("True")
