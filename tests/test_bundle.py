"""Vega's JavaScript is bundled once per version and kept in the user's cache folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reportgen.charts import bundle


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Count the bundles vl-convert makes (each one a distinct text), cache in tmp_path."""
    calls: list[str] = []

    def fake_bundle() -> str:
        calls.append(f"// bundle {len(calls)}\n")
        return calls[-1]

    monkeypatch.setattr(bundle, "javascript_bundle", fake_bundle)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return calls


def test_the_bundle_is_made_once_and_then_read_from_the_cache(
    made: list[str], tmp_path: Path
) -> None:
    first = bundle.vega_bundle()
    assert made == [first]
    assert bundle.vega_bundle() == first
    assert made == [first]
    kept, seal = sorted((tmp_path / "cache" / "reportgen").iterdir())
    assert kept.name.startswith("vega-bundle-") and kept.read_text() == first
    assert seal.name == kept.name.replace(".js", ".seal.json")


def test_another_vl_convert_version_makes_its_own(
    made: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = bundle.vega_bundle()
    monkeypatch.setattr(bundle, "vl_convert_version", lambda: "0.0.0-other")
    second = bundle.vega_bundle()
    assert made == [first, second] and second != first


def test_without_xdg_cache_home_it_is_the_homes_cache(
    made: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    bundle.vega_bundle()
    assert len(list((tmp_path / "home" / ".cache" / "reportgen").glob("*.js"))) == 1


def test_an_unwritable_cache_only_costs_the_bundling(made: list[str], tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    assert bundle.vega_bundle() == made[0]
    assert bundle.vega_bundle() == made[1]


def test_a_write_cut_short_leaves_no_partial_bundle(
    made: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def disk_full(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    assert bundle.vega_bundle() == made[0]
    assert list((tmp_path / "cache" / "reportgen").iterdir()) == []
