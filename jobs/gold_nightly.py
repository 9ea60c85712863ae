"""The nightly gold build: every daily and monthly gold table for the run's window, staged for the gate.

Reads the run's staged silver (gated, published later together with gold) for the window's days,
and the published silver of the rest of each month the window touches, so monthly tables are
complete months. Dictionaries (products, competitor groups, derived goods) come from
``miryoku.text.products`` and travel to the executors as small broadcast DataFrames.
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.common import date_range, job_args, output_window, shift
from jobs.gold_category_daily import category_daily
from jobs.gold_cooccurrence import ANCHORS_SCHEMA, cooccurrence
from jobs.gold_product_volume import BASELINE_DAYS, PRODUCTS_SCHEMA, daily_mentions, product_volume_daily
from jobs.gold_shipment_buzz import ITEM_TERMS_SCHEMA, shipment_buzz
from jobs.gold_term_daily import term_daily

DAILY = ["term_daily", "category_daily", "product_volume_daily"]
MONTHLY = ["cooccurrence_monthly", "shipment_buzz_monthly"]


def months_of(window: list[str]) -> list[str]:
    return sorted({d[:7] for d in window})


def month_days(month: str) -> list[str]:
    first = f"{month}-01"
    next_month = shift(first, 31)[:7] + "-01"
    return date_range(first, shift(next_month, -1))


def dictionaries(spark: SparkSession) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(products, anchors, item_terms) from the analyst-edited product dictionary."""
    from miryoku.text.products import derived_terms, product_table

    rows = product_table()
    # competitor comparison is between named products; the group's own word and derived goods are not
    products = spark.createDataFrame(
        [(r["product"], r["product_group"], r.get("origin_pref_code") or None) for r in rows
         if r.get("kind") == "product"], PRODUCTS_SCHEMA)
    anchors = spark.createDataFrame(
        [(a, d) for a, ds in derived_terms().items() for d in (ds or [None])], ANCHORS_SCHEMA)
    item_terms = {(r["product_group"], r["product_group"]) for r in rows}
    for r in rows:
        names = [r["product"], *[a for a in str(r.get("aliases") or "").split("|") if a]]
        item_terms |= {(r["product_group"], n) for n in names}
    return products, anchors, spark.createDataFrame(sorted(item_terms), ITEM_TERMS_SCHEMA)


def silver(spark: SparkSession, lake, run_id: str, table: str, days: list[str], window: list[str]) -> DataFrame | None:
    """Silver rows of ``days``: this run's staged partitions for the window, published ones otherwise."""
    from miryoku.lake.publish import published_files, staging_table

    staged_root = staging_table(run_id, "silver", table)
    files = [f for d in days if d in window for f in lake.files(f"{staged_root}/dt={d}", ".parquet")]
    published = [f for d in days if d not in window for f in published_files(lake, "silver", table, d)]
    frames = []
    if files:
        frames.append(spark.read.option("basePath", lake.spark_uri(staged_root)).parquet(
            *[lake.spark_uri(f) for f in files]))
    if published:
        frames.append(spark.read.option("basePath", lake.spark_uri(lake.table_dir("silver", table))).parquet(
            *[lake.spark_uri(f) for f in published]))
    return reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), frames) if frames else None


def _stage(df: DataFrame, lake, run_id: str, table: str, key: str) -> int:
    from miryoku.lake.publish import staging_table

    df = df.cache()
    staged = staging_table(run_id, "gold", table)
    lake.delete(staged)  # an earlier, killed attempt of this run may have left other partitions
    df.repartition(key).write.mode("overwrite").partitionBy(key).parquet(lake.spark_uri(staged))
    rows = df.count()
    df.unpersist()
    return rows


def run(spark: SparkSession, args) -> dict:
    from miryoku.lake import Lake

    lake = Lake.from_settings(args.lake)
    window = output_window(args.date, lake.cfg.late_days)
    months = months_of(window)
    all_days = sorted({d for m in months for d in month_days(m)} | set(window))
    posts = silver(spark, lake, args.run_id, "posts", all_days, window)
    terms = silver(spark, lake, args.run_id, "post_terms", all_days, window)
    stats: dict = {"window": window, "months": months}
    if posts is None or terms is None:
        return stats
    posts, terms = posts.cache(), terms.cache()
    products, anchors, item_terms = dictionaries(spark)
    day_posts, day_terms = posts.where(F.col("dt").isin(window)), terms.where(F.col("dt").isin(window))

    stats["term_daily"] = _stage(term_daily(day_posts, day_terms), lake, args.run_id, "term_daily", "dt")
    stats["category_daily"] = _stage(category_daily(day_posts), lake, args.run_id, "category_daily", "dt")
    history_days = date_range(shift(window[0], -BASELINE_DAYS), shift(window[0], -1))
    history_posts = silver(spark, lake, args.run_id, "posts", history_days, window)
    history = daily_mentions(history_posts, products) if history_posts is not None else \
        spark.createDataFrame([], "dt string, product string, posts long")
    volume = product_volume_daily(day_posts, products, history.select("dt", "product", "posts").unionByName(
        daily_mentions(day_posts, products).select("dt", "product", "posts")))
    stats["product_volume_daily"] = _stage(volume, lake, args.run_id, "product_volume_daily", "dt")

    month_posts = posts.withColumn("month", F.substring("dt", 1, 7)).where(F.col("month").isin(months))
    stats["cooccurrence_monthly"] = _stage(
        cooccurrence(month_posts.drop("month"), terms, anchors), lake, args.run_id, "cooccurrence_monthly", "month")
    shipments = _shipments(spark, lake, months)
    buzz = shipment_buzz(shipments, month_posts.drop("month"), terms, item_terms).where(F.col("month").isin(months))
    stats["shipment_buzz_monthly"] = _stage(buzz, lake, args.run_id, "shipment_buzz_monthly", "month")
    posts.unpersist()
    terms.unpersist()
    return stats


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
