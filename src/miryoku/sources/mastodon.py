"""Mastodon: hashtag timelines and status search on any number of instances, for the JST day D.

Per instance, every configured hashtag (``GET /api/v1/timelines/tag/:hashtag``) and every search
term (``GET /api/v2/search?type=statuses``, needs a token on most instances) is one query. The
upper bound is ``max_id`` at D's end (Mastodon's time-ordered ids: milliseconds << 16, larger than
any sequential id). The lower bound is the query's watermark — the newest status the previous night
read, as ``since_id`` (timelines) / ``min_id`` (search) — never ``snowflake(start)`` on its own, which
would hide every status of an old instance with sequential ids: there the ``created_at`` floor (D's
start, or the late-arrival lookback after a watermark) stops the paging. A first night, and a
backfill of an older date, read D's window only (a backfill on an instance whose watermark shows
snowflake ids also sends ``snowflake(start)`` as the lower id, so no page reaches before D). Timelines page with the ``Link: <…max_id=…>;
rel="next"`` header, search with ``offset``. ``X-RateLimit-Remaining``/``-Reset`` are honoured by the client.

A boost (``reblog``) is recognised: the boosted status is recorded (its own id, text and time) with
the boost noted in ``raw``; it is staged once however often it is boosted. HTML ``content`` becomes
text. No handle or account id leaves the connector: ``account``, ``mentions`` and the author-named
``url``/``uri`` are dropped from ``raw``, and the author is hashed into ``author_key``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

from miryoku.lake.quarantine import Rejected
from miryoku.lake.state import load_state
from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext, PostRecord, raw_json
from miryoku.sources.http import HttpClient, policy_from_options
from miryoku.sources.ingest import Page, run_connector
from miryoku.sources.secrets import MissingSecret, safe_url, secret
from miryoku.sources.snspaging import Batch, Query, floor_mark, in_window, paginate, read_from, search_terms

BLOCK_RE = re.compile(r"(?i)<br\s*/?>|</p\s*>\s*<p[^>]*>")
TAG_RE = re.compile(r"<[^>]+>")
PRIVATE_KEYS = ("account", "mentions", "url", "uri")


def html_to_text(content: str) -> str:
    """Mastodon's HTML ``content`` as plain text: paragraphs and <br> become newlines, tags go."""
    text = BLOCK_RE.sub("\n", content or "")
    text = TAG_RE.sub("", text)
    return html.unescape(text).strip()


def snowflake(moment: dt.datetime) -> str:
    """The smallest Mastodon id at ``moment`` (ids are milliseconds since the epoch shifted by 16)."""
    return str(int(moment.timestamp() * 1000) << 16)


def _scrub(status: dict) -> dict:
    out = {k: v for k, v in status.items() if k not in PRIVATE_KEYS}
    if isinstance(status.get("reblog"), dict):
        out["reblog"] = _scrub(status["reblog"])
    return out


def _created(value) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("created_at has no offset")
    return parsed


def _moment(status) -> dt.datetime | None:
    try:
        return _created(status.get("created_at"))
    except (AttributeError, TypeError, ValueError):
        return None


def parse_status(status: dict, host: str, source: str, request: str, max_chars: int) -> PostRecord | Rejected:
    """One status (or boost) → a post of the boosted/original status, or a reject with its reason."""
    location = f"{request}#{status.get('id') if isinstance(status, dict) else '?'}"
    if not isinstance(status, dict) or status.get("id") is None:
        return Rejected.of("missing_id", "status without id", source, location, raw_json(status))
    original = status["reblog"] if isinstance(status.get("reblog"), dict) else status
    raw = _scrub(original)
    raw["instance"] = host
    if original is not status:
        raw["boosted_by_status"] = {"id": str(status["id"]), "created_at": status.get("created_at")}
    try:
        created_at = _created(original.get("created_at"))
    except (TypeError, ValueError) as exc:
        return Rejected.of("bad_created_at", str(exc), source, location, raw_json(raw))
    spoiler = (original.get("spoiler_text") or "").strip()
    text = html_to_text(original.get("content") or "")
    text = f"{spoiler}\n{text}".strip() if spoiler else text
    if not text:
        return Rejected.of("empty_text", "status has no text (media only?)", source, location, raw_json(raw))
    if len(text) > max_chars:
        return Rejected.of("text_too_long", f"{len(text)} characters > limit {max_chars}", source, location,
                           raw_json(raw))
    account = original.get("account") or {}
    acct = account.get("acct") or account.get("id")
    author = None if acct is None else (str(acct) if "@" in str(acct) else f"{acct}@{host}")
    return PostRecord(
        source=source, post_id=f"{host}/{original['id']}", created_at=created_at, text=text,
        raw=raw_json(raw), lang=original.get("language") or None, author=author, url=None,
        hashtags=[t["name"] for t in original.get("tags") or [] if isinstance(t, dict) and t.get("name")],
        request=request,
    )


def _instances(options: dict) -> list[dict]:
    out = []
    for item in options.get("instances", []):
        entry = {"url": item} if isinstance(item, str) else dict(item)
        entry["url"] = entry["url"].rstrip("/")
        entry.setdefault("token_env", options.get("token_env"))
        entry.setdefault("token_conn", options.get("token_conn"))
        out.append(entry)
    return out


