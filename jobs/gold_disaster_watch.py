"""bronze ``sns_posts_v1`` of one JST day → gold ``disaster_hourly_v1`` for that day (hourly DAG).

Reuses the silver transforms (JST dates, the one-pass enrichment, re-fetch and duplicate handling)
on the day's bronze without publishing silver, then aggregates with ``gold_disaster_hourly``. The
hourly run must see the last hour's posts, so it tokenizes the day's bronze itself instead of waiting
for the nightly enriched store.
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.common import job_args
from jobs.gold_disaster_hourly import disaster_hourly
from jobs.silver_posts import BRONZE_COLUMNS, assign_jst_date, build_day, enrich


def run(spark: SparkSession, args) -> dict:
    from miryoku.lake import Lake
    from miryoku.lake.enriched import bronze_files, bronze_origins
    from miryoku.lake.publish import staging_table

    lake = Lake.from_settings(args.lake)
    frames = [spark.read.parquet(*[lake.spark_uri(f) for f in files]).select(*BRONZE_COLUMNS)
              .withColumn("bronze_dt", F.lit(o.bronze_dt)).withColumn("origin", F.lit(o.key))
              for o in bronze_origins(lake, [args.date]) if (files := bronze_files(lake, o))]
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
