"""posts → gold ``disaster_hourly_v1``: the leaflet's 緊急時 use of the same pipeline.

Posts per hour × prefecture × municipality × situation word (雨, 浸水, 通行止 … from the leaflet's
disaster table). ``hour`` is the UTC start of the hour (timestamps are stored in UTC); ``dt`` is its
JST date. Rows with ``muni_code`` null are prefecture totals (every post naming the prefecture, and
'00' for all Japan); rows with a ``muni_code`` count the posts naming that municipality, under its own
prefecture. ``emotion_posts`` counts those posts that also use an emotion word (大丈夫, やば, すご).
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.gold_daily import canonical


def disaster_hourly(posts: DataFrame) -> DataFrame:
    flagged = posts.where(F.size("disaster_situations") > 0).withColumn(
        "situation", F.explode("disaster_situations")).withColumn("hour", F.date_trunc("hour", "posted_at"))
    prefecture_rows = canonical(flagged).withColumn("pref_code", F.explode("prefs")).drop("prefs").withColumn("muni_code", F.lit(None).cast("string"))
    municipal_rows = (
        flagged.where(F.col("is_duplicate_of").isNull())
        .withColumn("muni_code", F.explode("muni_codes"))
        .withColumn("pref_code", F.substring("muni_code", 1, 2))
    )
    rows = prefecture_rows.unionByName(municipal_rows)
    return (
        rows.groupBy("hour", "pref_code", "muni_code", "situation")
        .agg(
            F.countDistinct("post_id").cast("long").alias("posts"),
            F.countDistinct(F.when(F.size("disaster_emotions") > 0, F.col("post_id"))).cast("long")
            .alias("emotion_posts"),
        )
        .withColumn("dt", F.date_format(F.from_utc_timestamp("hour", "Asia/Tokyo"), "yyyy-MM-dd"))
    )
