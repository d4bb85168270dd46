"""The installed wheel, not only the checkout: it carries the templates and builds the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_the_wheel_builds_the_demo_from_a_fresh_virtualenv(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    wheel = next((tmp_path / "dist").glob("reportgen-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
        timeout=900,
    )

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(python), "-c", "import reportgen.site.pages as p; print(p.template_folder())"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    templates = Path(where.stdout.strip())
    assert templates.is_relative_to(venv) and (templates / "report.html").is_file()

    out = tmp_path / "site"
    built = subprocess.run(
        [
            str(venv / "bin" / "reportgen"),
            "build",
            str(ROOT / "report_specs" / "demo.yaml"),
            "--out",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    for name in (
        "index.html",
        "demo/index.html",
        "demo/utilization.png",
        "demo/nodes.csv",
        "assets/vega-bundle.js",
    ):
        assert (out / name).stat().st_size > 0, name
