"""silver ``shipments_v1`` + posts → gold ``shipment_buzz_monthly_v1``: the leaflet's 情報を組み合わせる.

Monthly shipments by item × prefecture beside the month's posts about that item naming that
prefecture, with each side's share within the item, so competitor regions and seasonal leads show.
A full outer join: a month with shipments but no posts (or posts but no shipments) still has a row,
with the missing side null.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from jobs.gold_category_daily import with_prefs
from jobs.gold_cooccurrence import month_of

ITEM_TERMS_SCHEMA = "item string, term string"


def monthly_buzz(posts: DataFrame, terms: DataFrame, item_terms: DataFrame) -> DataFrame:
    canon = with_prefs(posts).where("pref_code != '00'").select(month_of().alias("month"), "post_id", "pref_code")
    about_item = (
        terms.select(month_of().alias("month"), "post_id", "term")
        .join(F.broadcast(item_terms), "term")
        .select("month", "post_id", "item").distinct()
    )
    return (
        about_item.join(canon, ["month", "post_id"])
        .groupBy("month", "item", "pref_code").agg(F.countDistinct("post_id").cast("long").alias("posts"))
    )


def monthly_shipments(shipments: DataFrame) -> DataFrame:
    return shipments.groupBy("month", "item", "pref_code").agg(
        F.sum("quantity").alias("shipment_qty"), F.first("unit", ignorenulls=True).alias("unit"))


def shipment_buzz(shipments: DataFrame, posts: DataFrame, terms: DataFrame, item_terms: DataFrame) -> DataFrame:
    joined = monthly_shipments(shipments).join(
        monthly_buzz(posts, terms, item_terms), ["month", "item", "pref_code"], "full_outer")
    per_item = Window.partitionBy("month", "item")
    return joined.select(
        "month", "item", "pref_code", "shipment_qty", "unit",
        F.coalesce("posts", F.lit(0)).cast("long").alias("posts"),
        F.round(F.col("shipment_qty") / F.sum("shipment_qty").over(per_item), 6).alias("shipment_share"),
        F.round(F.coalesce("posts", F.lit(0)) / F.sum("posts").over(per_item), 6).alias("posts_share"),
    )
