"""X (Twitter) API v2 recent search for the JST day D: bearer token, ``next_token`` paging, ``since_id``.

Each configured search term (place × word pairs, explicit queries, ``#hashtags``) plus an optional
``query_suffix`` (e.g. ``-is:retweet lang:ja``) is one query over ``start_time``/``end_time`` = D's
window on a first night. The newest tweet id read (up to D's end) is the query's watermark: the
next night sends ``since_id`` instead of ``start_time`` (the default, ``incremental = "since_id"``;
``"window"`` turns it off), so no tweet is fetched twice across nights; a re-run of the latest date
starts where that date's run started, a backfill of an older date reads its window only, and a
watermark older than recent search reaches is not used. A 429 waits until
``x-rate-limit-reset``; a 401/403 is an ``AuthError`` naming where the token is configured.

Recent search only reaches back seven days: an older D fails with a clear message instead of
silently staging nothing. Text comes HTML-escaped (``&amp;``, ``&gt;``) and is unescaped; retweets
are recognised through ``referenced_tweets``. ``author_id`` and mentions are dropped from ``raw``.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator

from miryoku.lake.quarantine import Rejected
from miryoku.lake.state import load_state
from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext, PostRecord, raw_json
from miryoku.sources.http import AuthError, HttpClient, HttpError, policy_from_options
from miryoku.sources.ingest import Page, run_connector
from miryoku.sources.secrets import redact, safe_url, secret
from miryoku.sources.snspaging import Batch, Query, floor_mark, in_window, paginate, read_from, search_terms

DEFAULT_BASE = "https://api.x.com"
FIELDS = "created_at,lang,author_id,entities,referenced_tweets,conversation_id,public_metrics"
RECENT_DAYS = 7


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_tweet(tweet: dict, source: str, request: str, max_chars: int) -> PostRecord | Rejected:
    location = f"{request}#{tweet.get('id') if isinstance(tweet, dict) else '?'}"
    if not isinstance(tweet, dict) or not tweet.get("id"):
        return Rejected.of("missing_id", "tweet without id", source, location, raw_json(tweet))
    raw = {k: v for k, v in tweet.items() if k not in ("author_id", "in_reply_to_user_id", "entities")}
    entities = {k: v for k, v in (tweet.get("entities") or {}).items() if k != "mentions"}
    if entities:
        raw["entities"] = entities
    refs = [r for r in tweet.get("referenced_tweets") or [] if isinstance(r, dict)]
    retweet_of = next((r.get("id") for r in refs if r.get("type") == "retweeted"), None)
    if retweet_of:
        raw["retweet_of"] = retweet_of
    try:
        created_at = dt.datetime.fromisoformat(str(tweet.get("created_at")).replace("Z", "+00:00"))
        if created_at.tzinfo is None:
            raise ValueError("no offset")
    except ValueError as exc:
        return Rejected.of("bad_created_at", str(exc), source, location, raw_json(raw))
    text = html.unescape(tweet.get("text") or "").strip()
    if not text:
        return Rejected.of("empty_text", "tweet has no text", source, location, raw_json(raw))
    if len(text) > max_chars:
        return Rejected.of("text_too_long", f"{len(text)} characters > limit {max_chars}", source, location,
                           raw_json(raw))
    return PostRecord(
        source=source, post_id=str(tweet["id"]), created_at=created_at, text=text, raw=raw_json(raw),
        lang=tweet.get("lang") or None, author=tweet.get("author_id"),
        url=f"https://x.com/i/web/status/{tweet['id']}",
        hashtags=[h["tag"] for h in entities.get("hashtags") or [] if isinstance(h, dict) and h.get("tag")],
        request=request,
    )


def _newer(a: dict | None, b: dict | None) -> dict | None:
    if a is None or b is None:
        return a or b
    return a if int(a["id"]) >= int(b["id"]) else b


def queries(options: dict) -> list[Query]:
    suffix = str(options.get("query_suffix", "")).strip()
    terms = search_terms(options) + [f"#{t.lstrip('#')}" for t in options.get("hashtags", [])]
    return [Query(f"x|{t}", {"query": f"{t} {suffix}".strip()}) for t in terms]


def connector_for(lake: Lake, name: str, options: dict, client: HttpClient | None = None):
    base = str(options.get("base_url", DEFAULT_BASE)).rstrip("/")
    env, conn = options.get("bearer_token_env", "MIRYOKU_X_BEARER_TOKEN"), options.get("bearer_token_conn")

    def fetch(ctx: FetchContext, opts: dict, resume: dict | None) -> Iterator[Page]:
        token = secret(env, conn)
        http = client or HttpClient(policy=policy_from_options(options), secrets=(token,))
        http.secrets = tuple({*http.secrets, token})
        start, end = ctx.window
        now = dt.datetime.fromtimestamp(http.now(), dt.UTC)
        if start < now - dt.timedelta(days=RECENT_DAYS):
            raise HttpError(f"X recent search covers the last {RECENT_DAYS} days; {ctx.dt} is older")
        end = min(end, now - dt.timedelta(seconds=15))  # end_time must be ≥10 s in the past

        floors: dict[str, dict | None] = {}
        newest: dict[str, dict | None] = {}
        incremental = str(options.get("incremental", "since_id")) == "since_id"
        earliest = read_from(ctx, lake.cfg.late_days)

        def floor_of(query: Query) -> dict | None:
            if query.key not in floors:
                floor = floor_mark(lake, ctx, name, query) if incremental else None
                if floor and dt.datetime.fromisoformat(floor["at"]) < now - dt.timedelta(days=RECENT_DAYS):
                    floor = None  # since_id older than recent search reaches: read the window
                floors[query.key] = floor
                saved = load_state(lake, name, query.state_key)
                newest[query.key] = _newer(floor, saved.get("mark") if saved.get("dt") == ctx.dt else None)
            return floors[query.key]

        def fetch_batch(query: Query, cursor) -> Batch:
            floor = floor_of(query)
            params = {"query": query.params["query"], "max_results": int(options.get("page_size", 100)),
                      "tweet.fields": FIELDS, "end_time": _iso(end)}
            if floor:
                params["since_id"] = floor["id"]
            else:
                params["start_time"] = _iso(start)
            if cursor:
                params["next_token"] = cursor
            try:
                body, resp = http.get_json(f"{base}/2/tweets/search/recent", params=params,
                                           headers={"Authorization": f"Bearer {token}"})
            except AuthError as exc:
                raise AuthError(f"X rejected the bearer token from {env or conn} (expired or revoked?): {exc}",
                                exc.status) from None
            if not isinstance(body, dict):
                raise HttpError(f"unexpected X response: {type(body).__name__}")
            if body.get("errors") and not body.get("data"):
                titles = "; ".join(str(e.get("detail") or e.get("title") or e) for e in body["errors"][:3])
                raise HttpError(f"X search error for {query.key!r}: {redact(titles, (token,))}")
            request = safe_url(str(resp.request.url))
            records, rejected = [], []
            for tweet in body.get("data") or []:
                parsed = parse_tweet(tweet, name, request, lake.cfg.max_text_chars)
                if isinstance(parsed, Rejected):
                    rejected.append(parsed)
                    continue
                if parsed.created_at < end:
                    newest[query.key] = _newer(newest[query.key], {"id": parsed.post_id,
                                                                   "at": parsed.created_at.isoformat()})
                if in_window(ctx, parsed.created_at) or (floor and earliest <= parsed.created_at < end):
                    records.append(parsed)
            meta = body.get("meta") or {}
            return Batch(records, rejected, meta.get("next_token") or None, newest[query.key], floor)

        try:
            yield from paginate(lake, ctx, name, queries(options), fetch_batch, resume,
                                int(options.get("max_pages", 100)))
        finally:
            if client is None:
                http.close()
    return fetch


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Stage D's tweets for every configured search into sns_posts_v1."""
    return run_connector(lake, name, connector_for(lake, name, options), ctx, options)
