"""Snapshots of folders, to prove a command changed nothing but reportgen's own files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from reportgen.places import user_cache_folder


def tree(folder: Path) -> dict[str, str]:
    """Every entry under `folder`, links not followed: a file by its hash, a link by target."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[name] = "folder"
    return found


def beside(out: Path) -> dict[str, str]:
    """Everything in OUT's parent except reportgen's own names: OUT, its lock, the cache
    (and the user cache folder, when a test puts it there)."""
    own = {out.name, f".{out.name}.reportgen-lock", ".reportgen-cache"}
    found = tree(out.parent)
    user_cache = user_cache_folder().absolute()
    if user_cache.is_relative_to(out.parent.absolute()):
        prefix = str(user_cache.relative_to(out.parent.absolute()))
        found = {k: v for k, v in found.items() if k != prefix and not k.startswith(prefix + "/")}
    return {k: v for k, v in found.items() if Path(k).parts[0] not in own}
