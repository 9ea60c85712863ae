"""bronze ``sns_posts_v1`` of one JST day → gold ``disaster_hourly_v1`` for that day (hourly DAG).

Reuses the silver transforms (JST dates, the one-pass enrichment, re-fetch and duplicate handling)
on the bronze the run itself fetched and gated (its staging; the watch publishes no bronze and no
silver), then aggregates with ``gold_disaster_hourly``. The hourly run must see the last hour's posts,
so it tokenizes that bronze itself instead of waiting for the nightly enriched store.
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.common import job_args
from jobs.day_posts import build_day
from jobs.gold_disaster_hourly import disaster_hourly
from jobs.silver_posts import BRONZE_COLUMNS, assign_jst_date, enrich


def staged_bronze(lake, run_id: str, day: str) -> list[tuple[str, list[str]]]:
    """(source folder, Parquet files) of the bronze this run fetched and gated for ``day``: the watch
    reads only its own staging, never the published bronze the nightly run swaps."""
    from miryoku.lake.publish import staging_table

    base = f"{staging_table(run_id, 'bronze', 'sns_posts')}/dt={day}"
    out = []
    for source in lake.listdir(base):
        if files := lake.files(f"{base}/{source}", ".parquet"):
            out.append((source, files))
    return out


def run(spark: SparkSession, args) -> dict:
    from miryoku.lake import Lake
    from miryoku.lake.publish import staging_table

    lake = Lake.from_settings(args.lake)
    frames = [spark.read.parquet(*[lake.spark_uri(f) for f in files]).select(*BRONZE_COLUMNS)
              .withColumn("bronze_dt", F.lit(args.date)).withColumn("origin", F.lit(f"{args.date}_{source}"))
              for source, files in staged_bronze(lake, args.run_id, args.date)]
    if not frames:
        return {"rows_out": 0}
    bronze = reduce(DataFrame.unionByName, frames)
    posts = assign_jst_date(bronze).where(F.col("dt") == args.date)
    day = build_day(enrich(posts).drop("origin"))
    hourly = disaster_hourly(day).where(F.col("dt") == args.date).cache()
    staged = staging_table(args.run_id, "gold", "disaster_hourly")
    lake.delete(staged)
    hourly.repartition("dt").write.mode("overwrite").partitionBy("dt").parquet(lake.spark_uri(staged))
    rows = hourly.count()
    hourly.unpersist()
    return {"rows_out": rows}


def main(argv: list[str] | None = None) -> None:
    from miryoku.config import settings
    from miryoku.spark import get_session

    args = job_args(argv)
    print(run(get_session(settings(args.lake), "gold_disaster_watch"), args))


if __name__ == "__main__":
    main()
