"""Paging many queries of one SNS source as one resumable stream of ``Page``s.

A source has several queries (hashtags × instances, search terms). Each is paginated with the API's
own cursor; the resume token saved after every page is ``{"query": <key>, "cursor": <next cursor>}``,
so a retried run continues with the very next page of the query it was in. The same post can match
several queries (a hashtag and a search term) or come back on a retried page: a post id already
staged in this run — read back from the staged pages when resuming — is not staged again.

Watermarks per query make the connectors incremental (``floor_mark``): a night reads what is new
since the previous night's newest position — posts that arrived late (federated, indexed late) are
staged as late arrivals, and no post is fetched twice across nights; a backfill reads its own window.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from miryoku.lake.quarantine import Rejected
from miryoku.lake.state import load_state
from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext, PostRecord
from miryoku.sources.ingest import Page, staged_source_dir


@dataclass(frozen=True)
class Query:
    key: str  # stable and unique within the source, e.g. "mstdn.jp|tag|いちご"
    params: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def state_key(self) -> str:
        """The key's ASCII part plus a hash: Japanese terms must not collapse into one state file."""
        ascii_part = re.sub(r"[^A-Za-z0-9.=-]+", "_", self.key).strip("_")[:40] or "q"
        return f"{ascii_part}-{hashlib.sha256(self.key.encode()).hexdigest()[:10]}"


def floor_mark(lake: Lake, ctx: FetchContext, source: str, query: Query) -> dict | None:
    """Where the run for D starts reading ``query``, or None to read D's window only.

    The watermark a run saves is ``{"dt": D, "mark": <newest position read>, "floor": <where it started>}``.
    The next night (a later D) starts after ``mark``; a re-run of the latest date starts where that
    date's run started (``floor``), so it stages the same posts again; a re-run of an older date
    (a backfill) reads only that date's window and never moves the watermark back. A watermark more
    than ``MAX_GAP_DAYS`` old is not used (the connector reads the window, as on a first night).
    """
    saved = load_state(lake, source, query.state_key)
    if not saved or "mark" not in saved:
        return None
    if saved["dt"] == ctx.dt:
        return saved.get("floor")
    if saved["dt"] > ctx.dt:
        return None
    gap = (dt.date.fromisoformat(ctx.dt) - dt.date.fromisoformat(saved["dt"])).days
    return saved["mark"] if gap <= MAX_GAP_DAYS else None


MAX_GAP_DAYS = 7


def watermark_for(lake: Lake, ctx: FetchContext, source: str, query: Query, mark: dict | None,
                  floor: dict | None = None) -> dict:
    """``{state_key: watermark}`` unless a run for a later date already advanced it (a backfill must not
    move the nightly watermark back)."""
    if not mark:
        return {}
    saved = load_state(lake, source, query.state_key)
    if saved.get("dt", "") > ctx.dt:
        return {}
    return {query.state_key: {"dt": ctx.dt, "query": query.key, "mark": mark, "floor": floor}}


@dataclass
class Batch:
    """One API page as parsed: records, rejects, the cursor of the next page (None = last page)."""

    records: list[PostRecord]
    rejected: list[Rejected] = field(default_factory=list)
    next_cursor: object = None
    watermark: dict | None = None  # the newest position read so far in this query
    floor: dict | None = None  # the position this query started after (see ``floor_mark``)


FetchBatch = Callable[[Query, object], Batch]


def staged_post_ids(lake: Lake, ctx: FetchContext, source: str) -> set[str]:
    folder = staged_source_dir(ctx.run_id, ctx.dt, source)
    if not lake.files(folder, ".parquet"):
        return set()
    return set(lake.read_parquet(folder, columns=["post_id"]).column("post_id").to_pylist())


def in_window(ctx: FetchContext, created_at: dt.datetime) -> bool:
    start, end = ctx.window
    return start <= created_at < end


def read_from(ctx: FetchContext, lookback_days: int) -> dt.datetime:
    """The earliest post time an incremental night stages: D's start minus the late-arrival lookback
    (older late arrivals would only be quarantined as ``late_beyond_lookback`` in silver)."""
    return ctx.window[0] - dt.timedelta(days=lookback_days)


def paginate(lake: Lake, ctx: FetchContext, source: str, queries: list[Query], fetch_batch: FetchBatch,
             resume: dict | None, max_pages: int = 100) -> Iterator[Page]:
    """Run every query to its last page (or ``max_pages``), yielding one ``Page`` per API page."""
    keys = [q.key for q in queries]
    start, cursor = 0, None
    if resume:
        if resume.get("query") in keys:
            start, cursor = keys.index(resume["query"]), resume.get("cursor")
        elif resume.get("done"):
            return
    seen = staged_post_ids(lake, ctx, source) if resume else set()
    for index in range(start, len(queries)):
        query = queries[index]
        pages = 0
        while True:
            batch = fetch_batch(query, cursor)
            pages += 1
            fresh = []
            for record in batch.records:
                if record.post_id not in seen:
                    seen.add(record.post_id)
                    fresh.append(record)
            more = batch.next_cursor is not None and pages < max_pages
            if more:
                token = {"query": query.key, "cursor": batch.next_cursor}
            elif index + 1 < len(queries):
                token = {"query": queries[index + 1].key, "cursor": None}
            else:
                token = {"done": True}
            yield Page(records=fresh, rejected=batch.rejected, rows_in=len(fresh) + len(batch.rejected),
                       resume=token, watermarks=watermark_for(lake, ctx, source, query, batch.watermark, batch.floor))
            if not more:
                break
            cursor = batch.next_cursor
        cursor = None


def search_terms(options: dict) -> list[str]:
    """The configured searches: explicit ``queries`` plus every ``places`` × ``words`` pair.

    ``places = ["青森", "佐賀"]``, ``words = ["りんご", "観光"]`` → "青森 りんご", "青森 観光", … —
    the leaflet's place × product/tourism/evaluation combinations, without writing each one out.
    """
    terms = [str(q) for q in options.get("queries", [])]
    for place in options.get("places", []):
        for word in options.get("words", []):
            terms.append(f"{place} {word}")
    return list(dict.fromkeys(t.strip() for t in terms if str(t).strip()))
