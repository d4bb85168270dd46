"""A hash of reportgen's own code, part of every cache key: a changed parser, formula or
renderer must never reuse output made by the old one (the version number alone would not
change during development)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path


@functools.cache
def code_fingerprint() -> str:
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()
