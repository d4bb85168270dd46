"""Generate `docs/spec-reference.md` from the schema: `python -m reportgen.spec.reference`.

A test checks the file is current, so the reference can never drift from what is validated.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from reportgen.spec.checks import Fields, Key, ListOf, NamedMap
from reportgen.spec.schema import REPORT

HEADER = """# Report spec reference

Generated from `reportgen/spec/schema.py` by `python -m reportgen.spec.reference`; do not edit.

A report spec is a YAML file in `report_specs/`. Its file name (without `.yaml`) names the
report's folder in the site. Unknown keys are warnings (errors with `--strict`). Every error
names the file, line, key path, the bad value and what was expected.

Key paths: `queries.events.<name>` is a query you name; `charts[]` is each item of the list.

| key | meaning | default |
|---|---|---|
"""


def key_rows(fields: Fields, prefix: str = "") -> Iterator[tuple[str, Key]]:
    """Every key of the schema with its full path, depth first."""
    for name, key in fields.keys.items():
        path = f"{prefix}{name}"
        yield path, key
        check = key.check
        if isinstance(check, NamedMap) and isinstance(check.value, Fields):
            yield from key_rows(check.value, f"{path}.<name>.")
        elif isinstance(check, ListOf) and isinstance(check.item, Fields):
            yield from key_rows(check.item, f"{path}[].")
        elif isinstance(check, Fields):
            yield from key_rows(check, f"{path}.")


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
    rows = [
        f"| `{path}` | {key.doc} Expects {getattr(key.check, 'expected', 'a value')}. "
        f"| {_default(key)} |"
        for path, key in key_rows(REPORT)
    ]
    return HEADER + "\n".join(rows) + "\n"


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/spec-reference.md")
    target.write_text(reference_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
