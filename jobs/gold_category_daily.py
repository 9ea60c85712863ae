"""silver ``posts_v1`` → gold ``category_daily_v1``: posts per day × prefecture × leaflet category.

Categories come from the leaflet's keyword table (気付き・観光・雇用・くらす and their 細別), matched in
silver as "category/subcategory". A post counts once per (prefecture, subcategory) however many of
the subcategory's words it uses; it counts for each prefecture it names and for '00' (all Japan).
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.gold_term_daily import ALL_JAPAN


def with_prefs(posts: DataFrame) -> DataFrame:
    """Canonical posts with ``pref_code`` exploded over their prefectures plus '00'."""
    return posts.where(F.col("is_duplicate_of").isNull()).withColumn(
        "pref_code",
        F.explode(F.array_union(F.coalesce("pref_codes", F.array().cast("array<string>")),
                                F.array(F.lit(ALL_JAPAN)))),
    )


def category_daily(posts: DataFrame) -> DataFrame:
    exploded = with_prefs(posts).withColumn("category_path", F.explode("categories"))
    parts = F.split("category_path", "/")
    return (
        exploded.select("dt", "pref_code", "post_id",
                        parts.getItem(0).alias("category"), parts.getItem(1).alias("subcategory"))
        .groupBy("dt", "pref_code", "category", "subcategory")
        .agg(F.countDistinct("post_id").cast("long").alias("posts"))
    )
