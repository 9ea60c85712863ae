"""Mastodon connector against a replaying server: Link pagination, rate limits, failures, resume."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from replay_server import REALDATA, Reply

from miryoku.sources import mastodon
from miryoku.sources.base import FetchContext
from miryoku.sources.http import AuthError, BadPayload, HttpClient, HttpError, RetryPolicy
from miryoku.sources.ingest import run_connector, staged_source_dir
from miryoku.sources.secrets import MissingSecret

pytestmark = pytest.mark.integration

DT = "2026-11-20"
TAG_PATH = "/api/v1/timelines/tag/いちご"
WINDOW_START = dt.datetime(2026, 11, 19, 15, 0, tzinfo=dt.UTC)  # 2026-11-20 00:00 JST


def real_statuses() -> list[dict]:
    """The 20 real mstdn.jp statuses (2017), ids as strings, times moved into D, newest first."""
    statuses = json.loads((REALDATA / "sns" / "mastodon4j_public_timeline_mstdnjp_2017.json").read_text())
    out = []
    for i, s in enumerate(statuses):
        s = copy.deepcopy(s)
        s["id"] = str(s["id"])
        s["created_at"] = (WINDOW_START + dt.timedelta(hours=20, minutes=-i * 10)).isoformat().replace("+00:00", "Z")
        out.append(s)
    return out


def page(replay, statuses, next_max_id=None, headers=None) -> Reply:
    link = {}
    if next_max_id:
        link["Link"] = (f'<{replay.base}/api/v1/timelines/tag/x?max_id={next_max_id}>; rel="next", '
                        f'<{replay.base}/api/v1/timelines/tag/x?min_id=1>; rel="prev"')
    return Reply(200, statuses, {**link, **(headers or {})})


def options(replay, **extra) -> dict:
    return {"instances": [replay.base], "hashtags": ["いちご"], "page_size": 5, "retry_attempts": 4,
            "retry_base_delay": 0.01, **extra}


def client(sleeps) -> HttpClient:
    return HttpClient(policy=RetryPolicy(attempts=4, base_delay=0.01, max_wait_total=60), sleep=sleeps.append)


def staged_ids(lake, ctx, source="mastodon") -> list[str]:
    return lake.read_parquet(staged_source_dir(ctx.run_id, ctx.dt, source)).column("post_id").to_pylist()


def test_link_header_pagination_html_and_window(replay, lake, sleeps):
    statuses = real_statuses()
    replay.add(TAG_PATH, page(replay, statuses[:5], statuses[4]["id"]), page(replay, statuses[5:10], statuses[9]["id"]),
               page(replay, statuses[10:12]))
    ctx = FetchContext(DT, "run-1")
    stats = run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", options(replay),
                                                                   client(sleeps)), ctx, {})
    assert stats["rows_out"] == 12 and stats["pages"] == 3
    hits = replay.hits(TAG_PATH)
    assert [h.query.get("max_id") for h in hits][1:] == [statuses[4]["id"], statuses[9]["id"]]
    assert int(hits[0].query["max_id"]) == int((WINDOW_START + dt.timedelta(days=1)).timestamp() * 1000) << 16
    rows = lake.read_parquet(staged_source_dir("run-1", DT, "mastodon")).to_pylist()
    first = rows[0]
    host = replay.base.split("//")[1]
    assert first["post_id"] == f"{host}/172429"
    assert first["text"] == "電話であれ、テキストであれ、伝達能力はしっかり鍛えてほしい。"  # <p>…</p> removed
    assert "iorin0225" not in first["raw"] and "account" not in json.loads(first["raw"])
    assert first["url"] is None and len(first["author_key"]) == 64
    assert sleeps == []


def test_boost_is_recorded_once_as_the_boosted_status(replay, lake, sleeps):
    statuses = real_statuses()
    boost = {"id": "999", "created_at": statuses[0]["created_at"], "content": "", "reblog": statuses[1],
             "account": {"acct": "booster"}, "tags": []}
    replay.add(TAG_PATH, page(replay, [boost, statuses[1]]))
    ctx = FetchContext(DT, "run-b")
    stats = run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", options(replay),
                                                                   client(sleeps)), ctx, {})
    assert stats["rows_out"] == 1
    row = lake.read_parquet(staged_source_dir("run-b", DT, "mastodon")).to_pylist()[0]
    assert row["post_id"].endswith("/" + statuses[1]["id"])
    assert json.loads(row["raw"])["boosted_by_status"]["id"] == "999"


def test_rate_limit_reset_5xx_and_truncated_body_are_retried(replay, lake, sleeps):
    statuses = real_statuses()
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).isoformat()
    replay.add(TAG_PATH,
               Reply(429, {"error": "Too many requests"}, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
               Reply(503, "<html>maintenance</html>", {"Content-Type": "text/html"}),
               Reply(200, statuses[:3], truncate=True),
               page(replay, statuses[:3]))
    ctx = FetchContext(DT, "run-r")
    stats = run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", options(replay),
                                                                   client(sleeps)), ctx, {})
    assert stats["rows_out"] == 3
    assert len(replay.hits(TAG_PATH)) == 4
    assert 1.0 < sleeps[0] <= 2.5  # waited for X-RateLimit-Reset, not a blind back-off
    assert len(sleeps) == 3


def test_remaining_zero_waits_for_reset_before_next_request(replay, lake, sleeps):
    statuses = real_statuses()
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)).isoformat()
    replay.add(TAG_PATH, page(replay, statuses[:5], statuses[4]["id"],
                              {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
               page(replay, statuses[5:7]))
    ctx = FetchContext(DT, "run-q")
    run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", options(replay), client(sleeps)), ctx, {})
    assert len(sleeps) == 1 and 2.0 < sleeps[0] <= 3.0


def test_non_json_body_gives_up_with_a_clear_error(replay, lake, sleeps):
    replay.route(TAG_PATH, lambda seen: Reply(200, "<html>not json</html>", {"Content-Type": "text/html"}))
    ctx = FetchContext(DT, "run-n")
    with pytest.raises(BadPayload, match="not JSON"):
        run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", options(replay), client(sleeps)),
                      ctx, {})
    assert len(replay.hits(TAG_PATH)) == 4


def test_retry_budget_bounds_total_wait(replay, lake, sleeps):
    replay.route(TAG_PATH, lambda seen: Reply(429, {"error": "slow down"}, {"Retry-After": "50"}))
    tight = HttpClient(policy=RetryPolicy(attempts=10, base_delay=0.01, max_wait_total=120), sleep=sleeps.append)
    with pytest.raises(HttpError, match="retry budget"):
        run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", options(replay), tight),
                      FetchContext(DT, "run-budget"), {})
    assert sum(sleeps) <= 120


def test_empty_results(replay, lake, sleeps):
    replay.add(TAG_PATH, page(replay, []))
    stats = run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", options(replay), client(sleeps)),
                          FetchContext(DT, "run-e"), {})
    assert stats["rows_out"] == 0 and stats["rows_quarantined"] == 0


def test_expired_token_is_a_clear_auth_error_without_the_token(replay, lake, sleeps, monkeypatch):
    monkeypatch.setenv("TEST_MASTODON_TOKEN", "s3cr3t-token-value")
    replay.route("/api/v2/search", lambda seen: Reply(401, {"error": "The access token expired"}))
    opts = options(replay, hashtags=[], queries=["青森 りんご"], token_env="TEST_MASTODON_TOKEN")
    with pytest.raises(AuthError) as err:
        run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", opts, client(sleeps)),
                      FetchContext(DT, "run-a"), {})
    assert "expired" in str(err.value) and "s3cr3t" not in str(err.value)
    assert replay.hits("/api/v2/search")[0].headers["authorization"] == "Bearer s3cr3t-token-value"


def test_search_pages_with_offset_and_the_window(replay, lake, sleeps, monkeypatch):
    monkeypatch.setenv("TEST_MASTODON_TOKEN", "tok-123456")
    statuses = real_statuses()
    replay.add("/api/v2/search", Reply(200, {"accounts": [], "hashtags": [], "statuses": statuses[:5]}),
               Reply(200, {"accounts": [], "hashtags": [], "statuses": statuses[5:7]}))
    opts = options(replay, hashtags=[], places=["青森"], words=["りんご"], token_env="TEST_MASTODON_TOKEN")
    stats = run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", opts, client(sleeps)),
                          FetchContext(DT, "run-s"), {})
    hits = replay.hits("/api/v2/search")
    assert stats["rows_out"] == 7
    assert [h.query["offset"] for h in hits] == ["0", "5"] and hits[0].query["q"] == "青森 りんご"
    assert hits[0].query["type"] == "statuses" and "max_id" in hits[0].query
    assert "min_id" not in hits[0].query  # no watermark yet: the created_at window, never snowflake(start)


def test_killed_between_pages_resumes_without_loss_or_duplicates(replay, lake, sleeps):
    statuses = real_statuses()
    pages = [page(replay, statuses[:5], statuses[4]["id"]), page(replay, statuses[5:10], statuses[9]["id"]),
             page(replay, statuses[10:15], statuses[14]["id"]), page(replay, statuses[15:20])]
    replay.add(TAG_PATH, *pages)
    ctx = FetchContext(DT, "run-kill")
    fetch = mastodon.connector_for(lake, "mastodon", options(replay), client(sleeps))

    def dies_after_two(c, o, resume):
        for n, p in enumerate(fetch(c, o, resume), start=1):
            yield p
            if n == 2:
                raise KeyboardInterrupt("worker killed")

    with pytest.raises(KeyboardInterrupt):
        run_connector(lake, "mastodon", dies_after_two, ctx, {})
    assert len(staged_ids(lake, ctx)) == 10
    replay.add(TAG_PATH, pages[2], pages[3])  # the retried attempt asks for page 3 onwards only
    stats = run_connector(lake, "mastodon", fetch, ctx, {})
    ids = staged_ids(lake, ctx)
    assert len(ids) == 20 and len(set(ids)) == 20
    assert stats["rows_out"] == 20
    assert replay.hits(TAG_PATH)[2].query["max_id"] == statuses[9]["id"]


def test_rerun_of_the_same_date_replaces_staged_data(replay, lake, sleeps):
    statuses = real_statuses()
    for run in ("run-x", "run-x"):
        replay.add(TAG_PATH, page(replay, statuses[:4]))
        run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", options(replay), client(sleeps)),
                      FetchContext(DT, run), {})
    assert len(staged_ids(lake, FetchContext(DT, "run-x"))) == 4


def test_public_hashtags_run_without_a_token_but_search_needs_one(replay, lake, sleeps, monkeypatch):
    monkeypatch.delenv("TEST_MASTODON_TOKEN", raising=False)
    replay.add(TAG_PATH, page(replay, real_statuses()[:2]))
    opts = options(replay, token_env="TEST_MASTODON_TOKEN")
    stats = run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", opts, client(sleeps)),
                          FetchContext(DT, "run-pub"), {})
    assert stats["rows_out"] == 2 and "authorization" not in replay.hits(TAG_PATH)[0].headers
    with pytest.raises(MissingSecret, match="TEST_MASTODON_TOKEN"):
        run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", {**opts, "hashtags": [],
                                                                                  "queries": ["青森"]},
                                                               client(sleeps)), FetchContext(DT, "run-s2"), {})


# ---- several nights against a timeline that answers like Mastodon ------------------------------------

NIGHTS = ["2026-11-20", "2026-11-21", "2026-11-22"]
JST = dt.timezone(dt.timedelta(hours=9))


def jst(day: str, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), JST)


def next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def timeline(sequential: bool) -> list[dict]:
    """Six statuses a day over three days and one at 00:05 after each day, plus (sequential instance)
    a status written at 23:55 on the first day that reaches the instance only at 00:30."""
    base, out = real_statuses(), []
    moments = [(jst(d, h, 30), None) for d in NIGHTS for h in (1, 6, 11, 16, 21, 23)]
    moments += [(jst(next_day(d), 0, 5), None) for d in NIGHTS]
    if sequential:
        moments.append((jst(NIGHTS[0], 23, 55), jst(NIGHTS[1], 0, 30)))
    for k, (created, arrived) in enumerate(moments):
        status = copy.deepcopy(base[k % len(base)])
        status.update(created_at=created.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                      _arrived=arrived or created)
        out.append(status)
    out.sort(key=lambda s: s["_arrived"])
    for k, status in enumerate(out):  # sequential: arrival order; snowflake: the creation time
        status["id"] = str(1001 + k) if sequential else str(int(mastodon.snowflake(
            dt.datetime.fromisoformat(status["created_at"].replace("Z", "+00:00")))) + k)
    return out


def run_nights(replay, lake, sleeps, statuses):
    from replay_server import Clock, MastodonTimeline

    clock = Clock(None)
    server = MastodonTimeline(replay, statuses, clock)
    replay.route(TAG_PATH, server)
    staged: dict[str, list[str]] = {}
    first_requests = {}
    for day in NIGHTS:
        clock.now = jst(next_day(day), 0, 10)  # the nightly run, just after D
        before = len(replay.hits(TAG_PATH))
        run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", options(replay, page_size=4),
                                                               client(sleeps)), FetchContext(day, f"run-{day}"), {})
        first_requests[day] = replay.hits(TAG_PATH)[before].query
        staged[day] = [i.rsplit("/", 1)[1] for i in staged_ids(lake, FetchContext(day, f"run-{day}"))]
    return server, clock, staged, first_requests


def created(status) -> dt.datetime:
    return dt.datetime.fromisoformat(status["created_at"].replace("Z", "+00:00"))


def test_nights_fetch_each_status_once_and_a_backfill_only_its_window(replay, lake, sleeps):
    statuses = timeline(sequential=False)
    server, clock, staged, first = run_nights(replay, lake, sleeps, statuses)
    last_end = jst(NIGHTS[-1], 0) + dt.timedelta(days=1)
    expected = {s["id"] for s in statuses if created(s) < last_end}
    all_staged = [i for ids in staged.values() for i in ids]
    assert sorted(all_staged) == sorted(expected)  # every status staged, none twice
    assert set(server.served.values()) == {1}  # and none sent twice by the server
    by_id = {s["id"]: s for s in statuses}
    for day, nxt in zip(NIGHTS, NIGHTS[1:], strict=False):
        newest = max(staged[day], key=int)
        assert first[nxt]["since_id"] == newest  # the next night starts after the watermark
        assert all(jst(day, 0) <= created(by_id[i]) < jst(nxt, 0) for i in staged[day])
    assert "since_id" not in first[NIGHTS[0]]  # a first night: the window, max_id at its end
    # a backfill of the first date after the third night: only that date's window, watermark kept
    server.served.clear()
    clock.now = jst("2026-11-23", 10)
    run_connector(lake, "mastodon", mastodon.connector_for(lake, "mastodon", options(replay, page_size=4),
                                                           client(sleeps)), FetchContext(NIGHTS[0], "run-backfill"), {})
    backfill = [i.rsplit("/", 1)[1] for i in staged_ids(lake, FetchContext(NIGHTS[0], "run-backfill"))]
    assert sorted(backfill) == sorted(staged[NIGHTS[0]])
    assert all(jst(NIGHTS[0], 0) <= created(by_id[i]) < jst(NIGHTS[1], 0) for i in server.served)
    key = mastodon.queries(options(replay))[0].state_key
    from miryoku.lake.state import load_state

    assert load_state(lake, "mastodon", key)["dt"] == NIGHTS[-1]


def test_sequential_ids_are_not_hidden_and_late_arrivals_are_staged_once(replay, lake, sleeps):
    statuses = timeline(sequential=True)
    server, _, staged, first = run_nights(replay, lake, sleeps, statuses)
    assert all(int(s["id"]) < 2000 for s in statuses)
    assert "since_id" not in first[NIGHTS[0]] and len(staged[NIGHTS[0]]) == 6  # snowflake(start) would hide all
    late = next(s for s in statuses if s["_arrived"] != jst(NIGHTS[0], 23, 55) and created(s) == jst(NIGHTS[0], 23, 55))
    assert late["id"] in staged[NIGHTS[1]]  # dated the first day, staged the night it arrived
    all_staged = [i for ids in staged.values() for i in ids]
    assert len(all_staged) == len(set(all_staged)) == 6 * 3 + 1 + 2  # + the 00:05 statuses of days 2 and 3
    after_midnight = {s["id"] for s in statuses if created(s).astimezone(JST).hour == 0 and created(s).minute == 5}
    twice = {i for i, n in server.served.items() if n > 1}
    assert twice <= after_midnight  # only what was posted between D's end and the run is sent again
