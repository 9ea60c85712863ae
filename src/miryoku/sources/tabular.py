"""Bronze tables of the statistics and open-data sources, and the resumable loop that stages them.

The statistics sources (e-Stat, RESAS archive, CKAN, plain CSV) stage *values as strings* plus their
codes and fetch metadata: source URL or file, detected encoding and line endings, the file's
checksum, the record number in the file, fetched_at and the run id. Parsing into numbers and dates
happens in the conformance to silver (``miryoku.conform``), so bronze always shows what was written.

``run_tabular`` mirrors ``ingest.run_connector`` for these tables: each ``TablePage`` is written to
``<staging bronze table>/dt=D/<source>/part-<n>.parquet`` before the resume token is saved, so a
retried attempt of the same run continues after the last durable page. Every table a source
declares gets a (possibly empty) staged file, so publishing D replaces the previous D completely.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import pyarrow as pa

from miryoku.lake.publish import staging_table
from miryoku.lake.quarantine import Rejected, write_quarantine
from miryoku.lake.state import load_state, save_state, state_path
from miryoku.lake.storage import Lake, safe_key, table_name
from miryoku.sources.base import FetchContext

S = pa.string()
META = [("source", S), ("source_url", S), ("source_file", S), ("encoding", S), ("line_ending", S),
        ("checksum", S), ("row_no", pa.int64()), ("fetched_at", pa.timestamp("us", tz="UTC")), ("run_id", S)]
SCHEMAS: dict[str, pa.Schema] = {
    "stat_values": pa.schema([(c, S) for c in (
        "dataset_id", "stat_name", "title", "tab_code", "tab_name", "area_code", "area_name", "time_code",
        "time_name", "cat_codes", "cat_names", "unit", "value", "annotation", "notes", "classes")] + META),
    "shipments_raw": pa.schema([(c, S) for c in (
        "dataset_id", "market", "item", "origin", "period", "quantity", "amount", "unit", "record")] + META),
    "opendata": pa.schema([(c, S) for c in ("dataset", "muni_code_default", "columns", "record")] + META),
}


def bronze_table(kind: str, dataset: str | None = None) -> str:
    """``stat_values`` → ``stat_values_v1``; ``opendata`` + ``tourism`` → ``opendata_tourism_v1``."""
    return table_name(f"opendata_{safe_key(dataset)}" if kind == "opendata" else kind)


def schema_for(table: str) -> pa.Schema:
    base = table[:-3] if table.endswith("_v1") else table
    return SCHEMAS["opendata" if base.startswith("opendata_") else base]


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class FileMeta:
    """Where a set of rows came from; ``source_file`` is a display name, never used as a path."""

    source_url: str
    source_file: str
    encoding: str | None
    line_ending: str | None
    checksum: str

    def row(self, row_no: int, **values) -> dict:
        return {**values, "source_url": self.source_url, "source_file": self.source_file,
                "encoding": self.encoding, "line_ending": self.line_ending, "checksum": self.checksum,
                "row_no": row_no}


@dataclass
class TablePage:
    """One unit of durable progress: rows per bronze table, rejects per table, the resume token."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    rejected: dict[str, list[Rejected]] = field(default_factory=dict)
    rows_in: int = 0
    resume: dict | None = None


TabularFetch = Callable[[FetchContext, dict | None], Iterator[TablePage]]


def arrow_rows(table: str, rows: list[dict], source: str, ctx: FetchContext, fetched_at: dt.datetime) -> pa.Table:
    schema = schema_for(table)
    cols = {name: [] for name in schema.names}
    for row in rows:
        full = {**row, "source": source, "fetched_at": fetched_at, "run_id": ctx.run_id}
        for name in schema.names:
            value = full.get(name)
            cols[name].append(value if value is None or schema.field(name).type != S else str(value))
    return pa.Table.from_pydict(cols, schema=schema)


def staged_dir(ctx: FetchContext, table: str, source: str) -> str:
    return f"{staging_table(ctx.run_id, 'bronze', table)}/dt={ctx.dt}/{safe_key(source)}"


def run_tabular(lake: Lake, source: str, fetch: TabularFetch, ctx: FetchContext, tables: list[str]) -> dict:
    """Drive ``fetch`` to completion (resuming a crashed attempt of this run); returns counts."""
    progress_query = f"progress-{ctx.dt}-{ctx.run_id}"
    progress = load_state(lake, source, progress_query)
    if not progress:  # a fresh attempt owns empty staging folders for every table it may write
        for table in lake.listdir(f"_staging/{safe_key(ctx.run_id)}/bronze"):
            lake.delete(staged_dir(ctx, table, source))
    part = int(progress.get("parts", 0))
    rows_in, rows_out = int(progress.get("rows_in", 0)), dict(progress.get("rows_out", {}))
    rejected = {t: [Rejected(**r) for r in rs] for t, rs in progress.get("rejected", {}).items()}
    touched = set(progress.get("tables", [])) | set(tables)
    fetched_at = dt.datetime.now(dt.UTC)
    for page in fetch(ctx, progress.get("resume")):
        part += 1
        rows_in += page.rows_in
        for table, rows in page.rows.items():
            touched.add(table)
            if rows:
                lake.write_parquet(f"{staged_dir(ctx, table, source)}/part-{part:05d}.parquet",
                                   arrow_rows(table, rows, source, ctx, fetched_at))
                rows_out[table] = rows_out.get(table, 0) + len(rows)
        for table, rejects in page.rejected.items():
            touched.add(table)
            rejected.setdefault(table, []).extend(rejects)
        save_state(lake, source, progress_query, {
            "parts": part, "rows_in": rows_in, "rows_out": rows_out, "resume": page.resume,
            "tables": sorted(touched), "rejected": {t: [asdict(r) for r in rs] for t, rs in rejected.items()},
        })
    reasons: dict[str, int] = {}
    for table in sorted(touched):
        folder = staged_dir(ctx, table, source)
        if not lake.files(folder, ".parquet"):
            lake.write_parquet(f"{folder}/part-00000.parquet", arrow_rows(table, [], source, ctx, fetched_at))
        for reason, n in write_quarantine(lake, table, ctx.dt, source, rejected.get(table, [])).items():
            reasons[reason] = reasons.get(reason, 0) + n
    lake.delete(state_path(source, progress_query))
    return {"source": source, "rows_in": rows_in, "rows_out": sum(rows_out.values()),
            "rows_quarantined": sum(reasons.values()), "quarantine_reasons": reasons,
            "tables": {t: rows_out.get(t, 0) for t in sorted(touched)}, "pages": part}
