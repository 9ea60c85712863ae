"""The author HMAC key: none ships with the code, a local lake gets its own random key beside it."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from miryoku.config import PROJECT_ROOT, ConfigError, settings


@pytest.fixture(autouse=True)
def no_configured_key(monkeypatch):
    monkeypatch.delenv("MIRYOKU_AUTHOR_KEY", raising=False)
    monkeypatch.delenv("MIRYOKU_AUTHOR_KEY_FILE", raising=False)


def test_a_local_lake_gets_a_random_private_key_outside_the_lake(tmp_path):
    cfg = settings(str(tmp_path / "lake"))
    key = cfg.author_key()
    path = cfg.author_key_file()
    assert path == tmp_path / ".lake.author-key"
    assert not path.is_relative_to(tmp_path / "lake")
    assert len(key) == 64 and int(key, 16)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings(str(tmp_path / "lake")).author_key() == key  # stable: author_key continuity
    assert settings(str(tmp_path / "other")).author_key() != key  # per lake


def test_two_tasks_starting_together_agree_on_one_key(tmp_path):
    keys = []
    threads = [threading.Thread(target=lambda: keys.append(settings(str(tmp_path / "lake")).author_key()))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and len(keys) == 8
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []


def test_the_configured_secret_wins_and_must_be_long(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRYOKU_AUTHOR_KEY", "a-long-configured-secret-value")
    cfg = settings(str(tmp_path / "lake"))
    assert cfg.author_key() == b"a-long-configured-secret-value"
    assert not cfg.author_key_file().exists()
    monkeypatch.setenv("MIRYOKU_AUTHOR_KEY", "short")
    with pytest.raises(ConfigError, match="shorter"):
        cfg.author_key()


def test_outside_local_a_missing_key_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRYOKU_ENV", "aws")
    with pytest.raises(ConfigError, match="MIRYOKU_AUTHOR_KEY"):
        settings(str(tmp_path / "lake")).author_key()


def test_the_key_file_location_can_be_set(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRYOKU_AUTHOR_KEY_FILE", str(tmp_path / "keys" / "k"))
    key = settings(str(tmp_path / "lake")).author_key()
    assert (tmp_path / "keys" / "k").read_text().strip().encode() == key


def test_no_key_ships_in_the_code():
    config = (PROJECT_ROOT / "src" / "miryoku" / "config.py").read_text()
    assert "not-secret" not in config and "LOCAL_DEMO_AUTHOR_KEY" not in config
    assert not list(Path(PROJECT_ROOT / "src").rglob("*.author-key"))
