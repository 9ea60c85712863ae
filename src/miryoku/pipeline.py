"""The nightly pipeline's steps — the functions the DAG's tasks and ``miryoku run`` both call.

ingest (per source) → gate_bronze (+ publish bronze) → build_silver → gate_silver → build_gold →
gate_gold → publish (silver and gold together) → summarize. Every step takes the logical date, the
run id and optionally the lake root, reads its inputs from the lake and records its counts under
``_runs/``, so steps can run in separate processes (Airflow workers) or one after another (CLI).
"""

from __future__ import annotations

import json
import logging

import pyarrow as pa

from miryoku.lake import Lake
from miryoku.lake.publish import clean_staging, publish_partitions, publish_source, staging_table
from miryoku.lake.runlog import record_step, summarize
from miryoku.lake.storage import table_name
from miryoku.quality.gate import GateFailed, validate_table
from miryoku.sources.base import FetchContext
from miryoku.sources.registry import configured_sources, enabled_sources, ingestor_for

log = logging.getLogger(__name__)

SILVER_TABLES = [("posts", "dt"), ("post_terms", "dt")]
GOLD_TABLES = [("term_daily", "dt"), ("category_daily", "dt"), ("product_volume_daily", "dt"),
               ("cooccurrence_monthly", "month"), ("shipment_buzz_monthly", "month")]


def _lake(lake_root: str | None) -> Lake:
    return Lake.from_settings(lake_root)


def parse_sources(value) -> list[str] | None:
    """A sources parameter as a list: JSON ('["file"]', 'null'), 'a,b', a list, or None (= all enabled)."""
    if value is None or isinstance(value, list):
        return value or None
    text = str(value).strip()
    if text in ("", "null", "None", "[]"):
        return None
    if text.startswith("["):
        return [str(v) for v in json.loads(text)] or None
    return [part.strip() for part in text.split(",") if part.strip()]


def source_names(lake_root: str | None = None, requested: list[str] | None = None) -> list[str]:
    """The sources a run covers: ``requested`` (validated) or every enabled one."""
    config = _lake(lake_root).cfg.sources()
    known = configured_sources(config)
    if not requested:
        return enabled_sources(config)
    unknown = [s for s in requested if s not in known]
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}; configured: {', '.join(known)}")
    return list(requested)


SNS_KINDS = ("sample", "filedrop", "mastodon", "x", "bluesky")  # kinds that stage sns_posts_v1


def sns_source_names(lake_root: str | None = None, requested: list[str] | None = None) -> list[str]:
    """The post sources among ``source_names`` (the disaster watch needs no statistics)."""
    config = configured_sources(_lake(lake_root).cfg.sources())
    return [s for s in source_names(lake_root, requested) if config[s].get("kind") in SNS_KINDS]


def ingest(source: str, dt: str, run_id: str, lake_root: str | None = None) -> dict:
    lake = _lake(lake_root)
    options = configured_sources(lake.cfg.sources())[source]
    stats = ingestor_for(options["kind"])(lake, FetchContext(dt, run_id), source, options)
    record_step(lake, dt, run_id, f"ingest_{source}", **stats)
    return stats


def _gate_and_publish_bronze(lake: Lake, dt: str, run_id: str) -> tuple[dict, list[str]]:
    results, failures = {}, []
    for bronze_table in lake.listdir(f"_staging/{_key(run_id)}/bronze"):
        base = f"_staging/{_key(run_id)}/bronze/{bronze_table}/dt={dt}"
        for source in lake.listdir(base):
            if not lake.is_dir(f"{base}/{source}"):
                continue
            data = lake.read_parquet(f"{base}/{source}") if lake.files(f"{base}/{source}", ".parquet") else None
            if data is not None:
                outcome = validate_table(lake, f"bronze.{bronze_table}", data, dt, f"{run_id}-{source}")
                results[f"{bronze_table}/{source}"] = {"success": outcome.success, "rows": outcome.rows}
                if not outcome.success:
                    failures.append(outcome.describe())
                    continue
            publish_source(lake, run_id, run_id, bronze_table, dt, source)
    return results, failures


