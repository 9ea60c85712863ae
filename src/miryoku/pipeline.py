"""The nightly pipeline's steps — the functions the DAG's tasks and ``miryoku run`` both call.

ingest (per source) → gate_bronze (+ publish bronze) → build_silver → gate_silver → build_gold →
gate_gold → publish (silver and gold together) → summarize. Every step takes the logical date, the
run id and optionally the lake root, reads its inputs from the lake and records its counts under
``_runs/``, so steps can run in separate processes (Airflow workers) or one after another (CLI).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import time

from miryoku.lake import Lake
from miryoku.lake.commit import publish_run
from miryoku.lake.publish import clean_staging, publish_source, staging_table
from miryoku.lake.runlog import record_step, run_dir, summarize
from miryoku.lake.storage import table_name
from miryoku.night_size import expected_posts, previous_days_posts, published_rows
from miryoku.quality.gate import GateFailed
from miryoku.sources.base import FetchContext
from miryoku.sources.registry import configured_sources, enabled_sources, ingestor_for

log = logging.getLogger(__name__)

SILVER_TABLES = [("posts", "dt"), ("post_terms", "dt")]
GOLD_TABLES = [("term_daily", "dt"), ("category_daily", "dt"), ("pref_daily", "dt"), ("product_volume_daily", "dt"),
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
    t0 = time.perf_counter()
    stats = ingestor_for(options["kind"])(lake, FetchContext(dt, run_id), source, options)
    record_step(lake, dt, run_id, f"ingest_{source}", seconds=_since(t0), **stats)
    return stats


SNS_TABLE = "sns_posts"
DAILY_TABLES = [("silver", "posts"), ("silver", "post_terms"), ("gold", "term_daily"), ("gold", "category_daily"),
                ("gold", "pref_daily"), ("gold", "product_volume_daily"), ("gold", "partial_product_mentions"),
                ("gold", "partial_term_posts"), ("gold", "partial_cooccurrence_pairs"),
                ("gold", "partial_anchor_posts"), ("gold", "partial_item_posts")]
MONTHLY_TABLES = [("gold", "cooccurrence_monthly"), ("gold", "shipment_buzz_monthly")]
GATED = {("silver", "posts"), ("silver", "post_terms"), ("gold", "term_daily"), ("gold", "category_daily"),
         ("gold", "pref_daily"), ("gold", "product_volume_daily"), ("gold", "cooccurrence_monthly"),
         ("gold", "shipment_buzz_monthly")}


def _session(lake: Lake, app: str, dt: str):
    from miryoku.spark import get_session

    return get_session(lake.cfg, app, night_posts=lambda: expected_posts(lake, dt))


def _session_with_workers(lake: Lake, app: str, dt: str):
    from miryoku.python_workers import warm_python_workers

    spark = _session(lake, app, dt)
    warm_python_workers(spark)
    return spark


def _since(t0: float) -> float:
    return round(time.perf_counter() - t0, 3)


def _gate_and_publish_bronze(lake: Lake, dt: str, run_id: str, publish: bool = True) -> tuple[dict, list[str]]:
    from pyspark.sql import functions as F

    from miryoku.quality.spark_gate import validate_partitions

    results, failures = {}, []
    for bronze_table in lake.listdir(f"_staging/{_key(run_id)}/bronze"):
        base = f"_staging/{_key(run_id)}/bronze/{bronze_table}/dt={dt}"
        for source in lake.listdir(base):
            if not lake.is_dir(f"{base}/{source}"):
                continue
            files = lake.files(f"{base}/{source}", ".parquet")
            if files:
                spark = _session(lake, "gate_bronze", dt)
                data = spark.read.parquet(*[lake.spark_uri(f) for f in files]).withColumn("dt", F.lit(dt))
                outcome = validate_partitions(lake, f"bronze.{bronze_table}", data, "dt", [dt],
                                              f"{run_id}-{source}", source=source)[0]
                results[f"{bronze_table}/{source}"] = {"success": outcome.success, "rows": outcome.rows}
                if not outcome.success:
                    failures.append(outcome.describe())
                    continue
            if publish:
                publish_source(lake, run_id, run_id, bronze_table, dt, source)
    return results, failures


def gate_bronze(dt: str, run_id: str, lake_root: str | None = None, publish: bool = True) -> dict:
    """Validate each staged (table, source) of the date and publish the ones that pass.

    ``publish=False`` (the hourly disaster watch) validates only: the run reads its own staged bronze,
    so the nightly run stays the one writer of published bronze and never has a partition swapped
    under its Spark job by the watch (both start at 00:00 JST for the same date)."""
    t0 = time.perf_counter()
    lake = _lake(lake_root)
    results, failures = _gate_and_publish_bronze(lake, dt, run_id, publish)
    record_step(lake, dt, run_id, "gate_bronze", seconds=_since(t0), success=not failures, tables=results,
                failures=failures)
    if failures:
        raise GateFailed("\n".join(failures))
    return results


def _spark_args(dt: str, run_id: str, lake_root: str | None):
    from argparse import Namespace

    return Namespace(date=dt, run_id=run_id, lake=lake_root)


def build_silver(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    """Enrich new bronze once, rebuild the touched silver days and stage their gold daily tables."""
    from jobs import silver_posts

    t0 = time.perf_counter()
    lake = _lake(lake_root)
    stats = silver_posts.run(_session(lake, "silver_posts", dt), _spark_args(dt, run_id, lake_root))
    record_step(lake, dt, run_id, "build_silver", seconds=_since(t0), **stats)
    return stats


def conform_stats(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    """Statistics and open data of the date: published bronze → gated, published silver snapshots."""
    from miryoku.conform.run import conform

    return conform(_lake(lake_root), dt, run_id)


def build_gold(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    """Product volumes and the monthly tables from the daily partials (no post is read again)."""
    from jobs import gold_nightly

    t0 = time.perf_counter()
    lake = _lake(lake_root)
    stats = gold_nightly.run(_session(lake, "gold_nightly", dt), _spark_args(dt, run_id, lake_root))
    record_step(lake, dt, run_id, "build_gold", seconds=_since(t0), **stats)
    return stats


def _parts(plan: dict, key: str, table: str = "") -> list[str]:
    """The partitions of ``table`` the run built: its days, its months, and for shipment_buzz also every
    month of the shipments the run published (``build_gold`` adds them to the plan)."""
    if key != "month":
        return plan["days"]
    return plan.get("buzz_months", plan["months"]) if table == "shipment_buzz_monthly" else plan["months"]


VOLUME_DAYS = 7
VOLUME_MIN_SHARE = 0.2


def _low_volume(lake: Lake, day: str, rows: int) -> str | None:
    """A day with fewer than ``VOLUME_MIN_SHARE`` × the median posts of the previous ``VOLUME_DAYS``
    published days (at least 3 of them) fails the gate — a broken export or connector, not a quiet day —
    unless the run is told to expect it (``MIRYOKU_EXPECTED_LOW_VOLUME=1``, the DAG param
    ``expected_low_volume``)."""
    import os
    import statistics

    if os.environ.get("MIRYOKU_EXPECTED_LOW_VOLUME", "").lower() in ("1", "true", "yes"):
        return None
    history = previous_days_posts(lake, day, VOLUME_DAYS)
    if len(history) < 3 or rows >= VOLUME_MIN_SHARE * statistics.median(history):
        return None
    return (f"gate silver.posts_v1 dt={day}: FAILED volume: {rows} posts against a median of "
            f"{statistics.median(history):.0f} over the previous {len(history)} published days (below "
            f"{VOLUME_MIN_SHARE:.0%}); if the day really is this quiet, re-run with MIRYOKU_EXPECTED_LOW_VOLUME=1")


def _gate_staged(lake: Lake, layer: str, tables: list[tuple[str, str]], dt: str, run_id: str,
                 step: str, parts: list[str] | None = None) -> dict:
    """Validate the run's staged partitions of ``tables`` inside Spark; fail on any failed expectation,
    and on a partition that would be published empty over a published one with rows."""
    from pyspark.sql import functions as F

    from jobs.common import concurrently
    from miryoku.lake.plan import read_plan
    from miryoku.quality.spark_gate import validate_partitions

    t0 = time.perf_counter()
    plan = read_plan(lake, run_id) if parts is None else None
    spark = _session(lake, step, dt)

    def validate(table: str, key: str, wanted: list[str]):
        staged = staging_table(run_id, layer, table)
        files = lake.files(staged, ".parquet")
        if files:
            data = spark.read.option("basePath", lake.spark_uri(staged)).parquet(
                *[lake.spark_uri(f) for f in files])
        else:
            data = spark.createDataFrame([], f"{key} string")
        if key not in data.columns:
            data = data.withColumn(key, F.lit(None).cast("string"))
        return validate_partitions(lake, f"{layer}.{table_name(table)}", data, key, wanted, run_id)

    wanted_parts = {table: parts or _parts(plan, key, table) for table, key in tables}
    outcomes = concurrently({table: (lambda t=table, k=key: validate(t, k, wanted_parts[t])) for table, key in tables},
                            lake.cfg.concurrent_jobs)
    results, failures = {}, []
    for table, key in tables:
        wanted = wanted_parts[table]
        for outcome, part in zip(outcomes[table], wanted, strict=True):
            name = f"{table_name(table)}/{key}={part}"
            results[name] = {"success": outcome.success, "rows": outcome.rows}
            if not outcome.success:
                failures.append(outcome.describe())
            elif outcome.rows == 0 and (old := published_rows(lake, layer, table, part, key)):
                results[name]["success"] = False
                failures.append(f"gate {layer}.{table_name(table)} {key}={part}: FAILED: the run computed no rows; "
                                f"publishing would replace {old} published rows with an empty partition")
            elif (layer, table) == ("silver", "posts") and (low := _low_volume(lake, part, outcome.rows)):
                results[name]["success"] = False
                failures.append(low)
    record_step(lake, dt, run_id, step, seconds=_since(t0), success=not failures, tables=results, failures=failures)
    if failures:
        raise GateFailed("\n".join(failures))
    return results


def gate_silver(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    return _gate_staged(_lake(lake_root), "silver", SILVER_TABLES, dt, run_id, "gate_silver")


def gate_gold(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    return _gate_staged(_lake(lake_root), "gold", GOLD_TABLES, dt, run_id, "gate_gold")


def build_disaster(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    from jobs import gold_disaster_watch

    lake = _lake(lake_root)
    stats = gold_disaster_watch.run(_session(lake, "disaster_watch", dt), _spark_args(dt, run_id, lake_root))
    record_step(lake, dt, run_id, "build_disaster", **stats)
    return stats


def gate_disaster(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    return _gate_staged(_lake(lake_root), "gold", [("disaster_hourly", "dt")], dt, run_id, "gate_disaster", [dt])


def publish_disaster(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    lake = _lake(lake_root)
    published = publish_run(lake, run_id, run_id, [("gold", "disaster_hourly", "dt", [dt])])["gold.disaster_hourly_v1"]
    clean_staging(lake, run_id)
    record_step(lake, dt, run_id, "publish_disaster", partitions=published)
    return published


def publish(dt: str, run_id: str, lake_root: str | None = None) -> dict:
    """Switch the run's gated silver and gold partitions in as one commit (readers see all of them
    or none), mark their bronze origins done, drop staging."""
    from miryoku.lake import enriched
    from miryoku.lake.plan import read_plan

    t0 = time.perf_counter()
    lake = _lake(lake_root)
    plan = read_plan(lake, run_id)
    parts = []
    for layer, table in DAILY_TABLES + MONTHLY_TABLES:
        key = "month" if (layer, table) in MONTHLY_TABLES else "dt"
        parts.append((layer, table, key, _parts(plan, key, table)))
    published = publish_run(lake, run_id, run_id, parts)
    for bronze_dt, source in plan.get("origin_refs", []):
        origin = enriched.Origin(bronze_dt, source)
        mark = enriched.load_watermark(lake, origin)
        if mark:
            enriched.save_watermark(lake, origin, {**mark, "silver_run": run_id})
    clean_staging(lake, run_id)
    record_step(lake, dt, run_id, "publish", seconds=_since(t0), partitions=published)
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


def gate_failure_message(step: str, dt: str, run_id: str, lake_root: str | None = None,
                         detail: str | None = None, since: str | None = None) -> str | None:
    """What a failed gate task reports: its line of ``failed_gates`` (table, partition, sources), then
    each failing expectation with its count and examples.

    Those come from ``detail`` (the ``GateFailed`` text, when the gate ran in the task's process) or
    from the failures the gate kept in its step record — a gate run by ``spark-submit`` reaches the
    task only as an exit code. None when the step's record shows no failed gate (it crashed first),
    or only one older than ``since`` (an ISO time: an earlier attempt's).
    """
    lake = _lake(lake_root)
    steps = {r["step"]: r for r in (lake.read_json(p) for p in lake.files(f"{run_dir(dt, run_id)}/steps", ".json"))}
    record = steps.get(step)
    if record is None or record.get("success") is not False:
        return None
    if since and _dt.datetime.fromisoformat(record["finished_at"]) < _dt.datetime.fromisoformat(since):
        return None
    header = [line for line in failed_gates({"dt": dt, "steps": steps}) if line.startswith(f"{step}:")]
    body = detail if detail is not None else "\n".join(record.get("failures") or [])
    return "\n".join([*header, body] if body else header)


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
    from concurrent.futures import ThreadPoolExecutor

    names = source_names(lake_root, sources)
    # The Spark JVM and its Python workers take seconds to start and fetching the sources needs
    # neither: start them meanwhile (the workers warm up while bronze is gated).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="spark-start") as pool:
        starting = pool.submit(_session_with_workers, _lake(lake_root), "miryoku_nightly", dt)
        for name in names:
            ingest(name, dt, run_id, lake_root)
        starting.result()
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
