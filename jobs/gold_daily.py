"""One silver day (per-post rows with their term arrays) → the gold daily tables and daily partials.

Every count here is of canonical posts (``is_duplicate_of`` null). A post counts once for each
prefecture it names and once for '00' (all Japan). Terms are distinct per post, so "posts containing
the term" is a plain row count after one explode — no joins and no ``countDistinct``.

Daily partials (``partial_*``) are what the monthly tables are summed from: distinct posts per day
add up to distinct posts per month because a post has exactly one ``dt``.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

ALL_JAPAN = "00"
PLACE_NAMES_SCHEMA = "name string"
ANCHORS_SCHEMA = "anchor_term string, derived_term string"
ITEM_TERMS_SCHEMA = "item string, term string"


def canonical(day: DataFrame) -> DataFrame:
    """Canonical posts with ``prefs``: the prefectures they name plus '00'."""
    return day.where(F.col("is_duplicate_of").isNull()).withColumn(
        "prefs", F.array_union(F.coalesce("pref_codes", F.array().cast("array<string>")),
                               F.array(F.lit(ALL_JAPAN))))


def about(terms, products):
    """What a post is about, the one definition every item table shares: its terms and the products
    the dictionary found in its text (product names, aliases, English aliases such as strawberries →
    いちご), so an English post about apples counts for りんご like a Japanese one."""
    return F.array_distinct(F.concat(F.coalesce(terms, F.array().cast("array<string>")),
                                     F.coalesce(products, F.array().cast("array<string>"))))


def pref_daily(day: DataFrame) -> DataFrame:
    """dt × pref_code → posts naming the prefecture ('00': every post) — the normaliser for shares."""
    return (canonical(day).select("dt", F.explode("prefs").alias("pref_code"))
            .groupBy("dt", "pref_code").agg(F.count(F.lit(1)).alias("posts")))


def term_daily(day: DataFrame, place_names: DataFrame) -> DataFrame:
    """dt × pref_code × term × lemma × pos → posts with the term, its occurrences, and whether it is a
    place name (a prefecture or municipality, or its romanised form) so rankings can leave those out."""
    rows = (
        canonical(day).select("dt", "prefs", F.explode("terms").alias("t"))
        .select("dt", F.explode("prefs").alias("pref_code"), "t.term", "t.lemma", "t.pos", "t.n")
        .groupBy("dt", "pref_code", "term", "lemma", "pos")
        .agg(F.count(F.lit(1)).alias("posts"), F.sum("n").cast("long").alias("occurrences"))
    )
    places = place_names.select(F.col("name").alias("term"), F.lit(True).alias("is_place_name")).distinct()
    return rows.join(F.broadcast(places), "term", "left").select(
        "dt", "pref_code", "term", "lemma", "pos", "posts", "occurrences",
        F.coalesce("is_place_name", F.lit(False)).alias("is_place_name"))


def category_daily(day: DataFrame) -> DataFrame:
    """dt × pref_code × category × subcategory: a post counts once per subcategory it matches."""
    parts = F.split("path", "/")
    return (
        canonical(day).select("dt", "prefs", F.explode(F.array_distinct("categories")).alias("path"))
        .select("dt", F.explode("prefs").alias("pref_code"), parts.getItem(0).alias("category"),
                parts.getItem(1).alias("subcategory"))
        .groupBy("dt", "pref_code", "category", "subcategory").agg(F.count(F.lit(1)).alias("posts"))
    )


def product_mentions(day: DataFrame) -> DataFrame:
    """Partial: dt × product → posts naming the product (competitor volumes, spikes)."""
    return (canonical(day).select("dt", F.explode(F.array_distinct("products")).alias("product"))
            .groupBy("dt", "product").agg(F.count(F.lit(1)).alias("posts")))


def term_posts(terms: DataFrame) -> DataFrame:
    """Partial: dt × term → all-Japan posts with the term (from ``term_daily``), for monthly lifts."""
    return (terms.where(F.col("pref_code") == ALL_JAPAN).groupBy("dt", "term")
            .agg(F.sum("posts").cast("long").alias("posts")))


def anchor_partials(day: DataFrame, anchors: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Partials for ``cooccurrence_monthly_v1``: (pairs, anchor counts) of the day.

    ``anchors``: (anchor_term, derived_term), one row per derived good (derived_term may be null).
    pairs: dt × anchor × pref × co_term → posts with both; anchor counts: dt × anchor × pref →
    posts with the anchor, and those of them naming one of its derived goods.
    """
    derived = anchors.groupBy("anchor_term").agg(
        F.array_remove(F.collect_set(F.coalesce("derived_term", F.lit(""))), "").alias("derived"))
    posts = canonical(day).select("dt", "post_id", "prefs", F.col("terms.term").alias("term_set"),
                                  about(F.col("terms.term"), F.col("products")).alias("about"))
    anchored = (posts.select("*", F.explode("about").alias("anchor_term"))
                .join(F.broadcast(derived), "anchor_term"))
    counts = (
        anchored.select("dt", "anchor_term", F.explode("prefs").alias("pref_code"),
                        F.arrays_overlap("term_set", "derived").alias("has_derived"))
        .groupBy("dt", "anchor_term", "pref_code")
        .agg(F.count(F.lit(1)).alias("anchor_posts"),
             F.sum(F.col("has_derived").cast("long")).alias("derived_posts"))
    )
    pairs = (
        anchored.select("dt", "anchor_term", "prefs", F.explode("term_set").alias("co_term"))
        .where(F.col("co_term") != F.col("anchor_term"))
        .select("dt", "anchor_term", F.explode("prefs").alias("pref_code"), "co_term")
        .groupBy("dt", "anchor_term", "pref_code", "co_term").agg(F.count(F.lit(1)).alias("posts"))
    )
    return pairs, counts


