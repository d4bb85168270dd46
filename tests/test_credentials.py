"""Reading the user's Balsam client file: a clear error for what YAML cannot hold, never
the file's text (it holds the token)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import SourceError
from reportgen.source.balsam.credentials import resolve_credentials
from reportgen.spec.model import BalsamSource


def test_a_date_that_does_not_exist_is_a_clear_error_without_the_token(tmp_path: Path) -> None:
    client = tmp_path / "client.yml"
    client.write_text(
        "api_root: http://127.0.0.1:1\ntoken: s3cret-t0ken\ntoken_expiry: 2024-13-01\n"
    )
    with pytest.raises(SourceError) as caught:
        resolve_credentials(BalsamSource(api_root=None, client_config=client))
    assert str(caught.value) == f"{client}: not valid YAML (a date that does not exist)"
    assert "s3cret" not in str(caught.value)
