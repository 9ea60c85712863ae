"""A replaying HTTP server on 127.0.0.1 (ephemeral port) for the connector integration tests.

Routes answer from a queue of canned responses (shapes from the APIs' documentation in
tests/fixtures/sns and the real payloads in tests/fixtures/realdata) or from a function of the
request — ``timeline`` simulators below answer like the real APIs — so a test can script
pagination, 429s with reset headers, 5xx, truncated and non-JSON bodies. Every request is recorded.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

REALDATA = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sns"  # recorded API shapes, see ../fixtures/SOURCES.md


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict = field(default_factory=dict)
    truncate: bool = False  # announce the full length, send half, close the connection

    def payload(self) -> bytes:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body, ensure_ascii=False).encode("utf-8")
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class Seen:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes


class Replay:
    def __init__(self):
        self.queues: dict[str, deque] = defaultdict(deque)
        self.funcs: dict[str, object] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, path: str, *replies: Reply) -> None:
        self.queues[path].extend(replies)

    def route(self, path: str, func) -> None:
        self.funcs[path] = func

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def answer(self, seen: Seen) -> Reply:
        with self.lock:
            self.requests.append(seen)
            if self.queues.get(seen.path):
                return self.queues[seen.path].popleft()
        if seen.path in self.funcs:
            return self.funcs[seen.path](seen)
        return Reply(404, {"error": "no route"})


def handler_for(replay: Replay):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _serve(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(self.command, unquote(parts.path), {k: v[-1] for k, v in parse_qs(parts.query).items()},
                        {k.lower(): v for k, v in self.headers.items()}, body)
            reply = replay.answer(seen)
            data = reply.payload()
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            if reply.truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[: len(data) // 2] if reply.truncate else data)
            if reply.truncate:
                self.wfile.flush()
                self.close_connection = True

        do_GET = _serve
        do_POST = _serve

    return Handler


