"""The nightly gold build: product volumes with spikes, and the monthly tables, from daily partials.

The silver build already staged every gold *daily* table and the daily partials of the days it
rebuilt (``jobs.gold_daily``). This job reads those partials — staged for the run's days, published
for the other days of each touched month and the spike baseline — and stages
``product_volume_daily_v1``, ``cooccurrence_monthly_v1`` and ``shipment_buzz_monthly_v1``. It never
reads posts: its cost does not depend on how many days of the month are already in the lake.
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.common import concurrently, date_range, job_args, local_frame, shift
from jobs.gold_monthly import (
    BASELINE_DAYS,
    PRODUCTS_SCHEMA,
    cooccurrence_monthly,
    product_volume_daily,
    shipment_buzz_monthly,
)

PARTIALS = {
    "pref_daily": "pref_code string, posts long",
    "partial_product_mentions": "product string, posts long",
    "partial_term_posts": "term string, posts long",
    "partial_cooccurrence_pairs": "anchor_term string, pref_code string, co_term string, posts long",
    "partial_anchor_posts": "anchor_term string, pref_code string, anchor_posts long, derived_posts long",
    "partial_item_posts": "item string, pref_code string, posts long",
}


def month_days(month: str) -> list[str]:
    first = f"{month}-01"
    next_month = shift(first, 31)[:7] + "-01"
    return date_range(first, shift(next_month, -1))


def products_frame(spark: SparkSession) -> DataFrame:
    """Named products with their competitor group and origin (the group's own word is no competitor)."""
    from miryoku.text.products import product_table

    return local_frame(
        spark, [(r["product"], r["product_group"], r.get("origin_pref_code") or None) for r in product_table()
                if r.get("kind") == "product"], PRODUCTS_SCHEMA)


def read_partial(spark: SparkSession, lake, run_id: str, table: str, days: list[str],
                 staged_days: set[str]) -> DataFrame:
    """A gold daily table over ``days``: this run's staged partitions for its own days, published ones else.

    One scan per root (published, staged, or kept by a commit in progress) over all the days' files,
    ``dt`` taken from each file's partition folder: a scan per day would give a month-end night
    thirty scans per table and a cost that grows with the day of the month."""
    from miryoku.lake.publish import published_files, staging_table

    staged_root = staging_table(run_id, "gold", table)
    roots: dict[str, list[str]] = {}
    for day in days:
        found = lake.files(f"{staged_root}/dt={day}", ".parquet") if day in staged_days else \
            published_files(lake, "gold", table, day)
        for f in found:  # the table's folder, or where a commit in progress keeps the previous version
            roots.setdefault(f.rsplit("/dt=", 1)[0], []).append(f)
    frames = [spark.read.schema(PARTIALS[table] + ", dt string").option("basePath", lake.spark_uri(root))
              .parquet(*[lake.spark_uri(f) for f in files]) for root, files in roots.items() if files]
    if not frames:
        return spark.createDataFrame([], PARTIALS[table] + ", dt string")
    return reduce(DataFrame.unionByName, frames)


def _stage(df: DataFrame, lake, run_id: str, table: str, key: str):
    """The write of ``df`` into the run's staging of ``table``, as a call to run (staging cleared now)."""
    from miryoku.lake.publish import staging_table

    staged = staging_table(run_id, "gold", table)
    lake.delete(staged)  # an earlier, killed attempt of this run may have left other partitions
    return lambda: df.repartition(key).write.mode("overwrite").partitionBy(key).parquet(lake.spark_uri(staged))


def run(spark: SparkSession, args) -> dict:
    import time

    from miryoku.lake import Lake
    from miryoku.lake.plan import read_plan, write_plan

    lake = Lake.from_settings(args.lake)
    plan = read_plan(lake, args.run_id)
    days, months = plan["days"], plan["months"]
    own = set(days)
    t0 = time.perf_counter()
    history_days = sorted({h for d in days for h in date_range(shift(d, -BASELINE_DAYS), shift(d, -1))} - own)
    mentions = read_partial(spark, lake, args.run_id, "partial_product_mentions", days, own)
    history = read_partial(spark, lake, args.run_id, "partial_product_mentions", sorted(own | set(history_days)), own)
    with_data = read_partial(spark, lake, args.run_id, "pref_daily", sorted(own | set(history_days)), own).where(
        "pref_code = '00' and posts > 0").select("dt")
    volumes = product_volume_daily(mentions, products_frame(spark), history, with_data)

    all_days = sorted({d for m in months for d in month_days(m)})

    def month(table: str) -> DataFrame:
        return read_partial(spark, lake, args.run_id, table, all_days, own)

    cooccurrence = cooccurrence_monthly(month("partial_cooccurrence_pairs"), month("partial_anchor_posts"),
                                        month("partial_term_posts"), month("pref_daily"))
    # shipments × posts for every month either side has: the run's months, and every month of the
    # shipments snapshot this run published (a new statistics release changes months without posts)
    buzz_months = sorted(set(months) | _shipment_months_published_by(lake, args.run_id, args.date))
    buzz_days = sorted({d for m in buzz_months for d in month_days(m)})
    buzz = shipment_buzz_monthly(_shipments(spark, lake, buzz_months),
                                 read_partial(spark, lake, args.run_id, "partial_item_posts", buzz_days, own))
    concurrently({table: _stage(frame, lake, args.run_id, table, key) for table, frame, key in [
        ("product_volume_daily", volumes, "dt"), ("cooccurrence_monthly", cooccurrence, "month"),
        ("shipment_buzz_monthly", buzz.where(F.col("month").isin(buzz_months)), "month")]}, lake.cfg.concurrent_jobs)
    write_plan(lake, args.run_id, {**plan, "buzz_months": buzz_months})
    return {"days": days, "months": months, "buzz_months": buzz_months,
            "seconds_gold": round(time.perf_counter() - t0, 3)}


def _shipment_months_published_by(lake, run_id: str, day: str) -> set[str]:
    """Months of the silver shipments snapshot of ``day`` when this run published it, else none."""
    import pyarrow.parquet as pq

    from miryoku.lake.publish import _read_manifest, manifest_path

    manifest = _read_manifest(lake, manifest_path("silver", "shipments", day))
    if not manifest or manifest.get("run_id") != run_id:
        return set()
    months: set[str] = set()
    for rel in manifest.get("files", []):
        with lake.fs.open_input_file(lake.path(rel)) as fh:
            months |= {m for m in pq.read_table(fh, columns=["month"]).column("month").to_pylist() if m}
    return months


SHIPMENTS_SCHEMA = "item string, pref_code string, month string, quantity double, unit string"


def _shipments(spark: SparkSession, lake, months: list[str]) -> DataFrame:
    """Monthly shipments of ``months`` from silver ``shipments_v1``.

    Its ``dt`` partitions are fetch snapshots of small statistics tables, so all are read and the
    latest snapshot of each (source, item, prefecture, month) wins; annual rows (month null) and
    the national total ('00') are not per-prefecture monthly figures and are left out.
    """
    from pyspark.sql import Window

    from miryoku.lake.publish import published_files

    table_dir = lake.table_dir("silver", "shipments")
    files = [f for part in lake.listdir(table_dir) if part.startswith("dt=")
             for f in published_files(lake, "silver", "shipments", part[3:])]
    if not files:
        return spark.createDataFrame([], SHIPMENTS_SCHEMA)
    raw = spark.read.option("basePath", lake.spark_uri(table_dir)).parquet(*[lake.spark_uri(f) for f in files])
    latest = Window.partitionBy("source", "item", "pref_code", "month").orderBy(F.col("dt").desc())
    return (
        raw.where(F.col("month").isin(months) & F.col("pref_code").isNotNull() & (F.col("pref_code") != "00"))
        .withColumn("_rank", F.row_number().over(latest)).where("_rank = 1")
        .select("item", "pref_code", "month", "quantity", "unit")
    )


def main(argv: list[str] | None = None) -> None:
    from miryoku.config import settings
    from miryoku.spark import get_session

    args = job_args(argv)
    print(run(get_session(settings(args.lake), "gold_nightly"), args))


if __name__ == "__main__":
    main()
