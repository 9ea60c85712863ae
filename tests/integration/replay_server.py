"""A replaying HTTP server on 127.0.0.1 (ephemeral port) for the connector integration tests.

Routes answer from a queue of canned responses (shapes from the APIs' documentation in
tests/fixtures/sns and the real payloads in tests/fixtures/realdata) or from a function of the
request — ``timeline`` simulators below answer like the real APIs — so a test can script
pagination, 429s with reset headers, 5xx, truncated and non-JSON bodies. Every request is recorded.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

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




class Clock:
    """The server's 'now': what has been posted (arrived) by the time a night's run asks."""

    def __init__(self, now):
        self.now = now


def _visible(items: list[dict], clock: Clock) -> list[dict]:
    return [i for i in items if i["_arrived"] <= clock.now]


def _public(item: dict) -> dict:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _when(value: str):
    import datetime as dt

    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


class MastodonTimeline:
    """``GET /api/v1/timelines/tag/:tag`` as Mastodon answers it: newest first, ``max_id`` / ``since_id``
    / ``min_id`` exclusive id bounds, ``limit``, a ``Link: rel="next"`` with the last id. Each status
    carries ``_arrived`` (when the instance received it); ``served`` counts how often each id was sent."""

    def __init__(self, replay: Replay, statuses: list[dict], clock: Clock):
        self.replay, self.statuses, self.clock = replay, statuses, clock
        self.served: Counter = Counter()

    def __call__(self, seen: Seen) -> Reply:
        q = seen.query
        found = sorted(_visible(self.statuses, self.clock), key=lambda s: -int(s["id"]))
        if "max_id" in q:
            found = [s for s in found if int(s["id"]) < int(q["max_id"])]
        for bound in ("since_id", "min_id"):
            if bound in q:
                found = [s for s in found if int(s["id"]) > int(q[bound])]
        page = found[: int(q.get("limit", 20))]
        self.served.update(s["id"] for s in page)
        headers = {}
        if len(page) == int(q.get("limit", 20)):
            headers["Link"] = f'<{self.replay.base}{quote(seen.path)}?max_id={page[-1]["id"]}>; rel="next"'
        return Reply(200, [_public(s) for s in page], headers)


class XRecentSearch:
    """``GET /2/tweets/search/recent``: ``start_time``/``end_time`` on ``created_at``, ``since_id`` on the
    id, newest first, ``max_results`` per page and ``next_token`` as the offset."""

    def __init__(self, tweets: list[dict], clock: Clock):
        self.tweets, self.clock = tweets, clock
        self.served: Counter = Counter()

    def __call__(self, seen: Seen) -> Reply:
        q = seen.query
        found = sorted(_visible(self.tweets, self.clock), key=lambda t: -int(t["id"]))
        if "start_time" in q:
            found = [t for t in found if _when(t["created_at"]) >= _when(q["start_time"])]
        if "end_time" in q:
            found = [t for t in found if _when(t["created_at"]) < _when(q["end_time"])]
        if "since_id" in q:
            found = [t for t in found if int(t["id"]) > int(q["since_id"])]
        offset, size = int(q.get("next_token", 0)), int(q.get("max_results", 10))
        page = found[offset:offset + size]
        self.served.update(t["id"] for t in page)
        meta = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if offset + size < len(found):
            meta["next_token"] = str(offset + size)
        return Reply(200, {"data": [_public(t) for t in page], "meta": meta} if page else {"meta": meta})


class BlueskySearch:
    """``app.bsky.feed.searchPosts`` with ``sort=latest``: ``since`` (inclusive) / ``until`` (exclusive)
    on the sort time min(createdAt, indexedAt), ``limit`` and ``cursor`` as the offset."""

    def __init__(self, posts: list[dict], clock: Clock):
        self.posts, self.clock = posts, clock
        self.served: Counter = Counter()

    @staticmethod
    def sort_at(post: dict):
        return min(_when(post["record"]["createdAt"]), _when(post["indexedAt"]))

    def __call__(self, seen: Seen) -> Reply:
        q = seen.query
        found = sorted(_visible(self.posts, self.clock), key=self.sort_at, reverse=True)
        if "since" in q:
            found = [p for p in found if self.sort_at(p) >= _when(q["since"])]
        if "until" in q:
            found = [p for p in found if self.sort_at(p) < _when(q["until"])]
        offset, size = int(q.get("cursor", 0)), int(q.get("limit", 25))
        page = found[offset:offset + size]
        self.served.update(p["cid"] for p in page)
        body = {"posts": [_public(p) for p in page]}
        if offset + size < len(found):
            body["cursor"] = str(offset + size)
        return Reply(200, body)
