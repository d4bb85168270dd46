"""A live fetch's facts (`Fetched`) as plain values: a snapshot spec's `source.files.fetched`
and the manifest's words for them, the same in both."""

from __future__ import annotations

import dataclasses
from typing import Any

from reportgen.spec.model import Fetched
from reportgen.times import format_micros, to_micros


def fetched_fields(fetched: Fetched) -> dict[str, Any]:
    """The keys of `source.files.fetched`: times in UTC with 6 fraction digits, and no
    `server_version` when the server reported none."""
    fields: dict[str, Any] = {"api_root": fetched.api_root}
    if fetched.server_version is not None:
        fields["server_version"] = fetched.server_version
    fields["server_version_origin"] = fetched.server_version_origin
    fields["started"] = format_micros(to_micros(fetched.started))
    fields["ended"] = format_micros(to_micros(fetched.ended))
    fields["record_sets"] = [dataclasses.asdict(s) for s in fetched.sets]
    return fields
