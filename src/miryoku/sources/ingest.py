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

import pyarrow as pa

from miryoku.lake.publish import staging_table
from miryoku.lake.quarantine import Rejected, write_quarantine
from miryoku.lake.state import load_state, save_state, state_path
from miryoku.lake.storage import Lake, safe_key
from miryoku.sources.base import FetchContext, PostRecord, bronze_posts_table

BRONZE_POSTS = "sns_posts"


@dataclass
class Page:
    """One unit of durable progress: its records, its rejects, and where to resume after it.

    ``unit`` names the input the page belongs to (a landing file); its pages are staged as
    ``<unit>-NNNNN.parquet`` and its counts kept apart, so ``discard`` — units whose input changed
    since they were staged — can remove exactly that input's pages, counts and rejects before the
    page is written. Pages without a unit are numbered ``page-NNNNN.parquet`` as before.
    """

    records: list[PostRecord]
    rejected: list[Rejected] = field(default_factory=list)
    rows_in: int = 0
    resume: dict | None = None
    watermarks: dict[str, dict] = field(default_factory=dict)
    unit: str | None = None
    discard: list[str] = field(default_factory=list)
    table: pa.Table | None = None  # the records already made into the bronze table (by a worker process)


# fetch(ctx, options, resume) → pages; ``resume`` is the last saved Page.resume of this run, or None.
Connector = Callable[[FetchContext, dict, dict | None], Iterator[Page]]


def staged_source_dir(run_key: str, dt_value: str, source: str) -> str:
    return f"{staging_table(run_key, 'bronze', BRONZE_POSTS)}/dt={dt_value}/{safe_key(source)}"


def run_connector(lake: Lake, source: str, connector: Connector, ctx: FetchContext, options: dict) -> dict:
    """Drive ``connector`` to completion (resuming a crashed attempt of the same run) and return counts.

    Progress (``_state/<source>/progress-<dt>-<run>.json``) holds counts, the resume token and the
    rejects so far; rejects are bounded and handle-free (``Rejected.of``), so no handle is kept there.
    """
    staged = staged_source_dir(ctx.run_id, ctx.dt, source)
    progress_query = f"progress-{ctx.dt}-{ctx.run_id}"
    progress = load_state(lake, source, progress_query)
    if not progress:
        lake.delete(staged)  # a fresh attempt owns an empty staging folder
    page_no = int(progress.get("pages", 0))
    units: dict[str, dict] = progress.get("units", {})
    key = lake.cfg.author_key()

    for page in connector(ctx, options, progress.get("resume")):
        for gone in page.discard:
            units.pop(gone, None)
            for rel in lake.files(staged, ".parquet"):
                if rel.rsplit("/", 1)[-1].startswith(f"{gone}-"):
                    lake.delete(rel)
        unit = units.setdefault(page.unit or "", {"rows_in": 0, "rows_out": 0, "parts": 0, "rejected": []})
        unit["rows_in"] += page.rows_in or len(page.records) + len(page.rejected)
        table = page.table if page.table is not None else (
            bronze_posts_table(page.records, ctx, key) if page.records else None)
        if table is not None and table.num_rows:
            unit["parts"] += 1
            name = f"{page.unit}-{unit['parts']:05d}" if page.unit else f"page-{page_no + 1:05d}"
            lake.write_parquet(f"{staged}/{name}.parquet", table)
            unit["rows_out"] += table.num_rows
        page_no += 1
        unit["rejected"] += [asdict(r) for r in page.rejected]
        save_state(lake, source, progress_query, {"pages": page_no, "units": units, "resume": page.resume})
        for query, mark in page.watermarks.items():
            save_state(lake, source, query, mark)

    rejected = [Rejected(**r) for u in units.values() for r in u["rejected"]]
    reasons = write_quarantine(lake, BRONZE_POSTS, ctx.dt, source, rejected)
    lake.delete(state_path(source, progress_query))
    return {
        "source": source,
        "rows_in": sum(u["rows_in"] for u in units.values()),
        "rows_out": sum(u["rows_out"] for u in units.values()),
        "rows_quarantined": sum(reasons.values()),
        "quarantine_reasons": reasons,
        "pages": page_no,
    }
