"""Mastodon: hashtag timelines and status search on any number of instances, for the JST day D.

Per instance, every configured hashtag (``GET /api/v1/timelines/tag/:hashtag``) and every search
term (``GET /api/v2/search?type=statuses``, needs a token on most instances) is one query. The
window is expressed with Mastodon's time-ordered ids (id = milliseconds << 16): ``max_id`` at D's end
and ``min_id``/``since_id`` at its start; statuses are also filtered on ``created_at`` because old
instances use plain sequential ids. Timelines page with the ``Link: <…max_id=…>; rel="next"``
header, search with ``offset``. ``X-RateLimit-Remaining``/``-Reset`` are honoured by the client.

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
from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext, PostRecord, raw_json
from miryoku.sources.http import HttpClient, policy_from_options
from miryoku.sources.ingest import Page, run_connector
from miryoku.sources.secrets import MissingSecret, safe_url, secret
from miryoku.sources.snspaging import Batch, Query, in_window, paginate, search_terms

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


def connector_for(lake: Lake, name: str, options: dict, client: HttpClient | None = None):
    limit = int(options.get("page_size", 40))

    def fetch(ctx: FetchContext, opts: dict, resume: dict | None) -> Iterator[Page]:
        http = client or HttpClient(policy=policy_from_options(options))
        start, end = ctx.window

        def fetch_batch(query: Query, cursor) -> Batch:
            inst = query.params
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
            if "tag" in inst:
                url = f"{inst['url']}/api/v1/timelines/tag/{quote(inst['tag'], safe='')}"
                params = {"limit": limit, "max_id": cursor or snowflake(end), "since_id": snowflake(start)}
            else:
                url = f"{inst['url']}/api/v2/search"
                params = {"q": inst["q"], "type": "statuses", "limit": limit, "offset": cursor or 0,
                          "max_id": snowflake(end), "min_id": snowflake(start)}
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
                if isinstance(parsed, Rejected):
                    rejected.append(parsed)
                elif moment is not None and in_window(ctx, moment):
                    records.append(parsed)
            if "tag" in inst:
                nxt = resp.links.get("next", {}).get("url")
                next_cursor = (parse_qs(urlsplit(nxt).query).get("max_id") or [None])[0] if nxt else None
                if not statuses or (oldest is not None and oldest < start):
                    next_cursor = None
            else:
                next_cursor = (int(cursor or 0) + len(statuses)) if len(statuses) >= limit else None
            mark = {"newest_id": str(statuses[0]["id"])} if statuses and cursor is None else None
            return Batch(records, rejected, next_cursor, mark)

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
