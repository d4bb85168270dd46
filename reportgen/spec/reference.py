"""Generate `docs/spec-reference.md` from the schema: `python -m reportgen.spec.reference`.

A test checks the file is current, so the reference can never drift from what is validated.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from reportgen.spec.conditional import ByType, OneOfForms
from reportgen.spec.containers import Fields, Key, ListOf, NamedMap
from reportgen.spec.domain import Stages
from reportgen.spec.schema import REPORT

HEADER = """# Report spec reference

Generated from `reportgen/spec/schema.py` by `python -m reportgen.spec.reference`; do not edit.

A report spec is a YAML file in `report_specs/`. Its file name (without `.yaml`) names the
report's folder in the site. Unknown keys are warnings (errors with `--strict`). Every error
names the file, line, key path, the bad value and what was expected.

Key paths: `queries.events.<name>` is a query you name; `charts[]` is each item of the list.

"""
TABLE_HEAD = "| key | meaning | default |\n|---|---|---|\n"
KINDS_INTRO = """
## Kinds

A chart's `type` chooses its kind; each kind has its own keys below, besides the common
`charts[]` keys above. A key of another kind is a warning (an error with `--strict`).
"""


def key_rows(fields: Fields, prefix: str = "") -> Iterator[tuple[str, Key]]:
    """Every key of the schema with its full path, depth first; a kind's own keys follow
    the common ones (the same path may then appear once per kind)."""
    for name, key in fields.keys.items():
        path = f"{prefix}{name}"
        yield path, key
        yield from _nested(key.check, path)


def _nested(check: object, path: str) -> Iterator[tuple[str, Key]]:
    if isinstance(check, NamedMap) and isinstance(check.value, Fields):
        yield from key_rows(check.value, f"{path}.<name>.")
    elif isinstance(check, ListOf | Stages) and isinstance(check.item, Fields):
        yield from key_rows(check.item, f"{path}[].")
    elif isinstance(check, ListOf) and isinstance(check.item, ByType):
        yield from key_rows(check.item.fields(), f"{path}[].")
        for options in check.item.types().values():
            yield from key_rows(Fields(options), f"{path}[].")
    elif isinstance(check, OneOfForms):
        yield from _nested(check.marked, path)
        yield from _nested(check.unmarked, path)
    elif isinstance(check, Fields):
        yield from key_rows(check, f"{path}.")


def _row(path: str, key: Key) -> str:
    expected = getattr(key.check, "expected", "a value")
    return f"| `{path}` | {key.doc} Expects {expected}. | {_default(key)} |"


def _default(key: Key) -> str:
    if key.required:
        return "required"
    if key.default_doc is not None:
        return key.default_doc
    if key.default is None:
        return "none"
    if isinstance(key.default, bool):
        return str(key.default).lower()
    return f"`{key.default}`" if key.default not in ("", (), {}) else "empty"


def reference_markdown() -> str:
    """The common keys in one table, then each kind's own keys in a section of its own."""
    from reportgen.kinds import KINDS  # the kinds import the spec's checks

    common = [_row(path, key) for path, key in key_rows(_without_kind_keys(REPORT))]
    sections = [
        f"\n### Kind `{kind.name}`\n\n{kind.doc} Default title: {kind.title}.\n\n"
        + TABLE_HEAD
        + "\n".join(_row(path, key) for path, key in key_rows(Fields(kind.options), "charts[]."))
        + "\n"
        for kind in KINDS.values()
    ]
    return HEADER + TABLE_HEAD + "\n".join(common) + "\n" + KINDS_INTRO + "".join(sections)


def _without_kind_keys(fields: Fields) -> Fields:
    """The report schema with only the common chart keys (the kinds' follow in sections)."""
    keys = dict(fields.keys)
    charts = keys["charts"]
    assert isinstance(charts.check, ListOf) and isinstance(charts.check.item, ByType)
    listed = ListOf(charts.check.item.fields(), charts.check.expected, charts.check.min_items)
    keys["charts"] = Key(listed, charts.doc, charts.default, charts.default_doc)
    return Fields(keys, fields.expected)


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/spec-reference.md")
    target.write_text(reference_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
