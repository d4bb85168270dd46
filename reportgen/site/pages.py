"""HTML pages: the page model in, Jinja2 (autoescaped) out. Templates never compute."""

from __future__ import annotations

from pathlib import Path

import jinja2

from reportgen import __version__
from reportgen.site.model import IndexRow, ReportPage

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CHECKOUT_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def template_folder() -> Path:
    """The shipped templates: inside the installed package, else the checkout's `templates/`."""
    return PACKAGE_TEMPLATES if PACKAGE_TEMPLATES.is_dir() else CHECKOUT_TEMPLATES


def environment(overrides: Path | None = None) -> jinja2.Environment:
    folders = [str(overrides)] if overrides else []
    folders.append(str(template_folder()))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_report_page(env: jinja2.Environment, page: ReportPage) -> str:
    return env.get_template("report.html").render(report=page, root="../", version=__version__)


def render_index_page(env: jinja2.Environment, rows: list[IndexRow]) -> str:
    return env.get_template("index.html").render(reports=rows, root="", version=__version__)
