"""HTML pages: the page model in, Jinja2 (autoescaped) out. Templates never compute."""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import jinja2

from reportgen import __version__
from reportgen.errors import RenderError
from reportgen.site.index import index_groups
from reportgen.site.model import IndexRow, ReportPage

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CHECKOUT_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
PAGES = ("index.html", "report.html")
T = TypeVar("T")
_OBJECT = re.compile(r"'(?:\w+\.)*(\w+) object'")


def template_folder() -> Path:
    """The shipped templates: inside the installed package, else the checkout's `templates/`."""
    return PACKAGE_TEMPLATES if PACKAGE_TEMPLATES.is_dir() else CHECKOUT_TEMPLATES


def overrides_problem(overrides: Path) -> str | None:
    """Why `overrides` cannot be a folder of templates, or None if it can."""
    if not overrides.exists():
        return f"{overrides} does not exist (expected a folder of templates)"
    if not overrides.is_dir():
        return f"{overrides} is not a folder (expected a folder of templates)"
    return None


def environment(overrides: Path | None = None) -> jinja2.Environment:
    """Templates from `overrides` (by file name), else the shipped ones; each page's
    template is compiled now, so a broken override stops the build before any data is read."""
    if overrides is not None and (problem := overrides_problem(overrides)):
        raise RenderError(f"--templates: {problem}")
    folders = [str(overrides)] if overrides else []
    folders.append(str(template_folder()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    for name in PAGES:
        _rendering(partial(env.get_template, name), name)
    return env


def render_report_page(env: jinja2.Environment, page: ReportPage) -> str:
    return _rendering(
        lambda: env.get_template("report.html").render(
            report=page, root="../", version=__version__
        ),
        "report.html",
    )


def render_index_page(env: jinja2.Environment, rows: list[IndexRow]) -> str:
    return _rendering(
        lambda: env.get_template("index.html").render(
            reports=rows, groups=index_groups(rows), root="", version=__version__
        ),
        "index.html",
    )


def _rendering(make: Callable[[], T], name: str) -> T:
    """`make()`, with a template's error as a RenderError naming its file and line."""
    try:
        return make()
    except jinja2.TemplateSyntaxError as exc:
        where = f"{_shown(exc.filename or exc.name or name)}:{exc.lineno}"
        raise RenderError(f"{where}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"{_template_line(exc, name)}: no template named {exc.name!r}") from None
    except jinja2.UndefinedError as exc:
        message = _OBJECT.sub(r"'\1'", exc.message or "")  # 'ReportPage', not its module
        raise RenderError(
            f"{_template_line(exc, name)}: undefined in the template: {message} (see the "
            "shipped templates for the variables a page gets)"
        ) from None
    except jinja2.TemplateError as exc:
        raise RenderError(f"{_template_line(exc, name)}: template error: {exc}") from None


def _template_line(exc: Exception, name: str) -> str:
    """`file:line` of the innermost template frame of `exc` (Jinja2 puts the template's own
    file and line in its traceback), else the page's template name."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.endswith(".py") and os.path.isfile(frame.filename)
    ]
    if not frames:
        return name
    return f"{_shown(frames[-1].filename)}:{frames[-1].lineno}"


def _shown(filename: str) -> str:
    """A template's path as the user knows it: relative to the working folder when inside."""
    relative = os.path.relpath(filename)
    return filename if relative.startswith("..") else relative
