"""Where the Balsam server and token come from, as Balsam's own client finds them.

Order: `BALSAM_API_ROOT` / `BALSAM_TOKEN` in the environment, then the spec's `api_root`, then
the client file (`client_config` in the spec, else `$BALSAM_CLIENT_PATH`, else
`~/.balsam/client.yml`), which `balsam login` writes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from reportgen.errors import SourceError
from reportgen.spec.model import BalsamSource
from reportgen.spec.times import TimeOutOfRange, parse_time
from reportgen.spec.urls import HTTP_URL, is_http_url

# Balsam's client defaults (balsam/client/requests_client.py)
CONNECT_TIMEOUT_S = 6.2
READ_TIMEOUT_S = 120.0
RETRY_COUNT = 10


@dataclass(frozen=True)
class Credentials:
    api_root: str
    token: str | None = field(repr=False)
    token_expiry: datetime | None
    connect_timeout: float
    read_timeout: float
    retry_count: int
    origin: str
    """Where they came from, for messages (never the token itself)."""


def client_file(source: BalsamSource) -> Path:
    if source.client_config is not None:
        return source.client_config
    configured = os.environ.get("BALSAM_CLIENT_PATH")
    return Path(configured) if configured else Path.home() / ".balsam" / "client.yml"


def resolve_credentials(source: BalsamSource) -> Credentials:
    path = client_file(source)
    config = _read_client_file(path, required=source.client_config is not None)
    api_root = _api_root(source, config, path)
    token = os.environ.get("BALSAM_TOKEN") or config.get("token")
    origin = "BALSAM_TOKEN" if os.environ.get("BALSAM_TOKEN") else str(path)
    return Credentials(
        api_root=str(api_root).rstrip("/"),
        token=str(token) if token else None,
        token_expiry=None if os.environ.get("BALSAM_TOKEN") else _expiry(config),
        connect_timeout=float(config.get("connect_timeout") or CONNECT_TIMEOUT_S),
        read_timeout=float(config.get("read_timeout") or READ_TIMEOUT_S),
        retry_count=_retry_count(config.get("retry_count")),
        origin=origin,
    )


def _api_root(source: BalsamSource, config: dict[str, Any], path: Path) -> str:
    """The server's URL from the first place that gives one, checked like the spec's."""
    places = [
        ("BALSAM_API_ROOT", os.environ.get("BALSAM_API_ROOT")),
        ("source.balsam.api_root", source.api_root),
        (f"{path}: api_root", config.get("api_root")),
    ]
    for where, value in places:
        if not value:
            continue
        if not isinstance(value, str) or not is_http_url(value):
            raise SourceError(f"{where}: expected {HTTP_URL}; got {value!r}")
        return value
    raise SourceError(
        f"no Balsam server given: set source.balsam.api_root, BALSAM_API_ROOT, or run "
        f"`balsam login` (which writes {path})"
    )


def _retry_count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else RETRY_COUNT


def _read_client_file(path: Path, required: bool) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise SourceError(
                f"{path}: client config not found (source.balsam.client_config)"
            ) from None
        return {}
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the client config: {exc.strerror}") from exc
    try:
        loaded = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SourceError(f"{path}: not valid YAML ({type(exc).__name__})") from None
    except ValueError:  # a date YAML cannot hold, such as 2024-13-01 (never its text: a token)
        raise SourceError(f"{path}: not valid YAML (a date that does not exist)") from None
    if not isinstance(loaded, dict):
        raise SourceError(f"{path}: expected a mapping of client settings")
    return loaded


def _expiry(config: dict[str, Any]) -> datetime | None:
    """The token's expiry as spec times are read; None if it is not one (unknown)."""
    try:
        return parse_time(config.get("token_expiry"))
    except TimeOutOfRange:  # an offset past year 1 or 9999: as good as no expiry known
        return None
