"""What reading saved files accepts beyond the records' own rules: the command line's
`--allow-partial` and `--max-input-gb` (a module of its own, so the command line reads the
default without importing the source stage)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_INPUT_BYTES = 64 << 30
"""No saved response decompresses to more (10^7 events are ~1.4 GB): a bomb, not data."""


@dataclass(frozen=True)
class InputLimits:
    allow_partial: bool = False
    """A saved page holding fewer records than its `count` is then a warning, not an error."""
    max_bytes: int = MAX_INPUT_BYTES
    """No input file may decompress to more."""


STRICT = InputLimits()
