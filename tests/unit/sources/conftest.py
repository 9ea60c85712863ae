"""Fixtures for the connector unit tests: a lake in a temporary folder."""

from __future__ import annotations

import pytest

from miryoku.lake import Lake


@pytest.fixture
def lake(tmp_path, monkeypatch) -> Lake:
    monkeypatch.delenv("MIRYOKU_ENV", raising=False)
    return Lake.from_settings(str(tmp_path / "lake"))