def item_posts(day: DataFrame, item_terms: DataFrame) -> DataFrame:
    """Partial: dt × item × pref_code (prefectures only) → posts about the item.

    A post is about an item when what it is about (``about``: its terms and its dictionary products)
    includes the item's word, one of its products or their aliases (``item_terms``).
    """
    items = item_terms.groupBy("item").agg(F.collect_set("term").alias("item_terms"))
    posts = canonical(day).select("dt", "pref_codes", about(F.col("terms.term"), F.col("products")).alias("about"))
    return (
        posts.crossJoin(F.broadcast(items)).where(F.arrays_overlap("about", "item_terms"))
        .select("dt", "item", F.explode("pref_codes").alias("pref_code"))
        .groupBy("dt", "item", "pref_code").agg(F.count(F.lit(1)).alias("posts"))
    )


def daily_tables(day: DataFrame, place_names: DataFrame, anchors: DataFrame,
                 item_terms: DataFrame) -> dict[str, DataFrame]:
    """Every gold daily table and daily partial of the day(s) in ``day``, by table name."""
    terms = term_daily(day, place_names)
    pairs, anchor_counts = anchor_partials(day, anchors)
    return {
        "term_daily": terms,
        "category_daily": category_daily(day),
        "pref_daily": pref_daily(day),
        "partial_product_mentions": product_mentions(day),
        "partial_term_posts": term_posts(terms),
        "partial_cooccurrence_pairs": pairs,
        "partial_anchor_posts": anchor_counts,
        "partial_item_posts": item_posts(day, item_terms),
    }


def place_names() -> set[str]:
    """Every prefecture and municipality name, its short form and its romanised form (lower case)."""
    from miryoku.text.gazetteer import places
    from miryoku.text.prefectures import PREFECTURES, short_name

    names = {short_name(name) for _, name, _ in PREFECTURES} | {name for _, name, _ in PREFECTURES}
    names |= {en.lower() for _, _, en in PREFECTURES if en}
    for p in places():
        names |= {v for v in (p.name, p.short, (p.english or "").lower()) if v}
    return names


def item_terms() -> set[tuple[str, str]]:
    """(item, term): the product group's own word, its products and their aliases."""
    from miryoku.text.products import product_table

    rows = product_table()
    out = {(r["product_group"], r["product_group"]) for r in rows}
    for r in rows:
        out |= {(r["product_group"], n) for n in [r["product"], *str(r.get("aliases") or "").split("|")] if n}
    return out
