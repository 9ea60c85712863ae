"""Bluesky searchPosts against a replaying server: session, cursor, ExpiredToken refresh, failures.

Post views come from the recorded searchPosts response in tests/fixtures/sns (its shape from the
atproto lexicons, see tests/fixtures/SOURCES.md).
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from replay_server import FIXTURES, Reply

from miryoku.sources import bluesky
from miryoku.sources.base import FetchContext
from miryoku.sources.http import AuthError, HttpClient, RetryPolicy
from miryoku.sources.ingest import run_connector, staged_source_dir

pytestmark = pytest.mark.integration

DT = "2026-11-20"
LOGIN = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
START = dt.datetime(2026, 11, 19, 15, 0, tzinfo=dt.UTC)


def post_views(n: int = 12) -> list[dict]:
    """``n`` post views in the recorded searchPosts shape (tests/fixtures/sns, from the atproto lexicons),
    the six recorded posts repeated with their own CIDs, times moved into D one minute apart, newest first."""
    recorded = json.loads((FIXTURES / "bluesky_search_posts.json").read_text(encoding="utf-8"))["posts"]
    views = []
    for i in range(n):
        view = copy.deepcopy(recorded[i % len(recorded)])
        at = (START + dt.timedelta(hours=10, minutes=-i)).isoformat().replace("+00:00", ".000Z")
        view["cid"] = f"bafyreib{i:04d}"
        view["uri"] = view["uri"].rsplit("/", 1)[0] + f"/3kq{i:04d}"
        view["record"]["createdAt"] = view["indexedAt"] = at
        views.append(view)
    return views


def session(n=1):
    return Reply(200, {"accessJwt": f"access-jwt-{n}", "refreshJwt": f"refresh-jwt-{n}",
                       "handle": "miryoku.bsky.social", "did": "did:plc:miryoku"})


def options(replay, **extra):
    return {"service": replay.base, "identifier_env": "TEST_BSKY_ID", "password_env": "TEST_BSKY_PASSWORD",
            "queries": ["佐賀 いちご"], "page_size": 5, **extra}


def client(sleeps):
    return HttpClient(policy=RetryPolicy(attempts=3, base_delay=0.01, max_wait_total=30), sleep=sleeps.append)


@pytest.fixture(autouse=True)
def creds(monkeypatch):
    monkeypatch.setenv("TEST_BSKY_ID", "miryoku.bsky.social")
    monkeypatch.setenv("TEST_BSKY_PASSWORD", "abcd-efgh-ijkl-mnop")


def test_session_and_cursor_pagination(replay, lake, sleeps):
    views = post_views()
    replay.add(LOGIN, session())
    replay.add(SEARCH, Reply(200, {"cursor": "5", "posts": views[:5]}), Reply(200, {"cursor": "10", "posts": views[5:10]}),
               Reply(200, {"posts": views[10:]}))
    stats = run_connector(lake, "bluesky", bluesky.connector_for(lake, "bluesky", options(replay), client(sleeps)),
                          FetchContext(DT, "run-1"), {})
    assert stats["rows_out"] == 12 and stats["pages"] == 3
    hits = replay.hits(SEARCH)
    assert [h.query.get("cursor") for h in hits] == [None, "5", "10"]
    assert hits[0].query["since"] == "2026-11-19T15:00:00Z" and hits[0].query["sort"] == "latest"
    assert all(h.headers["authorization"] == "Bearer access-jwt-1" for h in hits)
    assert json.loads(replay.hits(LOGIN)[0].body) == {"identifier": "miryoku.bsky.social",
                                                      "password": "abcd-efgh-ijkl-mnop"}
    rows = lake.read_parquet(staged_source_dir("run-1", DT, "bluesky")).to_pylist()
    assert rows[0]["post_id"] == "bafyreib0000" and rows[0]["hashtags"] == ["青森りんご"] and rows[0]["lang"] == "ja"
    assert rows[0]["text"] == "青森のりんご、蜜入り最高 #青森りんご" and rows[3]["lang"] == "en"
    raw = [json.loads(r["raw"]) for r in rows]
    assert raw[2]["record"]["embed_type"] == "app.bsky.embed.external" and raw[4]["record"]["is_reply"] is True
    assert raw[1]["record"]["facets"] == []  # the mention facet (a DID) is left out
    stored = json.dumps(rows, default=str)
    assert "did:plc" not in stored and "bsky.social" not in stored and "abcd-efgh" not in stored


def test_expired_token_is_refreshed_once(replay, lake, sleeps):
    replay.add(LOGIN, session(1))
    replay.add(REFRESH, session(2))
    replay.add(SEARCH, Reply(400, {"error": "ExpiredToken", "message": "Token has expired"}),
               Reply(200, {"posts": post_views()[:2]}))
    stats = run_connector(lake, "bluesky", bluesky.connector_for(lake, "bluesky", options(replay), client(sleeps)),
                          FetchContext(DT, "run-2"), {})
    assert stats["rows_out"] == 2
    assert replay.hits(REFRESH)[0].headers["authorization"] == "Bearer refresh-jwt-1"
    assert replay.hits(SEARCH)[-1].headers["authorization"] == "Bearer access-jwt-2"


def test_token_that_stays_expired_is_a_clear_error(replay, lake, sleeps):
    replay.add(LOGIN, session(1))
    replay.add(REFRESH, Reply(400, {"error": "ExpiredToken", "message": "Token has expired"}))
    replay.add(LOGIN, session(2))
    replay.route(SEARCH, lambda seen: Reply(400, {"error": "ExpiredToken", "message": "Token has expired"}))
    with pytest.raises(AuthError, match="still refused") as err:
        run_connector(lake, "bluesky", bluesky.connector_for(lake, "bluesky", options(replay), client(sleeps)),
                      FetchContext(DT, "run-3"), {})
    assert "access-jwt" not in str(err.value)


def test_wrong_app_password(replay, lake, sleeps):
    replay.add(LOGIN, Reply(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}))
    with pytest.raises(AuthError, match="TEST_BSKY_PASSWORD") as err:
        run_connector(lake, "bluesky", bluesky.connector_for(lake, "bluesky", options(replay), client(sleeps)),
                      FetchContext(DT, "run-4"), {})
    assert "abcd-efgh" not in str(err.value)


def test_5xx_then_success_and_empty_result(replay, lake, sleeps):
    replay.add(LOGIN, session())
    replay.add(SEARCH, Reply(502, "Bad Gateway", {"Content-Type": "text/plain"}), Reply(200, {"posts": []}))
    stats = run_connector(lake, "bluesky", bluesky.connector_for(lake, "bluesky", options(replay), client(sleeps)),
                          FetchContext(DT, "run-5"), {})
    assert stats["rows_out"] == 0 and len(sleeps) == 1


# ---- several nights against a search that answers like Bluesky ---------------------------------------

NIGHTS = ["2026-11-20", "2026-11-21", "2026-11-22"]


def night_start(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.timezone(dt.timedelta(hours=9)))


def test_nights_fetch_each_post_once_and_a_backfill_only_its_window(replay, lake, sleeps):
    from replay_server import BlueskySearch, Clock

    moments = sorted([night_start(d) + dt.timedelta(hours=1 + 4 * i) for d in NIGHTS for i in range(6)]
                     + [night_start(d) + dt.timedelta(days=1, minutes=3) for d in NIGHTS])
    posts = []
    for k, (view, at) in enumerate(zip(post_views(len(moments)), moments, strict=True)):
        zulu = at.astimezone(dt.UTC).isoformat().replace("+00:00", ".000Z")
        view["record"]["createdAt"] = view["indexedAt"] = zulu
        view["cid"] = f"bafynight{k:04d}"
        view["_arrived"] = at
        posts.append(view)
    clock = Clock(None)
    server = BlueskySearch(posts, clock)
    replay.route(LOGIN, lambda seen: session())
    replay.route(SEARCH, server)
    staged, first = {}, {}
    for day in NIGHTS:
        clock.now = night_start(day) + dt.timedelta(days=1, minutes=10)
        before = len(replay.hits(SEARCH))
        ctx = FetchContext(day, f"run-{day}")
        run_connector(lake, "bluesky", bluesky.connector_for(lake, "bluesky", options(replay, page_size=4),
                                                             client(sleeps)), ctx, {})
        first[day] = replay.hits(SEARCH)[before].query
        staged[day] = lake.read_parquet(staged_source_dir(ctx.run_id, day, "bluesky")).column("post_id").to_pylist()
    all_staged = [i for ids in staged.values() for i in ids]
    assert sorted(all_staged) == sorted(p["cid"] for p in posts if p["_arrived"] < night_start("2026-11-23"))
    assert set(server.served.values()) == {1}
    assert first[NIGHTS[0]]["since"] == "2026-11-19T15:00:00Z"
    by_cid = {p["cid"]: p for p in posts}
    for day, nxt in zip(NIGHTS, NIGHTS[1:], strict=False):
        newest = max(by_cid[c]["_arrived"] for c in staged[day])
        expected = (newest + dt.timedelta(milliseconds=1)).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        assert first[nxt]["since"] == expected  # one millisecond after the watermark: `since` is inclusive
    server.served.clear()
    clock.now = night_start("2026-11-23") + dt.timedelta(hours=10)
    ctx = FetchContext(NIGHTS[0], "run-backfill")
    run_connector(lake, "bluesky", bluesky.connector_for(lake, "bluesky", options(replay, page_size=4), client(sleeps)),
                  ctx, {})
    backfill = lake.read_parquet(staged_source_dir(ctx.run_id, NIGHTS[0], "bluesky")).column("post_id").to_pylist()
    assert sorted(backfill) == sorted(staged[NIGHTS[0]])
    assert all(night_start(NIGHTS[0]) <= by_cid[c]["_arrived"] < night_start(NIGHTS[1]) for c in server.served)
