"""glibc's mmap threshold is fixed only for large inputs or a live source (`memory.py`)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from reportgen import memory
from reportgen.spec.model import BalsamSource, FilesSource


class _Libc:
    def __init__(self, calls: list[tuple[int, int]]) -> None:
        self.calls = calls

    def mallopt(self, parameter: int, value: int) -> int:
        self.calls.append((parameter, value))
        return 1


@pytest.fixture
def mallopt_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr("reportgen.memory.ctypes.CDLL", lambda name: _Libc(calls))
    return calls


def sized(path: Path, size: int) -> Path:
    """A sparse file of `size` bytes; named `.gz`, it starts as gzip does (gzip is told by
    its first bytes)."""
    with path.open("wb") as out:
        if path.suffix == ".gz":
            out.write(b"\x1f\x8b")
        out.truncate(size)
    return path


def test_a_gzipped_file_counts_ten_times_its_size(tmp_path: Path) -> None:
    events = sized(tmp_path / "events.jsonl.gz", 1000)
    jobs = sized(tmp_path / "jobs.json", 300)
    source = FilesSource(events=events, jobs=jobs, batch_jobs=tmp_path / "missing.json")
    assert memory.estimated_bytes([source]) == 1000 * 10 + 300


def test_gzip_is_told_by_its_first_bytes_not_its_name(tmp_path: Path) -> None:
    gzipped = tmp_path / "events.json"
    gzipped.write_bytes(b"\x1f\x8b" + bytes(98))
    plain = sized(tmp_path / "jobs.gz.json", 100)
    assert memory.estimated_bytes([FilesSource(gzipped, plain, None)]) == 100 * 10 + 100


def test_small_files_keep_glibcs_own_threshold(
    tmp_path: Path, mallopt_calls: list[tuple[int, int]]
) -> None:
    small = sized(tmp_path / "events.json", 200 << 20)
    memory.release_freed_arrays_if_large([FilesSource(small, None, None)])
    assert mallopt_calls == []


def test_large_files_fix_it(tmp_path: Path, mallopt_calls: list[tuple[int, int]]) -> None:
    # two runs' files, 300 MB + 30 MB gzipped (~300 MB): together above 512 MB
    first = FilesSource(sized(tmp_path / "a.json", 300 << 20), None, None)
    second = FilesSource(sized(tmp_path / "b.jsonl.gz", 30 << 20), None, None)
    memory.release_freed_arrays_if_large([first, second])
    assert mallopt_calls == [(-3, 128 << 10)]


def test_a_live_source_fixes_it(mallopt_calls: list[Any]) -> None:
    memory.release_freed_arrays_if_large(
        [BalsamSource(api_root="http://127.0.0.1:1", client_config=None)]
    )
    assert mallopt_calls == [(-3, 128 << 10)]


def test_a_fifo_counts_nothing_and_is_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "events.json"
    os.mkfifo(fifo)
    signal.alarm(60)  # opened as a plain file would be, it would block the build forever
    try:
        assert memory.estimated_bytes([FilesSource(fifo, None, None)]) == 0
    finally:
        signal.alarm(0)
