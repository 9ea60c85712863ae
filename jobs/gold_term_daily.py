"""silver ``posts_v1`` + ``post_terms_v1`` → gold ``term_daily_v1``.

One row per dt × pref_code × term (× lemma × pos): ``posts`` counts distinct canonical posts that
contain the term, ``occurrences`` its total count. A post naming two prefectures counts for each;
every post also counts for '00' (all Japan).
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

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
