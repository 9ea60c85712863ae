"""What every SNS connector returns, and how its records become bronze ``sns_posts_v1`` rows.

Connectors only fetch and parse; they never write. ``bronze_posts_table`` adds the fetch metadata
(request, fetched_at, checksum, run id), replaces the author id by a keyed hash and masks handles
in ``text``, ``url`` and ``raw`` (``scrub_handles``), so no handle or user id leaves the connector.
Connectors call ``drop_handle_fields`` on a payload before ``raw_json`` to remove account fields.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pyarrow as pa

from miryoku.lake.quarantine import Rejected
from miryoku.sources.handles import HANDLE_FIELDS, drop_handle_fields, scrub_handles

__all__ = ["HANDLE_FIELDS", "SNS_POSTS_SCHEMA", "FetchContext", "FetchResult", "PostRecord", "author_key",
           "bronze_posts_table", "drop_handle_fields", "raw_json", "scrub_handles"]

JST = ZoneInfo("Asia/Tokyo")

SNS_POSTS_SCHEMA = pa.schema([
    ("source", pa.string()),
    ("post_id", pa.string()),
    ("created_at", pa.timestamp("us", tz="UTC")),
    ("text", pa.string()),
    ("lang", pa.string()),
    ("author_key", pa.string()),
    ("url", pa.string()),
    ("hashtags", pa.list_(pa.string())),
    ("raw", pa.string()),
    ("request", pa.string()),
    ("checksum", pa.string()),
    ("fetched_at", pa.timestamp("us", tz="UTC")),
    ("run_id", pa.string()),
])


@dataclass
class PostRecord:
    """One post as a connector parsed it; ``author`` is the raw id and is hashed before writing."""

    source: str
    post_id: str
    created_at: dt.datetime
    text: str
    raw: str
    lang: str | None = None
    author: str | None = None
    url: str | None = None
    hashtags: list[str] = field(default_factory=list)
    request: str | None = None


@dataclass
class FetchResult:
    records: list[PostRecord]
    rejected: list[Rejected]
    rows_in: int


@dataclass(frozen=True)
class FetchContext:
    """What a connector needs to know about the run: the logical date's JST window and the run id."""

    dt: str
    run_id: str

    @property
    def window(self) -> tuple[dt.datetime, dt.datetime]:
        """The logical date as a half-open JST day [00:00, 24:00), in aware datetimes."""
        day = dt.date.fromisoformat(self.dt)
        start = dt.datetime.combine(day, dt.time(), tzinfo=JST)
        return start, start + dt.timedelta(days=1)


def author_key(author: str | None, key: bytes) -> str | None:
    if author is None or author == "":
        return None
    # surrogatepass: an id with a lone surrogate still hashes (it is never stored, so never encoded)
    return hmac.new(key, author.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def bronze_posts_table(records: list[PostRecord], ctx: FetchContext, key: bytes) -> pa.Table:
    fetched_at = dt.datetime.now(dt.UTC)
    rows = {name: [] for name in SNS_POSTS_SCHEMA.names}
    for r in records:
        rows["source"].append(r.source)
        rows["post_id"].append(r.post_id)
        rows["created_at"].append(r.created_at.astimezone(dt.UTC))
        rows["text"].append(scrub_handles(r.text))
        rows["lang"].append(r.lang)
        rows["author_key"].append(author_key(r.author, key))
        rows["url"].append(scrub_handles(r.url))
        rows["hashtags"].append(list(r.hashtags))
        raw = scrub_handles(r.raw)
        rows["raw"].append(raw)
        rows["request"].append(r.request)
        rows["checksum"].append(hashlib.sha256(raw.encode("utf-8")).hexdigest())
        rows["fetched_at"].append(fetched_at)
        rows["run_id"].append(ctx.run_id)
    return pa.Table.from_pydict(rows, schema=SNS_POSTS_SCHEMA)


def raw_json(obj) -> str:
    """A stable JSON rendering of a raw payload (sorted keys, so its checksum is reproducible)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
