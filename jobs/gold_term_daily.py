"""silver ``posts_v1`` + ``post_terms_v1`` → gold ``term_daily_v1``.

One row per dt × pref_code × term (× lemma × pos): ``posts`` counts distinct canonical posts that
contain the term, ``occurrences`` its total count. A post naming two prefectures counts for each;
every post also counts for '00' (all Japan).
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.common import job_args, output_window

ALL_JAPAN = "00"


def term_daily(posts: DataFrame, terms: DataFrame) -> DataFrame:
    canonical = posts.where(F.col("is_duplicate_of").isNull()).select(
        "dt", "post_id",
        F.array_union(F.coalesce("pref_codes", F.array().cast("array<string>")),
                      F.array(F.lit(ALL_JAPAN))).alias("prefs"),
    )
    joined = terms.join(canonical, ["dt", "post_id"]).withColumn("pref_code", F.explode("prefs"))
    return joined.groupBy("dt", "pref_code", "term", "lemma", "pos").agg(
        F.countDistinct("post_id").cast("long").alias("posts"),
        F.sum("n").cast("long").alias("occurrences"),
    )


def read_silver(spark: SparkSession, lake, run_id: str, table: str) -> DataFrame | None:
    from miryoku.lake.publish import staging_table

    rel = staging_table(run_id, "silver", table)
    if not lake.files(rel, ".parquet"):
        return None
    return spark.read.parquet(lake.spark_uri(rel))


def run(spark: SparkSession, args) -> dict:
    """Reads the run's gated, staged silver (published together with gold) and stages gold."""
    from miryoku.lake import Lake
    from miryoku.lake.publish import staging_table

    lake = Lake.from_settings(args.lake)
    window = output_window(args.date, lake.cfg.late_days)
    posts = read_silver(spark, lake, args.run_id, "posts")
    terms = read_silver(spark, lake, args.run_id, "post_terms")
    if posts is None or terms is None:
        return {"window": window, "rows_out": 0}
    gold = term_daily(posts.where(F.col("dt").isin(window)), terms).cache()
    gold.repartition("dt").write.mode("overwrite").partitionBy("dt").parquet(
        lake.spark_uri(staging_table(args.run_id, "gold", "term_daily")))
    rows = gold.count()
    gold.unpersist()
    return {"window": window, "rows_out": rows}


def main(argv: list[str] | None = None) -> None:
    from miryoku.config import settings
    from miryoku.spark import get_session

    args = job_args(argv)
    print(run(get_session(settings(args.lake), "gold_term_daily"), args))


if __name__ == "__main__":
    main()
