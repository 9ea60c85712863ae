"""Daily partials → the monthly gold tables, and product mentions → ``product_volume_daily_v1``.

Monthly tables are sums of the month's daily partials (``jobs.gold_daily``), never a re-read of the
month's posts: a night costs the same on the 2nd and the 30th of a month.

- ``cooccurrence_monthly_v1`` — is the word about the thing itself? For each anchor (りんご, 牛乳,
  いちご …) × prefecture × month, the terms co-occurring with it: ``posts`` with both and ``lift`` =
  P(co_term | anchor, pref) / P(co_term) over the month's canonical posts; ``anchor_posts`` and
  ``derived_share`` (share of the anchor's posts naming one of its derived goods) on every row.
- ``shipment_buzz_monthly_v1`` — monthly shipments by item × prefecture beside the month's posts
  about the item naming the prefecture, each side's share within the item; a month with data on
  either side has rows (the missing side null for shipments, 0 for posts).
- ``product_volume_daily_v1`` — the competitor comparison with a spike flag against the product's
  trailing baseline over the days the lake has data.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

MIN_POSTS = 2
BASELINE_DAYS = 7
SPIKE_RATIO = 2.0
SPIKE_MIN_POSTS = 5
PRODUCTS_SCHEMA = "product string, product_group string, origin_pref_code string"


def month_of(col: str = "dt"):
    return F.substring(F.col(col), 1, 7)


def cooccurrence_monthly(pairs: DataFrame, anchor_posts: DataFrame, term_posts: DataFrame,
                         pref_daily: DataFrame, min_posts: int = MIN_POSTS) -> DataFrame:
    """The month's partials (any days) → one row per month × anchor × pref × co_term with ≥ min_posts."""
    month_pairs = (pairs.groupBy(month_of().alias("month"), "anchor_term", "pref_code", "co_term")
                   .agg(F.sum("posts").alias("posts")).where(F.col("posts") >= min_posts))
    month_anchor = anchor_posts.groupBy(month_of().alias("month"), "anchor_term", "pref_code").agg(
        F.sum("anchor_posts").alias("anchor_posts"), F.sum("derived_posts").alias("derived_posts"))
    month_terms = term_posts.groupBy(month_of().alias("month"), F.col("term").alias("co_term")).agg(
        F.sum("posts").alias("term_posts"))
    month_total = pref_daily.where(F.col("pref_code") == "00").groupBy(month_of().alias("month")).agg(
        F.sum("posts").alias("month_posts"))
    return (
        month_pairs.join(month_anchor, ["month", "anchor_term", "pref_code"])
        .join(month_terms, ["month", "co_term"])
        .join(F.broadcast(month_total), "month")
        .select(
            "month", "anchor_term", "pref_code", "co_term",
            F.col("posts").cast("long").alias("posts"),
            F.round((F.col("posts") / F.col("anchor_posts")) / (F.col("term_posts") / F.col("month_posts")), 4)
            .alias("lift"),
            F.col("anchor_posts").cast("long").alias("anchor_posts"),
            F.round(F.coalesce("derived_posts", F.lit(0)) / F.col("anchor_posts"), 4).alias("derived_share"),
        )
    )


def monthly_shipments(shipments: DataFrame) -> DataFrame:
    return shipments.groupBy("month", "item", "pref_code").agg(
        F.sum("quantity").alias("shipment_qty"), F.first("unit", ignorenulls=True).alias("unit"))


def shipment_buzz_monthly(shipments: DataFrame, item_posts: DataFrame) -> DataFrame:
    """Shipments (month, item, pref_code, quantity, unit) full-outer-joined with the month's item posts."""
    buzz = item_posts.groupBy(month_of().alias("month"), "item", "pref_code").agg(
        F.sum("posts").cast("long").alias("posts"))
    joined = monthly_shipments(shipments).join(buzz, ["month", "item", "pref_code"], "full_outer")
    per_item = Window.partitionBy("month", "item")
    return joined.select(
        "month", "item", "pref_code", "shipment_qty", "unit",
        F.coalesce("posts", F.lit(0)).cast("long").alias("posts"),
        F.round(F.col("shipment_qty") / F.sum("shipment_qty").over(per_item), 6).alias("shipment_share"),
        F.round(F.coalesce("posts", F.lit(0)) / F.sum("posts").over(per_item), 6).alias("posts_share"),
    )


def share_of_voice(daily: DataFrame) -> DataFrame:
    group_total = F.sum("posts").over(Window.partitionBy("dt", "product_group"))
    return daily.withColumn("share_of_voice", F.round(F.col("posts") / group_total, 6))


def flag_spikes(today: DataFrame, history: DataFrame, days_with_data: DataFrame,
                day_count: int = BASELINE_DAYS) -> DataFrame:
    """Adds ``baseline_posts`` (mean daily posts over the previous ``day_count`` days *that the lake has
    data for* — days before the lake began do not count as zero) and ``is_spike`` (≥ SPIKE_MIN_POSTS and
    > SPIKE_RATIO × baseline; never on a day without any earlier day of data).

    ``history``: (dt, product, posts) of any days; ``days_with_data``: (dt) of every day with posts.
    """
    lag = F.datediff(F.to_date("dt"), F.to_date("h_dt"))
    days = (today.select("dt").distinct()
            .join(days_with_data.select(F.col("dt").alias("h_dt")), lag.between(1, day_count))
            .groupBy("dt").agg(F.count(F.lit(1)).alias("baseline_days")))
    h = history.select(F.col("dt").alias("h_dt"), F.col("product").alias("h_product"), F.col("posts").alias("h_posts"))
    sums = (today.select("dt", "product").join(h, (F.col("product") == F.col("h_product")) & lag.between(1, day_count))
            .groupBy("dt", "product").agg(F.sum("h_posts").alias("h_sum")))
    joined = today.join(F.broadcast(days), "dt", "left").join(sums, ["dt", "product"], "left")
    baseline = F.coalesce("h_sum", F.lit(0)) / F.col("baseline_days")
    return joined.withColumn("baseline_posts", F.round(baseline.cast("double"), 3)).withColumn(
        "is_spike", F.coalesce((F.col("posts") >= SPIKE_MIN_POSTS) & (F.col("posts") > baseline * SPIKE_RATIO),
                               F.lit(False))).drop("h_sum", "baseline_days")


def product_volume_daily(mentions: DataFrame, products: DataFrame, history: DataFrame,
                         days_with_data: DataFrame) -> DataFrame:
    """``mentions``: the days' (dt, product, posts) partial; ``history``: earlier days' partials."""
    today = share_of_voice(mentions.join(F.broadcast(products), "product"))
    return flag_spikes(today, history, days_with_data).select(
        "dt", "product_group", "product", "origin_pref_code", "posts", "share_of_voice",
        "baseline_posts", "is_spike",
    )
