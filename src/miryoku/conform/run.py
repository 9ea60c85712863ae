"""One step for the DAG: D's published statistics/open-data bronze → gated, published silver.

Silver partitions of these tables are *snapshots*: ``dt=D`` holds what D's run fetched (a statistics
table re-fetched on D replaces D's rows, never another date's). For each bronze table present for D
the rows are conformed, rejects quarantined per source under ``quarantine/<silver table>/dt=D/
<source>.conform.jsonl`` (rewritten, so a re-run replaces them), the result staged at
``_staging/<run>/silver/<table>/dt=D/part-0.parquet``, validated with ``miryoku/expectations/silver.<table>.json``
and published with ``publish_partitions``. A failing table is not published (the last good one
stays served); the others still are, and ``GateFailed`` is raised at the end naming each failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pyarrow as pa

from miryoku.conform import opendata, shipments, stats
from miryoku.conform.opendata_schemas import DATASETS
from miryoku.lake.publish import publish_partitions, published_files, staging_table
from miryoku.lake.quarantine import Rejected, write_quarantine
from miryoku.lake.runlog import record_step
from miryoku.lake.storage import Lake

log = logging.getLogger(__name__)


def _bronze(lake: Lake, table: str, dt: str) -> pa.Table | None:
    files = published_files(lake, "bronze", table, dt)
    if not files:
        return None
    return pa.concat_tables([lake.read_parquet(f) for f in files], promote_options="default")


def silver_tables(lake: Lake) -> list[tuple[str, str, Callable[[pa.Table], tuple[pa.Table, list[Rejected]]]]]:
    """(bronze table, silver table, conform function) for every bronze table this step handles."""
    found = [("stat_values_v1", "stat_values_v1", stats.conform_table),
             ("shipments_raw_v1", "shipments_v1", shipments.conform_table)]
    for name in lake.listdir("bronze"):
        if name.startswith("opendata_") and name.endswith("_v1"):
            dataset = name[len("opendata_"):-len("_v1")]
            if dataset in DATASETS:
                found.append((name, name, lambda t, d=dataset: opendata.conform_table(d, t)))
    return found


def _default_validate():
    from miryoku.quality.gate import validate_table

    return validate_table


def _gate_failed(message: str) -> Exception:
    from miryoku.quality.gate import GateFailed

    return GateFailed(message)


def conform(lake: Lake, dt: str, run_id: str, validate=None) -> dict:
    """Conform, gate and publish every statistics/open-data silver table for ``dt``; returns counts."""
    validate = validate or _default_validate()
    results, failures = {}, []
    for bronze_name, silver_name, convert in silver_tables(lake):
        bronze = _bronze(lake, bronze_name, dt)
        if bronze is None:
            continue
        silver, rejected = convert(bronze)
        silver = silver.set_column(silver.schema.get_field_index("run_id"), "run_id",
                                   pa.array([run_id] * silver.num_rows, pa.string()))
        reasons: dict[str, int] = {}
        for source in sorted(set(bronze.column("source").to_pylist())):
            mine = [r for r in rejected if r.source == source]
            for reason, n in write_quarantine(lake, silver_name, dt, f"{source}.conform", mine).items():
                reasons[reason] = reasons.get(reason, 0) + n
        staged = f"{staging_table(run_id, 'silver', silver_name)}/dt={dt}"
        lake.delete(staged)
        lake.write_parquet(f"{staged}/part-0.parquet", silver)
        outcome = validate(lake, f"silver.{silver_name}", silver, dt, run_id)
        if outcome.success:
            publish_partitions(lake, run_id, run_id, "silver", silver_name, [dt])
        else:
            failures.append(outcome.describe() if hasattr(outcome, "describe") else f"silver.{silver_name} failed")
        results[silver_name] = {"rows_in": bronze.num_rows, "rows_out": silver.num_rows,
                                "rows_quarantined": len(rejected), "quarantine_reasons": reasons,
                                "gate": bool(outcome.success)}
    total = sum(r["rows_quarantined"] for r in results.values())
    record_step(lake, dt, run_id, "conform_stats", success=not failures, tables=results, rows_quarantined=total)
    if failures:
        raise _gate_failed("\n".join(failures))
    return {"tables": results, "rows_quarantined": total}
