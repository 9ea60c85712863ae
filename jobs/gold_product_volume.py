"""silver ``posts_v1`` → gold ``product_volume_daily_v1``: the leaflet's competitor comparison.

Mentions per product per day with its origin prefecture, its share of voice within its competitor
group that day, and a spike flag against the product's own trailing baseline (the previous
``BASELINE_DAYS`` published days): a day is a spike when it has at least ``SPIKE_MIN_POSTS`` posts
and more than ``SPIKE_RATIO`` × the trailing mean (missing days count as zero).
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

BASELINE_DAYS = 7
SPIKE_RATIO = 2.0
SPIKE_MIN_POSTS = 5
PRODUCTS_SCHEMA = "product string, product_group string, origin_pref_code string"


def daily_mentions(posts: DataFrame, products: DataFrame) -> DataFrame:
    """dt × product → distinct canonical posts, with the product's group and origin."""
    mentions = (
        posts.where(F.col("is_duplicate_of").isNull())
        .select("dt", "post_id", F.explode("products").alias("product"))
        .groupBy("dt", "product").agg(F.countDistinct("post_id").cast("long").alias("posts"))
    )
    return mentions.join(F.broadcast(products), "product")


def share_of_voice(daily: DataFrame) -> DataFrame:
    group_total = F.sum("posts").over(Window.partitionBy("dt", "product_group"))
    return daily.withColumn("share_of_voice", F.round(F.col("posts") / group_total, 6))


def flag_spikes(today: DataFrame, history: DataFrame, day_count: int = BASELINE_DAYS) -> DataFrame:
    """``history``: any days' (dt, product, posts); each row's baseline is its own previous ``day_count``
    days. Adds ``baseline_posts`` and ``is_spike``."""
    h = history.select(F.col("dt").alias("h_dt"), F.col("product").alias("h_product"), F.col("posts").alias("h_posts"))
    lag = F.datediff(F.to_date("dt"), F.to_date("h_dt"))
    baseline = (
        today.select("dt", "product")
        .join(h, (F.col("product") == F.col("h_product")) & lag.between(1, day_count))
        .groupBy("dt", "product").agg((F.sum("h_posts") / F.lit(day_count)).alias("baseline_posts"))
    )
    joined = today.join(baseline, ["dt", "product"], "left").fillna({"baseline_posts": 0.0})
    return joined.withColumn(
        "is_spike",
        (F.col("posts") >= SPIKE_MIN_POSTS) & (F.col("posts") > F.col("baseline_posts") * SPIKE_RATIO),
    ).withColumn("baseline_posts", F.round("baseline_posts", 3))


def product_volume_daily(posts: DataFrame, products: DataFrame, history: DataFrame) -> DataFrame:
    today = share_of_voice(daily_mentions(posts, products))
    return flag_spikes(today, history).select(
        "dt", "product_group", "product", "origin_pref_code", "posts", "share_of_voice",
        "baseline_posts", "is_spike",
    )
