"""silver posts + terms → gold ``cooccurrence_monthly_v1``: is the word about the thing itself?

For each anchor (a product word such as りんご, 牛乳, いちご) × prefecture × month, the terms that
co-occur with it: ``posts`` with both, and ``lift`` = P(co_term | anchor, pref) / P(co_term) over the
month's canonical posts — the leaflet's "青森×りんご is about apples, 北海道×牛乳 is about ソフト and
カステラ". ``anchor_posts`` and ``derived_share`` (the share of the anchor's posts that name one of its
derived goods) are repeated on each row so a BI tool needs no second table.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.gold_category_daily import with_prefs

MIN_POSTS = 2
ANCHORS_SCHEMA = "anchor_term string, derived_term string"


def month_of(col: str = "dt"):
    return F.substring(F.col(col), 1, 7)


def cooccurrence(posts: DataFrame, terms: DataFrame, anchors: DataFrame, min_posts: int = MIN_POSTS) -> DataFrame:
    """``anchors``: (anchor_term, derived_term) — one row per derived good (derived_term may be null)."""
    canon = with_prefs(posts).select(month_of().alias("month"), "post_id", "pref_code")
    post_terms = terms.select(month_of().alias("month"), "post_id", F.col("term"), F.col("lemma")).distinct()
    anchor_names = anchors.select("anchor_term").distinct()

    # month totals for the baseline probability P(co_term)
    month_posts = canon.where("pref_code = '00'").groupBy("month").agg(F.count("*").alias("month_posts"))
    term_posts = post_terms.groupBy("month", "term").agg(F.countDistinct("post_id").alias("term_posts"))

    anchored = (
        post_terms.join(F.broadcast(anchor_names), post_terms.term == anchor_names.anchor_term)
        .select("month", "post_id", "anchor_term")
        .join(canon, ["month", "post_id"])
    )
    anchor_posts = anchored.groupBy("month", "anchor_term", "pref_code").agg(
        F.countDistinct("post_id").alias("anchor_posts"))

    derived = anchors.where(F.col("derived_term").isNotNull())
    with_derived = (
        anchored.join(post_terms.select("month", "post_id", F.col("term").alias("derived_term")),
                      ["month", "post_id"])
        .join(F.broadcast(derived), ["anchor_term", "derived_term"])
        .groupBy("month", "anchor_term", "pref_code").agg(F.countDistinct("post_id").alias("derived_posts"))
    )

    pairs = (
        anchored.join(post_terms.select("month", "post_id", F.col("term").alias("co_term")), ["month", "post_id"])
        .where(F.col("co_term") != F.col("anchor_term"))
        .groupBy("month", "anchor_term", "pref_code", "co_term").agg(F.countDistinct("post_id").alias("posts"))
        .where(F.col("posts") >= min_posts)
    )
    return (
        pairs.join(anchor_posts, ["month", "anchor_term", "pref_code"])
        .join(with_derived, ["month", "anchor_term", "pref_code"], "left")
        .join(term_posts.withColumnRenamed("term", "co_term"), ["month", "co_term"])
        .join(month_posts, "month")
        .select(
            "month", "anchor_term", "pref_code", "co_term",
            F.col("posts").cast("long").alias("posts"),
            F.round((F.col("posts") / F.col("anchor_posts")) / (F.col("term_posts") / F.col("month_posts")), 4)
            .alias("lift"),
            F.col("anchor_posts").cast("long").alias("anchor_posts"),
            F.round(F.coalesce("derived_posts", F.lit(0)) / F.col("anchor_posts"), 4).alias("derived_share"),
        )
    )
