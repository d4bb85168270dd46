"""The build cache's one key scheme: a format version, reportgen's code fingerprint, then
the entry's inputs.

Every entry of the build cache is keyed through here: a run's parsed data, its computed
results and laid-out sections, the input files' digests (`cache.py`) and each rendered
image or CSV (`charts/cache.py`, the kinds' and the site's data files). A change to what
is stored (`FORMAT`) or to reportgen's code is then a miss everywhere, never a stale answer.
"""

from __future__ import annotations

import hashlib

from reportgen.fingerprint import code_fingerprint

FORMAT = 2
"""Bump when what is stored changes shape (the code fingerprint covers most changes anyway)."""


def entry_hash() -> hashlib._Hash:
    """A sha256 holding the format version and the code fingerprint, to which the caller
    adds the entry's inputs (arrays, specs) and takes `hexdigest()` as the entry's key."""
    return hashlib.sha256(f"{FORMAT}\0{code_fingerprint()}".encode())


def entry_key(*parts: str) -> str:
    """The key of an entry whose inputs are these texts."""
    digest = entry_hash()
    for part in parts:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()
