"""Where reportgen keeps what outlives a build, outside every site: the user's cache folder."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_folder() -> Path:
    """`$XDG_CACHE_HOME/reportgen`, else `~/.cache/reportgen`."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reportgen"