def queries(options: dict) -> list[Query]:
    found = []
    for inst in _instances(options):
        host = urlsplit(inst["url"]).netloc
        for tag in options.get("hashtags", []):
            found.append(Query(f"{host}|tag|{tag.lstrip('#')}", {**inst, "tag": tag.lstrip("#")}))
        for term in search_terms(options):
            found.append(Query(f"{host}|search|{term}", {**inst, "q": term}))
    return found


SNOWFLAKE_MIN = 1 << 56  # ids below this are an old instance's sequential ids (snowflakes are ~2^56+)


def _newer(a: dict | None, b: dict | None) -> dict | None:
    """The later of two positions ``{"id", "at"}`` (by id; ids of one instance are comparable)."""
    if a is None or b is None:
        return a or b
    return a if int(a["id"]) >= int(b["id"]) else b


def connector_for(lake: Lake, name: str, options: dict, client: HttpClient | None = None):
    limit = int(options.get("page_size", 40))

    def fetch(ctx: FetchContext, opts: dict, resume: dict | None) -> Iterator[Page]:
        http = client or HttpClient(policy=policy_from_options(options))
        start, end = ctx.window
        earliest = read_from(ctx, lake.cfg.late_days)
        floors: dict[str, dict | None] = {}
        newest: dict[str, dict | None] = {}

        snowflakes: dict[str, bool] = {}

        def floor_of(query: Query) -> dict | None:
            if query.key not in floors:
                floors[query.key] = floor_mark(lake, ctx, name, query)
                saved = load_state(lake, name, query.state_key)
                same_day = saved.get("mark") if saved.get("dt") == ctx.dt else None
                newest[query.key] = _newer(floors[query.key], same_day)
                known = (saved.get("mark") or {}).get("id")
                snowflakes[query.key] = known is not None and int(known) >= SNOWFLAKE_MIN
            return floors[query.key]

        def fetch_batch(query: Query, cursor) -> Batch:
            inst = query.params
            floor = floor_of(query)
            headers = {}
            if inst.get("token_env") or inst.get("token_conn"):
                try:
                    token = secret(inst.get("token_env"), inst.get("token_conn"))
                    headers["Authorization"] = f"Bearer {token}"
                    http.secrets = tuple({*http.secrets, token})
                except MissingSecret:
                    if "tag" not in inst:  # hashtag timelines are public; search needs the token
                        raise
            host = urlsplit(inst["url"]).netloc
            # the lower id bound: after the watermark, and for snowflake ids not before the window
            # (a sequential-id instance gets the created_at floor only: snowflake(start) would hide it all)
            low = None
            if floor:
                low = int(floor["id"])
                if low >= SNOWFLAKE_MIN:
                    low = max(low, int(snowflake(earliest)) - 1)
            elif snowflakes[query.key]:  # a backfill on an instance known to use snowflake ids
                low = int(snowflake(start)) - 1
            if "tag" in inst:
                url = f"{inst['url']}/api/v1/timelines/tag/{quote(inst['tag'], safe='')}"
                params = {"limit": limit, "max_id": cursor or snowflake(end)}
                if low is not None:
                    params["since_id"] = str(low)
            else:
                url = f"{inst['url']}/api/v2/search"
                params = {"q": inst["q"], "type": "statuses", "limit": limit, "offset": cursor or 0,
                          "max_id": snowflake(end)}
                if low is not None:
                    params["min_id"] = str(low)
            body, resp = http.get_json(url, params=params, headers=headers)
            statuses = body.get("statuses", []) if isinstance(body, dict) else body
            if not isinstance(statuses, list):
                raise ValueError(f"unexpected Mastodon response from {safe_url(url)}: {type(body).__name__}")
            request = safe_url(str(resp.request.url))
            records, rejected, oldest = [], [], None
            for status in statuses:
                parsed = parse_status(status, host, name, request, lake.cfg.max_text_chars)
                moment = _moment(status)  # a boost counts at the time it was boosted
                oldest = moment if moment and (oldest is None or moment < oldest) else oldest
                if moment is not None and moment < end and isinstance(status, dict) and status.get("id"):
                    if low is None or int(status["id"]) > low:
                        newest[query.key] = _newer(newest[query.key], {"id": str(status["id"]),
                                                                       "at": moment.isoformat()})
                if isinstance(parsed, Rejected):
                    rejected.append(parsed)
                elif moment is not None and (in_window(ctx, moment) or (floor and earliest <= moment < end)):
                    records.append(parsed)  # after a watermark, late arrivals of the lookback count too
            if "tag" in inst:
                nxt = resp.links.get("next", {}).get("url")
                next_cursor = (parse_qs(urlsplit(nxt).query).get("max_id") or [None])[0] if nxt else None
                if not statuses or (oldest is not None and oldest < (earliest if floor else start)):
                    next_cursor = None
            else:
                next_cursor = (int(cursor or 0) + len(statuses)) if len(statuses) >= limit else None
            return Batch(records, rejected, next_cursor, newest[query.key], floor)

        try:
            yield from paginate(lake, ctx, name, queries(options), fetch_batch, resume,
                                int(options.get("max_pages", 100)))
        finally:
            if client is None:
                http.close()
    return fetch


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Stage D's statuses of every configured instance × (hashtag | search term) into sns_posts_v1."""
    return run_connector(lake, name, connector_for(lake, name, options), ctx, options)
