"""The one ingest loop every SNS connector runs through: page → staged bronze file → saved progress.

Connectors are generators of ``Page``s. Each page is written to the run's staging folder before the
run's progress (the connector's resume token) is saved, so a task killed between pages and retried
(same Airflow run id → same staging folder) resumes after the last durable page: nothing is lost and
nothing is staged twice. Long-lived watermarks per query (``Page.watermarks``) are saved the same way.
The bronze gate later validates the staged pages and ``publish_source`` swaps them in for the
source's previous files of that date, so re-running a date replaces, never appends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

from miryoku.lake.publish import staging_table
from miryoku.lake.quarantine import Rejected, write_quarantine
from miryoku.lake.state import load_state, save_state, state_path
from miryoku.lake.storage import Lake, safe_key
from miryoku.sources.base import FetchContext, PostRecord, bronze_posts_table

BRONZE_POSTS = "sns_posts"


@dataclass
class Page:
    """One unit of durable progress: its records, its rejects, and where to resume after it."""

    records: list[PostRecord]
    rejected: list[Rejected] = field(default_factory=list)
    rows_in: int = 0
    resume: dict | None = None
    watermarks: dict[str, dict] = field(default_factory=dict)


# fetch(ctx, options, resume) → pages; ``resume`` is the last saved Page.resume of this run, or None.
Connector = Callable[[FetchContext, dict, dict | None], Iterator[Page]]


def staged_source_dir(run_key: str, dt_value: str, source: str) -> str:
    return f"{staging_table(run_key, 'bronze', BRONZE_POSTS)}/dt={dt_value}/{safe_key(source)}"


def run_connector(lake: Lake, source: str, connector: Connector, ctx: FetchContext, options: dict) -> dict:
    """Drive ``connector`` to completion (resuming a crashed attempt of the same run) and return counts."""
    staged = staged_source_dir(ctx.run_id, ctx.dt, source)
    progress_query = f"progress-{ctx.dt}-{ctx.run_id}"
    progress = load_state(lake, source, progress_query)
    if not progress:
        lake.delete(staged)  # a fresh attempt owns an empty staging folder
    page_no = int(progress.get("pages", 0))
    rows_in = int(progress.get("rows_in", 0))
    rows_out = int(progress.get("rows_out", 0))
    rejected = [Rejected(**r) for r in progress.get("rejected", [])]
    key = lake.cfg.author_key()

    for page in connector(ctx, options, progress.get("resume")):
        page_no += 1
        rows_in += page.rows_in or len(page.records) + len(page.rejected)
        if page.records:
            table = bronze_posts_table(page.records, ctx, key)
            lake.write_parquet(f"{staged}/page-{page_no:05d}.parquet", table)
            rows_out += len(page.records)
        rejected += page.rejected
        save_state(lake, source, progress_query, {
            "pages": page_no, "rows_in": rows_in, "rows_out": rows_out,
            "resume": page.resume, "rejected": [asdict(r) for r in rejected],
        })
        for query, mark in page.watermarks.items():
            save_state(lake, source, query, mark)

    reasons = write_quarantine(lake, BRONZE_POSTS, ctx.dt, source, rejected)
    lake.delete(state_path(source, progress_query))
    return {
        "source": source,
        "rows_in": rows_in,
        "rows_out": rows_out,
        "rows_quarantined": sum(reasons.values()),
        "quarantine_reasons": reasons,
        "pages": page_no,
    }
