"""Values to bytes and back holding data only: a cache file can never run code.

What the build cache keeps (record tables, computed results) is written as one `.npz`
archive: numeric arrays as `.npy` members, everything else as one JSON document. Reading
uses `np.load(allow_pickle=False)` and rebuilds only frozen dataclasses defined in
reportgen's own modules, from their fields; anything else in a file makes it unreadable
(a miss), never an import or a call of something the file names.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import zipfile
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

DOCUMENT = "document"
PACKAGE = "reportgen."


class Unreadable(Exception):
    """A cache file that is damaged or holds what this codec does not write."""


def dump(key: str, value: object, out: BinaryIO) -> None:
    """Write `value` (see the module docstring for what it may hold) under `key` to `out`."""
    arrays: dict[str, np.ndarray] = {}
    encoded = {"key": key, "value": _encode(value, arrays)}
    document = json.dumps(encoded, allow_nan=False, separators=(",", ":"))
    arrays[DOCUMENT] = np.frombuffer(document.encode("utf-8"), dtype=np.uint8)
    np.savez(out, **arrays)  # type: ignore[arg-type]


def load(key: str, stream: BinaryIO) -> object:
    """The value `dump` wrote under `key`: None if the file holds another key (checked
    before any array is read), Unreadable if it is not a file `dump` wrote."""
    try:
        with np.load(stream, allow_pickle=False) as archive:
            document = json.loads(archive[DOCUMENT].tobytes().decode("utf-8"))
            if not isinstance(document, dict) or document.get("key") != key:
                return None
            arrays = {name: archive[name] for name in archive.files if name != DOCUMENT}
        return _decode(document["value"], arrays)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
        raise Unreadable(str(exc)) from exc


def _encode(value: object, arrays: dict[str, np.ndarray]) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, list):
        return [_encode(item, arrays) for item in value]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(item, arrays) for item in value]}
    if isinstance(value, dict):
        return {"$dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]}
    if isinstance(value, Path):
        return {"$path": str(value)}
    if isinstance(value, Fraction):  # exact sums (node-seconds): numerator and denominator
        return {"$fraction": [value.numerator, value.denominator]}
    if isinstance(value, np.ndarray):
        return _encode_array(value, arrays)
    if isinstance(value, np.generic):
        return _encode(value.item(), arrays)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        fields = {f.name: _encode(getattr(value, f.name), arrays) for f in dataclasses.fields(kind)}
        return {"$class": f"{kind.__module__}:{kind.__qualname__}", "fields": fields}
    raise TypeError(f"the cache cannot hold a {type(value).__name__}")


def _encode_array(array: np.ndarray, arrays: dict[str, np.ndarray]) -> Any:
    if array.dtype == object:
        items = array.tolist()
        if items and all(type(item) is str for item in items):
            return _encode_texts(items, arrays)
        return {"$objects": [_encode(item, arrays) for item in items]}
    name = f"a{len(arrays)}"
    arrays[name] = array
    return {"$array": name}


def _encode_texts(texts: list[str], arrays: dict[str, np.ndarray]) -> Any:
    """An object array of strings (e.g. 200,000 jobs' tags) as two arrays, its UTF-8 bytes
    and each string's length in them: one JSON entry per string costs ~10x as much."""
    encoded = [text.encode("utf-8", "surrogatepass") for text in texts]  # (JSON may hold any)
    name = f"a{len(arrays)}"
    arrays[name] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    arrays[f"{name}n"] = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    return {"$texts": [name, f"{name}n"]}


def _decode_texts(names: Any, arrays: dict[str, np.ndarray]) -> np.ndarray:
    data, lengths = (arrays[name] for name in names)
    if data.dtype != np.uint8 or lengths.dtype != np.int64 or lengths.ndim != 1:
        raise Unreadable("a text column of other arrays")
    if (lengths < 0).any() or int(lengths.sum()) != data.size:
        raise Unreadable("a text column whose lengths do not add up")
    buffer = data.tobytes()
    ends = np.cumsum(lengths).tolist()
    starts = [0, *ends[:-1]]
    try:
        texts = [
            buffer[a:b].decode("utf-8", "surrogatepass") for a, b in zip(starts, ends, strict=True)
        ]
    except UnicodeDecodeError as exc:
        raise Unreadable(str(exc)) from exc
    objects = np.empty(len(texts), dtype=object)
    objects[:] = texts
    return objects


def _decode(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(value, list):
        return [_decode(item, arrays) for item in value]
    if not isinstance(value, dict):
        return value
    if "$tuple" in value:
        return tuple(_decode(item, arrays) for item in value["$tuple"])
    if "$dict" in value:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in value["$dict"]}
    if "$float" in value:
        return float(value["$float"])
    if "$path" in value:
        return Path(value["$path"])
    if "$fraction" in value:
        numerator, denominator = value["$fraction"]
        if not isinstance(numerator, int) or not isinstance(denominator, int):
            raise Unreadable("a fraction of non-integers")
        return Fraction(numerator, denominator)
    if "$array" in value:
        return arrays[value["$array"]]
    if "$texts" in value:
        return _decode_texts(value["$texts"], arrays)
    if "$objects" in value:
        items = [_decode(item, arrays) for item in value["$objects"]]
        objects = np.empty(len(items), dtype=object)
        objects[:] = items
        return objects
    if "$class" in value:
        kind = _dataclass(value["$class"])
        return kind(**{k: _decode(v, arrays) for k, v in value["fields"].items()})
    raise Unreadable(f"unknown entry {sorted(value)[:3]}")


def _dataclass(name: str) -> type:
    """A frozen dataclass of one of reportgen's modules already imported (nothing is
    imported on a file's word), else Unreadable."""
    module_name, _, qualname = name.partition(":")
    module = sys.modules.get(module_name)
    if module is None or not module_name.startswith(PACKAGE) or not qualname.isidentifier():
        raise Unreadable(f"not one of reportgen's classes: {name!r}")
    kind = getattr(module, qualname, None)
    params = getattr(kind, "__dataclass_params__", None)
    if not isinstance(kind, type) or params is None or not params.frozen:
        raise Unreadable(f"not a frozen dataclass: {name!r}")
    return kind
