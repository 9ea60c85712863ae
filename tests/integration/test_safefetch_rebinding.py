"""DNS rebinding against the resource downloader, with two real servers on loopback.

``rebind.test`` is checked with an answer of 127.0.0.1 (allowed here by the test-only loopback
switch); every later lookup of the name — what an HTTP client connecting by name would do — answers
127.0.0.2, where an "internal" server waits. A download that connects by name reads the internal
page; one pinned to the checked address cannot.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from miryoku.sources.safefetch import FetchPolicy, RefusedURL, fetch_url

pytestmark = pytest.mark.integration


def serve(address: str, port: int, body: bytes, seen: list, redirect: str | None = None):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            seen.append((address, self.headers.get("Host"), self.path))
            if redirect and self.path == "/start":
                self.send_response(302)
                self.send_header("Location", redirect)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def servers():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    seen: list = []
    try:
        internal = serve("127.0.0.2", port, b"INTERNAL-SECRET", seen)
    except OSError:
        pytest.skip("127.0.0.2 is not bindable here")
    public = serve("127.0.0.1", port, b"public page", seen, redirect=f"http://other.test:{port}/next")
    yield port, seen
    for server in (public, internal):
        server.shutdown()
        server.server_close()


def rebinding_dns(monkeypatch):
    """The system resolver as a rebinding attacker runs it: 127.0.0.2 for every *.test name."""
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".test"):
            return real("127.0.0.2", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", fake)


POLICY = FetchPolicy(allowed_hosts={"rebind.test", "other.test"}, allow_private_addresses=True, attempts=1,
                     timeout=5)


def checked_answer(host, port):
    return ["127.0.0.1"]


def test_the_download_connects_to_the_checked_address_not_a_rebound_one(servers, monkeypatch):
    port, seen = servers
    rebinding_dns(monkeypatch)
    body, final = fetch_url(f"http://rebind.test:{port}/page", POLICY, resolve=checked_answer)
    assert body == b"public page"
    assert seen == [("127.0.0.1", f"rebind.test:{port}", "/page")]  # the real name in Host


def test_a_redirect_is_checked_and_pinned_again(servers, monkeypatch):
    port, seen = servers
    rebinding_dns(monkeypatch)
    body, final = fetch_url(f"http://rebind.test:{port}/start", POLICY, resolve=checked_answer)
    assert body == b"public page" and final == f"http://other.test:{port}/next"
    assert [s[0] for s in seen] == ["127.0.0.1", "127.0.0.1"]
    assert seen[1][1] == f"other.test:{port}"


def test_a_redirect_to_a_name_that_resolves_privately_is_refused(servers):
    port, seen = servers

    def answers(host, port_):
        return ["127.0.0.1"] if host == "rebind.test" else ["10.0.0.7"]
    with pytest.raises(RefusedURL, match="non-public"):
        fetch_url(f"http://rebind.test:{port}/start", POLICY, resolve=answers)
    assert len(seen) == 1  # only the first hop was requested


def test_without_the_test_switch_loopback_is_refused(servers):
    port, seen = servers
    policy = FetchPolicy(allowed_hosts={"rebind.test"}, attempts=1, timeout=5)
    with pytest.raises(RefusedURL):
        fetch_url(f"http://rebind.test:{port}/page", policy, resolve=checked_answer)
    assert seen == []
