"""Bluesky ``app.bsky.feed.searchPosts`` for the JST day D, with an authenticated session and ``cursor``.

The session is created with an app password (``com.atproto.server.createSession``; identifier and
password come from environment variables or an Airflow connection) and lives only in memory. An
``ExpiredToken`` answer refreshes the session once (``refreshSession``, then a new login); if the
server still refuses, the run fails with an ``AuthError`` that says so. Searches use ``sort=latest``,
``until`` = D's end and ``since`` = D's start on a first night or a backfill; after a watermark
(the newest sort time read by the previous night) ``since`` is one millisecond after it (``since``
is inclusive), bounded by the late-arrival lookback, and
``cursor`` pages within the query (the run's resume token keeps it across a retried attempt).
Posts are filtered on their sort time (min(createdAt, indexedAt)), which is what the window
parameters filter on.

The post id is the record's CID: the ``at://`` URI and the author block carry the author's DID and
handle, which never leave the connector (the author DID is hashed into ``author_key``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from miryoku.lake.quarantine import Rejected
from miryoku.lake.state import load_state
from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext, PostRecord, raw_json
from miryoku.sources.http import AuthError, HttpClient, HttpError, policy_from_options
from miryoku.sources.ingest import Page, run_connector
from miryoku.sources.secrets import safe_url, secret
from miryoku.sources.snspaging import Batch, Query, floor_mark, paginate, read_from, search_terms

DEFAULT_SERVICE = "https://bsky.social"
TAG_FACET = "app.bsky.richtext.facet#tag"
LINK_FACET = "app.bsky.richtext.facet#link"


def _time(value) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("timestamp has no offset")
    return parsed


def parse_post(post: dict, source: str, request: str, max_chars: int) -> PostRecord | Rejected:
    """A postView → a post; author, URIs, reply refs and mention facets are left out of ``raw``."""
    record = post.get("record") if isinstance(post, dict) else None
    if not isinstance(record, dict) or not post.get("cid"):
        return Rejected.of("missing_id", "post without cid/record", source, request, raw_json(post))
    location = f"{request}#{post['cid']}"
    facets = []
    tags = [str(t) for t in record.get("tags") or []]
    for facet in record.get("facets") or []:
        features = [f for f in facet.get("features") or [] if f.get("$type") in (TAG_FACET, LINK_FACET)]
        tags += [f["tag"] for f in features if f.get("$type") == TAG_FACET and f.get("tag")]
        if features:
            facets.append({"index": facet.get("index"), "features": features})
    raw = {
        "cid": post["cid"], "indexedAt": post.get("indexedAt"),
        "rkey": str(post.get("uri", "")).rsplit("/", 1)[-1] or None,
        "record": {"text": record.get("text"), "createdAt": record.get("createdAt"),
                   "langs": record.get("langs"), "tags": record.get("tags"), "facets": facets,
                   "is_reply": "reply" in record, "embed_type": (record.get("embed") or {}).get("$type")},
        **{k: post.get(k) for k in ("likeCount", "repostCount", "replyCount", "quoteCount") if k in post},
    }
    try:
        created_at = _time(record.get("createdAt"))
    except (TypeError, ValueError) as exc:
        return Rejected.of("bad_created_at", str(exc), source, location, raw_json(raw))
    text = (record.get("text") or "").strip()
    if not text:
        return Rejected.of("empty_text", "post has no text", source, location, raw_json(raw))
    if len(text) > max_chars:
        return Rejected.of("text_too_long", f"{len(text)} characters > limit {max_chars}", source, location,
                           raw_json(raw))
    langs = record.get("langs") or []
    return PostRecord(source=source, post_id=post["cid"], created_at=created_at, text=text, raw=raw_json(raw),
                      lang=langs[0] if langs else None, author=(post.get("author") or {}).get("did"),
                      url=None, hashtags=list(dict.fromkeys(tags)), request=request)


def sort_time(post: dict) -> dt.datetime | None:
    try:
        moments = [_time(post["record"]["createdAt"])]
        if post.get("indexedAt"):
            moments.append(_time(post["indexedAt"]))
        return min(moments)
    except (KeyError, TypeError, ValueError):
        return None


class Session:
    """An app-password session; tokens stay in this object and are never logged or stored."""

    def __init__(self, http: HttpClient, service: str, options: dict):
        self.http, self.service, self.options = http, service, options
        self.access: str | None = None
        self.refresh: str | None = None

    def _xrpc(self, method: str) -> str:
        return f"{self.service}/xrpc/{method}"

    def login(self) -> None:
        ident = secret(self.options.get("identifier_env", "MIRYOKU_BLUESKY_IDENTIFIER"),
                       self.options.get("conn"), "login")
        password = secret(self.options.get("password_env", "MIRYOKU_BLUESKY_APP_PASSWORD"), self.options.get("conn"))
        self.http.secrets = tuple({*self.http.secrets, password})
        try:
            body, _ = self.http.request_json("POST", self._xrpc("com.atproto.server.createSession"),
                                             json_body={"identifier": ident, "password": password})
        except HttpError as exc:
            raise AuthError(f"Bluesky login refused (check the app password in "
                            f"{self.options.get('password_env', 'MIRYOKU_BLUESKY_APP_PASSWORD')}): {exc}",
                            exc.status) from None
        self._take(body)

    def _take(self, body) -> None:
        self.access, self.refresh = body["accessJwt"], body.get("refreshJwt")
        self.http.secrets = tuple({*self.http.secrets, self.access, self.refresh or ""} - {""})

    def renew(self) -> None:
        if self.refresh:
            try:
                body, _ = self.http.request_json("POST", self._xrpc("com.atproto.server.refreshSession"),
                                                 headers={"Authorization": f"Bearer {self.refresh}"})
                self._take(body)
                return
            except HttpError:
                pass
        self.login()

    def get(self, method: str, params: dict):
        if self.access is None:
            self.login()
        for attempt in range(2):
            try:
                return self.http.get_json(self._xrpc(method), params=params,
                                          headers={"Authorization": f"Bearer {self.access}"})
            except HttpError as exc:
                expired = exc.status in (400, 401) and "ExpiredToken" in (exc.body or "")
                if not expired and not isinstance(exc, AuthError):
                    raise
                if attempt:
                    raise AuthError(f"Bluesky session still refused after renewing it: {exc}", exc.status) from None
                self.renew()
        raise AssertionError("unreachable")


def _zulu(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _later(a: dict | None, b: dict | None) -> dict | None:
    """The later of two positions ``{"at": sort time, "cids": [posts at exactly that time]}``."""
    if a is None or b is None:
        return a or b
    ta, tb = _time(a["at"]), _time(b["at"])
    if ta == tb:
        return {"at": a["at"], "cids": sorted(set(a["cids"]) | set(b["cids"]))}
    return a if ta > tb else b


def queries(options: dict) -> list[Query]:
    terms = search_terms(options) + [f"#{t.lstrip('#')}" for t in options.get("hashtags", [])]
    return [Query(f"bsky|{t}", {"q": t}) for t in terms]


def connector_for(lake: Lake, name: str, options: dict, client: HttpClient | None = None):
    service = str(options.get("service", DEFAULT_SERVICE)).rstrip("/")

    def fetch(ctx: FetchContext, opts: dict, resume: dict | None) -> Iterator[Page]:
        http = client or HttpClient(policy=policy_from_options(options))
        session = Session(http, service, options)
        start, end = ctx.window
        earliest = read_from(ctx, lake.cfg.late_days)
        floors: dict[str, dict | None] = {}
        newest: dict[str, dict | None] = {}

        def floor_of(query: Query) -> dict | None:
            if query.key not in floors:
                floors[query.key] = floor_mark(lake, ctx, name, query)
                saved = load_state(lake, name, query.state_key)
                newest[query.key] = _later(floors[query.key], saved.get("mark") if saved.get("dt") == ctx.dt else None)
            return floors[query.key]

        def fetch_batch(query: Query, cursor) -> Batch:
            floor = floor_of(query)
            # ``since`` is inclusive: one millisecond after the watermark, whose posts were read already
            since = max(_time(floor["at"]) + dt.timedelta(milliseconds=1), earliest) if floor else start
            params = {"q": query.params["q"], "sort": "latest", "limit": int(options.get("page_size", 100)),
                      "since": _zulu(since), "until": _zulu(end)}
            if cursor:
                params["cursor"] = cursor
            body, resp = session.get("app.bsky.feed.searchPosts", params)
            if not isinstance(body, dict) or not isinstance(body.get("posts", []), list):
                raise HttpError(f"unexpected searchPosts response: {type(body).__name__}")
            request = safe_url(str(resp.request.url))
            records, rejected = [], []
            for post in body.get("posts", []):
                moment = sort_time(post) if isinstance(post, dict) else None
                cid = post.get("cid") if isinstance(post, dict) else None
                parsed = parse_post(post, name, request, lake.cfg.max_text_chars)
                if moment is not None and since <= moment < end and cid:
                    newest[query.key] = _later(newest[query.key], {"at": _zulu(moment), "cids": [cid]})
                if isinstance(parsed, Rejected):
                    rejected.append(parsed)
                elif moment is not None and since <= moment < end:
                    records.append(parsed)
            next_cursor = body.get("cursor") if body.get("posts") else None
            return Batch(records, rejected, next_cursor or None, newest[query.key], floor)

        try:
            yield from paginate(lake, ctx, name, queries(options), fetch_batch, resume,
                                int(options.get("max_pages", 100)))
        finally:
            if client is None:
                http.close()
    return fetch


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Stage D's Bluesky posts for every configured search into sns_posts_v1."""
    return run_connector(lake, name, connector_for(lake, name, options), ctx, options)
