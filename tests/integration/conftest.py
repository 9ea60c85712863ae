"""Fixtures for the connector integration tests: a replaying server on 127.0.0.1, a lake, a fake sleep."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer

import pytest
from replay_server import Replay, handler_for

from miryoku.lake import Lake


@pytest.fixture
def replay():
    rp = Replay()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(rp))
    server.daemon_threads = True
    rp.server = server
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield rp
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def lake(tmp_path, monkeypatch) -> Lake:
    monkeypatch.delenv("MIRYOKU_ENV", raising=False)
    return Lake.from_settings(str(tmp_path / "lake"))


@pytest.fixture
def sleeps() -> list[float]:
    """Injected in place of time.sleep: records each wait, never waits."""
    return []