def gate_bronze(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    """Validate each staged (table, source) of the date and publish the ones that pass."""
    lake = _lake(lake_root)
    results, failures = _gate_and_publish_bronze(lake, dt, run_id)
    record_step(lake, dt, run_id, "gate_bronze", success=not failures, tables=results)
    if failures:
        raise GateFailed("\n".join(failures))
    return results


def _spark_args(dt: str, run_id: str, lake_root: str | None):
    from argparse import Namespace

    return Namespace(date=dt, run_id=run_id, lake=lake_root)


def build_silver(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    from jobs import silver_posts
    from miryoku.spark import get_session

    lake = _lake(lake_root)
    stats = silver_posts.run(get_session(lake.cfg, "silver_posts"), _spark_args(dt, run_id, lake_root))
    record_step(lake, dt, run_id, "build_silver", **stats)
    return stats


def conform_stats(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    """Statistics and open data of the date: published bronze → gated, published silver snapshots."""
    from miryoku.conform.run import conform

    return conform(_lake(lake_root), dt, run_id)


def build_gold(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    from jobs import gold_nightly
    from miryoku.spark import get_session

    lake = _lake(lake_root)
    stats = gold_nightly.run(get_session(lake.cfg, "gold_nightly"), _spark_args(dt, run_id, lake_root))
    record_step(lake, dt, run_id, "build_gold", **stats)
    return stats


def _window(lake: Lake, dt: str, key: str = "dt") -> list[str]:
    from jobs.common import output_window

    days = output_window(dt, lake.cfg.late_days)
    return days if key == "dt" else sorted({d[:7] for d in days})


def _gate_staged(lake: Lake, layer: str, tables: list[tuple[str, str]], dt: str, run_id: str,
                 step: str | None = None, parts: list[str] | None = None) -> dict:
    results, failures = {}, []
    for table, key in tables:
        staged = staging_table(run_id, layer, table)
        for part in parts or _window(lake, dt, key):
            rel = f"{staged}/{key}={part}"
            if not lake.files(rel, ".parquet"):
                continue
            data = lake.read_parquet(rel)
            data = data.append_column(key, pa.array([part] * data.num_rows, pa.string()))
            outcome = validate_table(lake, f"{layer}.{table_name(table)}", data, part, run_id)
            results[f"{table_name(table)}/{key}={part}"] = {"success": outcome.success, "rows": outcome.rows}
            if not outcome.success:
                failures.append(outcome.describe())
    record_step(lake, dt, run_id, step or f"gate_{layer}", success=not failures, tables=results)
    if failures:
        raise GateFailed("\n".join(failures))
    return results


def gate_silver(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    return _gate_staged(_lake(lake_root), "silver", SILVER_TABLES, dt, run_id)


def gate_gold(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    return _gate_staged(_lake(lake_root), "gold", GOLD_TABLES, dt, run_id)


def build_disaster(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    from jobs import gold_disaster_watch
    from miryoku.spark import get_session

    lake = _lake(lake_root)
    stats = gold_disaster_watch.run(get_session(lake.cfg, "disaster_watch"), _spark_args(dt, run_id, lake_root))
    record_step(lake, dt, run_id, "build_disaster", **stats)
    return stats


def gate_disaster(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    return _gate_staged(_lake(lake_root), "gold", [("disaster_hourly", "dt")], dt, run_id, "gate_disaster", [dt])


def publish_disaster(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    lake = _lake(lake_root)
    published = publish_partitions(lake, run_id, run_id, "gold", "disaster_hourly", [dt])
    clean_staging(lake, run_id)
    record_step(lake, dt, run_id, "publish_disaster", partitions=published)
    return published


def publish(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    """Swap the run's gated silver and gold partitions in together, then drop its staging."""
    lake = _lake(lake_root)
    published = {}
    for layer, tables in (("silver", SILVER_TABLES), ("gold", GOLD_TABLES)):
        for table, key in tables:
            published[f"{layer}.{table_name(table)}"] = publish_partitions(
                lake, run_id, run_id, layer, table, _window(lake, dt, key), key)
    clean_staging(lake, run_id)
    record_step(lake, dt, run_id, "publish", partitions=published)
    return published


NIGHTLY_STEPS = ("gate_bronze", "conform_stats", "build_silver", "gate_silver", "build_gold", "gate_gold", "publish")


def failed_gates(summary: dict) -> list[str]:
    """Each failed gate as 'gate_gold: gold.term_daily_v1 dt=2026-01-02 (sources file, sample)'.

    Bronze is gated per source, so its lines name that source; silver and gold mix the run's sources.
    """
    layers = {"gate_bronze": "bronze", "gate_silver": "silver", "gate_gold": "gold", "gate_disaster": "gold",
              "conform_stats": "silver"}
    ingested = sorted(s.removeprefix("ingest_") for s in summary["steps"] if s.startswith("ingest_"))
    out = []
    for step, record in summary["steps"].items():
        if step not in layers or record.get("success") is not False:
            continue
        bad = []
        for key, result in (record.get("tables") or {}).items():
            if result.get("success", result.get("gate")) is not False:
                continue
            table, _, part = key.partition("/")
            if step == "gate_bronze":
                bad.append(f"bronze.{table} dt={summary['dt']} source={part}")
            else:
                bad.append(f"{layers[step]}.{table} {part or 'dt=' + summary['dt']} (sources {', '.join(ingested)})")
        out.append(f"{step}: {'; '.join(bad) or 'see its task log'}")
    return out


def finish(dt: str, run_id: str, sources: list[str], lake_root: str | None = None) -> dict:
    """Write the run summary, then fail the run if any source, gate, build or publish did not succeed.

    It runs whatever happened upstream (``all_done``), so the summary is always written; raising here
    is what makes the DAG run's state tell the truth, since Airflow takes a run's state from its leaves.
    """
    lake = _lake(lake_root)
    summary = summarize(lake, dt, run_id)
    missing = [s for s in sources if f"ingest_{s}" not in summary["steps"]]
    gates = failed_gates(summary)
    not_done = [s for s in NIGHTLY_STEPS if s not in summary["steps"]]
    summary["failed_sources"] = missing
    summary["failed_gates"] = gates
    summary["steps_not_completed"] = not_done
    summary["state"] = "failed" if (missing or gates or not_done) else "success"
    lake.write_json(f"_runs/dt={dt}/{_key(run_id)}/summary.json", summary)
    if summary["state"] == "failed":
        problems = ([f"sources failed: {', '.join(missing)}"] if missing else []) + gates + (
            [f"steps not completed: {', '.join(not_done)}"] if not_done else [])
        raise RuntimeError(f"run {run_id} for {dt} failed — " + "; ".join(problems) + " (see the task logs)")
    return summary


def run_all(dt: str, run_id: str, sources: list[str] | None = None, lake_root: str | None = None) -> dict:
    """Every step for one date, in order, in this process (the CLI and tests)."""
    names = source_names(lake_root, sources)
    for name in names:
        ingest(name, dt, run_id, lake_root)
    gate_bronze(dt, run_id, lake_root)
    conform_stats(dt, run_id, lake_root)
    build_silver(dt, run_id, lake_root)
    gate_silver(dt, run_id, lake_root)
    build_gold(dt, run_id, lake_root)
    gate_gold(dt, run_id, lake_root)
    publish(dt, run_id, lake_root)
    return finish(dt, run_id, names, lake_root)


def _key(run_id: str) -> str:
    from miryoku.lake.storage import safe_key

    return safe_key(run_id)
