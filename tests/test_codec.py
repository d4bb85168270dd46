"""The cache's file format holds data only: what is written reads back equal, and a file
naming anything but reportgen's own frozen dataclasses, or holding a pickle, is refused."""

from __future__ import annotations

import io
import json
import pickle
from dataclasses import fields
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from reportgen import codec
from reportgen.analytics.steps import StepSeries
from reportgen.source import load_report_data
from reportgen.spec import load_report
from tests.conftest import DEMO_SPEC


def roundtrip(key: str, value: object) -> object:
    buffer = io.BytesIO()
    codec.dump(key, value, buffer)
    buffer.seek(0)
    return codec.load(key, buffer)


def same(a: Any, b: Any) -> bool:
    """Equal values, arrays compared element by element (with their dtypes)."""
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and all(same(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True))
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if hasattr(a, "__dataclass_fields__"):
        return type(a) is type(b) and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a)
        )
    return bool(a == b or (a != a and b != b))  # NaN equals NaN here


def test_the_demo_records_read_back_equal() -> None:
    data = load_report_data(load_report(DEMO_SPEC))
    assert data.jobs is not None and data.jobs.tag_values  # tags, objects and all
    assert same(roundtrip("k", data), data)


def test_plain_values_read_back_with_their_types() -> None:
    series = StepSeries("s", np.array([1, 2], np.int64), np.array([0.5, -0.0]), False)
    value = {"a": (1, 2.5, None, "x"), 3: [float("nan"), float("inf")], "s": series}
    assert same(roundtrip("k", value), value)
    exact = {"node_seconds": Fraction(10**30 + 1, 6), "zero": Fraction(0)}
    back = roundtrip("k", exact)
    assert back == exact and all(type(v) is Fraction for v in back.values())


def test_columns_of_text_read_back_as_object_arrays_of_str() -> None:
    """Texts are kept as their UTF-8 bytes and lengths (not one JSON entry each): every
    string comes back, empty, non-ASCII, lone surrogates (JSON may hold them) and all; a
    column with a None in it stays a list of objects."""
    texts = np.empty(6, dtype=object)
    texts[:] = ["", "a=1 b=2", "é</script>", "\ud800", "x" * 10_000, "\u2028"]
    mixed = np.empty(2, dtype=object)
    mixed[:] = ["a", None]
    empty = np.empty(0, dtype=object)
    for column in (texts, mixed, empty):
        back: Any = roundtrip("k", {"c": column})
        back = back["c"]
        assert back.dtype == object and back.tolist() == column.tolist()
        assert all(type(a) is type(b) for a, b in zip(back.tolist(), column.tolist(), strict=True))


def test_another_key_is_a_miss_and_other_files_are_unreadable() -> None:
    buffer = io.BytesIO()
    codec.dump("one key", [1, 2], buffer)
    buffer.seek(0)
    assert codec.load("another key", buffer) is None
    with pytest.raises(codec.Unreadable):
        codec.load("k", io.BytesIO(pickle.dumps([1, 2])))


@pytest.mark.parametrize(
    "name",
    ["os:system", "builtins:eval", "reportgen.__main__:main", "reportgen.cli:main", "tests.x:Y"],
)
def test_only_reportgens_own_frozen_dataclasses_are_rebuilt(name: str) -> None:
    document = {"key": "k", "value": {"$class": name, "fields": {}}}
    buffer = io.BytesIO()
    raw = np.frombuffer(json.dumps(document).encode(), dtype=np.uint8)
    np.savez(buffer, document=raw)
    buffer.seek(0)
    with pytest.raises(codec.Unreadable):
        codec.load("k", buffer)


def test_an_object_array_holding_a_pickle_is_refused() -> None:
    buffer = io.BytesIO()
    raw = np.frombuffer(json.dumps({"key": "k", "value": {"$array": "a0"}}).encode(), np.uint8)
    np.savez(buffer, document=raw, a0=np.array([{"x": 1}], dtype=object))
    buffer.seek(0)
    with pytest.raises(codec.Unreadable):
        codec.load("k", buffer)
