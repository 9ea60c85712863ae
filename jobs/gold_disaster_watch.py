"""bronze ``sns_posts_v1`` of one JST day → gold ``disaster_hourly_v1`` for that day (hourly DAG).

Reuses the silver transforms (normalisation, JST dates, re-fetch and duplicate handling, the one-pass
enrichment) without publishing silver, then aggregates with ``gold_disaster_hourly``.
"""

from __future__ import annotations

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from jobs.common import job_args
from jobs.gold_disaster_hourly import disaster_hourly
from jobs.silver_posts import (
    assign_jst_date,
    enrich,
    latest_fetch,
    mark_duplicates,
    normalize_posts,
    read_bronze,
)


def run(spark: SparkSession, args) -> dict:
    from miryoku.lake import Lake
    from miryoku.lake.publish import staging_table

    lake = Lake.from_settings(args.lake)
    bronze = read_bronze(spark, lake, args.date, 1)
    if bronze is None:
        return {"rows_out": 0}
    posts = assign_jst_date(latest_fetch(normalize_posts(bronze))).where(F.col("dt") == args.date)
    enriched = enrich(mark_duplicates(posts)).withColumnRenamed("created_at", "posted_at")
    hourly = disaster_hourly(enriched).where(F.col("dt") == args.date).cache()
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
