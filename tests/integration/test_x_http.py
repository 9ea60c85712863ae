"""X API v2 recent search against a replaying server: next_token, since_id, 429 reset, expired token."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from replay_server import FIXTURES, Reply

from miryoku.lake.state import load_state
from miryoku.sources import xapi
from miryoku.sources.base import FetchContext
from miryoku.sources.http import AuthError, HttpClient, HttpError, RetryPolicy
from miryoku.sources.ingest import run_connector, staged_source_dir
from miryoku.sources.snspaging import Query

pytestmark = pytest.mark.integration

DT = "2026-11-20"
PATH = "/2/tweets/search/recent"
START = dt.datetime(2026, 11, 19, 15, 0, tzinfo=dt.UTC)
NOW = (START + dt.timedelta(days=1, hours=1)).timestamp()  # the nightly run, just after D


def v2_tweets() -> list[dict]:
    """The recorded recent-search payload (tests/fixtures/sns, shapes from the X API v2 reference),
    times moved into D a few minutes apart, newest first."""
    doc = json.loads((FIXTURES / "x_v2_recent_search.json").read_text(encoding="utf-8"))
    out = []
    for i, tweet in enumerate(doc["data"]):
        at = START + dt.timedelta(hours=20, minutes=-7 * i)
        out.append({**tweet, "created_at": at.isoformat().replace("+00:00", ".000Z")})
    return out


def body(tweets, next_token=None):
    meta = {"result_count": len(tweets)}
    if tweets:
        meta.update(newest_id=tweets[0]["id"], oldest_id=tweets[-1]["id"])
    if next_token:
        meta["next_token"] = next_token
    return {"data": tweets, "meta": meta} if tweets else {"meta": meta}


def options(replay, **extra):
    return {"base_url": replay.base, "bearer_token_env": "TEST_X_TOKEN", "queries": ["宇宙ステーション"],
            "page_size": 10, **extra}


def client(sleeps, now=NOW):
    return HttpClient(policy=RetryPolicy(attempts=4, base_delay=0.01, max_wait_total=60), sleep=sleeps.append,
                      now=lambda: now)


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("TEST_X_TOKEN", "AAAA-bearer-secret-0001")


def test_next_token_pagination_window_and_retweets(replay, lake, sleeps):
    tweets = v2_tweets()
    replay.add(PATH, Reply(200, body(tweets[:5], "tok-2")), Reply(200, body(tweets[5:])))
    ctx = FetchContext(DT, "run-1")
    stats = run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay), client(sleeps)), ctx, {})
    assert stats["rows_out"] == 8 and stats["pages"] == 2
    first, second = replay.hits(PATH)
    assert first.query["start_time"] == "2026-11-19T15:00:00Z" and first.query["end_time"] == "2026-11-20T15:00:00Z"
    assert "next_token" not in first.query and second.query["next_token"] == "tok-2"
    assert first.headers["authorization"] == "Bearer AAAA-bearer-secret-0001"
    rows = {r["post_id"]: r for r in lake.read_parquet(staged_source_dir("run-1", DT, "x")).to_pylist()}
    rt = rows[tweets[2]["id"]]
    assert rt["text"] == "RT @masked: 弘前公園の紅葉、見頃です & 人が多い"  # &amp; unescaped; the handle masked in bronze
    raw = json.loads(rt["raw"])
    assert raw["retweet_of"] == tweets[2]["referenced_tweets"][0]["id"] and "author_id" not in raw
    assert "mentions" not in raw.get("entities", {}) and "in_reply_to_user_id" not in json.loads(
        rows[tweets[7]["id"]]["raw"])
    assert rows[tweets[0]["id"]]["hashtags"] == ["青森", "りんご"] and rows[tweets[4]["id"]]["lang"] == "en"
    assert rows[tweets[3]["id"]]["text"] == "青森駅前のアップルパイ屋さん、行列だった >_<"
    assert rt["url"] == f"https://x.com/i/web/status/{tweets[2]['id']}"
    stored = json.dumps(list(rows.values()), default=str)
    assert "bearer-secret" not in stored and "2244994945" not in stored


def test_newest_id_watermark_and_since_id_for_the_next_night(replay, lake, sleeps):
    tweets = v2_tweets()
    replay.add(PATH, Reply(200, body(tweets[:5])))
    run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay), client(sleeps)), FetchContext(DT, "run-d"), {})
    key = Query("x|宇宙ステーション").state_key
    assert load_state(lake, "x", key)["mark"]["id"] == tweets[0]["id"]
    later = {**tweets[1], "id": "1993800000000000001", "created_at": "2026-11-21T03:00:00.000Z"}
    replay.add(PATH, Reply(200, body([later])))
    run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay), client(sleeps, NOW + 86400)),
                  FetchContext("2026-11-21", "run-d2"), {})
    assert replay.hits(PATH)[-1].query["since_id"] == tweets[0]["id"]  # incremental by default
    assert "start_time" not in replay.hits(PATH)[-1].query
    # a re-run of D itself (older than the watermark) asks for D's window only
    replay.add(PATH, Reply(200, body(tweets[:5])))
    run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay), client(sleeps)), FetchContext(DT, "run-d3"), {})
    assert "since_id" not in replay.hits(PATH)[-1].query
    mark = load_state(lake, "x", key)
    assert (mark["dt"], mark["mark"]["id"]) == ("2026-11-21", "1993800000000000001")  # not moved back
    replay.add(PATH, Reply(200, body([])))
    run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay, incremental="window"),
                                                client(sleeps, NOW + 2 * 86400)), FetchContext("2026-11-22", "run-w"), {})
    assert "since_id" not in replay.hits(PATH)[-1].query  # incremental = "window" turns it off


def test_429_waits_until_x_rate_limit_reset(replay, lake, sleeps):
    replay.add(PATH, Reply(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(int(NOW) + 7),
                                                                 "x-rate-limit-remaining": "0"}),
               Reply(500, {"title": "Internal"}), Reply(200, body(v2_tweets()[:3])))
    stats = run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay), client(sleeps)),
                          FetchContext(DT, "run-429"), {})
    assert stats["rows_out"] == 3
    assert 7.0 <= sleeps[0] <= 7.8 and len(sleeps) == 2


def test_expired_token_fails_clearly(replay, lake, sleeps):
    replay.add(PATH, Reply(401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                 "detail": "Unauthorized"}))
    with pytest.raises(AuthError) as err:
        run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay), client(sleeps)),
                      FetchContext(DT, "run-401"), {})
    assert "TEST_X_TOKEN" in str(err.value) and "bearer-secret" not in str(err.value)


def test_empty_result_and_api_error_body(replay, lake, sleeps):
    replay.add(PATH, Reply(200, {"meta": {"result_count": 0}}))
    stats = run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay), client(sleeps)),
                          FetchContext(DT, "run-empty"), {})
    assert stats["rows_out"] == 0
    replay.add(PATH, Reply(200, {"errors": [{"title": "Invalid Request", "detail": "bad query"}]}))
    with pytest.raises(HttpError, match="bad query"):
        run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay), client(sleeps)),
                      FetchContext(DT, "run-err"), {})


def test_dates_beyond_recent_search_fail_instead_of_staging_nothing(replay, lake, sleeps):
    with pytest.raises(HttpError, match="7 days"):
        run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay), client(sleeps, NOW + 30 * 86400)),
                      FetchContext(DT, "run-old"), {})
    assert replay.requests == []


# ---- several nights against a recent search that answers like X -------------------------------------

NIGHTS = ["2026-11-20", "2026-11-21", "2026-11-22"]


def night_start(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.timezone(dt.timedelta(hours=9)))


def searchable() -> list[dict]:
    """The recorded tweets, eight a day over three days plus two after each midnight; ids grow with time."""
    recorded, out = v2_tweets(), []
    moments = [night_start(d) + dt.timedelta(hours=1 + 3 * i) for d in NIGHTS for i in range(8)]
    moments += [night_start(d) + dt.timedelta(days=1, minutes=m) for d in NIGHTS for m in (2, 4)]
    for k, at in enumerate(sorted(moments)):
        tweet = dict(recorded[k % len(recorded)])
        tweet.update(id=str(1993700000000000000 + k * 1000), created_at=at.astimezone(dt.UTC).isoformat()
                     .replace("+00:00", ".000Z"), _arrived=at)
        out.append(tweet)
    return out


def test_nights_fetch_each_tweet_once_and_a_backfill_only_its_window(replay, lake, sleeps):
    from replay_server import Clock, XRecentSearch

    tweets, clock = searchable(), Clock(None)
    server = XRecentSearch(tweets, clock)
    replay.route(PATH, server)
    staged, first = {}, {}
    for day in NIGHTS:
        run_at = night_start(day) + dt.timedelta(days=1, minutes=10)
        clock.now = run_at
        before = len(replay.hits(PATH))
        ctx = FetchContext(day, f"run-{day}")
        run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay, page_size=5),
                                                    client(sleeps, run_at.timestamp())), ctx, {})
        first[day] = replay.hits(PATH)[before].query
        staged[day] = lake.read_parquet(staged_source_dir(ctx.run_id, day, "x")).column("post_id").to_pylist()
    all_staged = [i for ids in staged.values() for i in ids]
    in_range = {t["id"] for t in tweets if t["_arrived"] < night_start(NIGHTS[-1]) + dt.timedelta(days=1)}
    assert sorted(all_staged) == sorted(in_range) and set(server.served.values()) == {1}
    assert "start_time" in first[NIGHTS[0]] and "since_id" not in first[NIGHTS[0]]
    for day, nxt in zip(NIGHTS, NIGHTS[1:], strict=False):
        assert first[nxt]["since_id"] == max(staged[day], key=int) and "start_time" not in first[nxt]
    server.served.clear()
    run_at = night_start("2026-11-23") + dt.timedelta(hours=10)
    clock.now = run_at
    ctx = FetchContext(NIGHTS[1], "run-backfill")
    run_connector(lake, "x", xapi.connector_for(lake, "x", options(replay, page_size=5),
                                                client(sleeps, run_at.timestamp())), ctx, {})
    backfill = lake.read_parquet(staged_source_dir(ctx.run_id, NIGHTS[1], "x")).column("post_id").to_pylist()
    assert sorted(backfill) == sorted(staged[NIGHTS[1]])
    by_id = {t["id"]: t for t in tweets}
    assert all(night_start(NIGHTS[1]) <= by_id[i]["_arrived"] < night_start(NIGHTS[2]) for i in server.served)
    assert load_state(lake, "x", Query("x|宇宙ステーション").state_key)["dt"] == NIGHTS[-1]
