"""The fetched-records store (files): what each live query fetched, kept for the next build.

One file per query, `<build cache>/fetched/<key>.npz`, written whole by `codec.py` (no pickle).
The key is the cache's key scheme over the server's public `api_root`, the list's path and the
query's server-side parameters: never the as-of time (applied after fetching, so a report
whose as_of moves reuses its records) and never the token (it is in no file here, nor in any
key). Records are kept as their JSON texts, so they come back exactly as the server sent them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from reportgen import codec
from reportgen.atomic import write_whole
from reportgen.source.files import Record

FOLDER = "fetched"


@dataclass(frozen=True)
class Kept:
    """One query's records as last fetched, by the build `build` (its start, UTC)."""

    api_root: str
    path: str
    params: str
    texts: np.ndarray
    """Each record's JSON text, in id order."""
    build: str

    def records(self) -> list[Record]:
        return [json.loads(text) for text in self.texts.tolist()]


def kept(api_root: str, path: str, params: str, records: list[Record], build: str) -> Kept:
    texts = np.empty(len(records), dtype=object)
    texts[:] = [json.dumps(record, separators=(",", ":")) for record in records]
    return Kept(api_root, path, params, texts, build)


class FetchedStore:
    """Kept records by query, under `key` (the build cache's key scheme); `refresh` ignores
    (and so replaces) what is kept."""

    def __init__(self, folder: Path, key: Callable[..., str], refresh: bool = False) -> None:
        self.folder = folder
        self.key = key
        self.refresh = refresh
        self.warnings: list[str] = []

    def load(self, api_root: str, path: str, params: str) -> Kept | None:
        if self.refresh:
            return None
        key = self.key("fetched", api_root, path, params)
        try:
            with (self.folder / f"{key[:32]}.npz").open("rb") as stream:
                value = codec.load(key, stream)
        except (OSError, codec.Unreadable):
            return None
        return value if isinstance(value, Kept) else None

    def save(self, value: Kept) -> None:
        key = self.key("fetched", value.api_root, value.path, value.params)

        def dump(out: BinaryIO) -> None:
            codec.dump(key, value, out)

        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_whole(self.folder / f"{key[:32]}.npz", dump)
        except OSError as exc:
            self.warnings.append(
                f"could not keep the fetched records in {self.folder} ({exc.strerror}); the "
                "next build fetches them whole"
            )


def stored_files(root: Path) -> Iterator[Path]:
    """Every fetched-records file under a cache root (each build cache has its own store)."""
    yield from sorted(root.glob(f"**/{FOLDER}/*.npz"))
