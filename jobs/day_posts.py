"""One row per post of a JST day, duplicates marked: the rules, and the way a night applies them.

``latest_fetch`` and ``mark_duplicates`` state the rules on whole rows; ``build_day`` composes them
and is the reference. ``build_day_narrow`` gives the same rows without moving them: the enriched
rows are wide (each carries its term array and dictionaries' matches), and sorting them through
three windows was most of a night's JVM time and heap after tokenizing. The rules run instead on
the dozen columns they read plus a row id; what comes out is the few rows that are not counted
as they stand (a superseded copy, a duplicate) and joins the wide rows from the broadcast side.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

# the columns the rules read
DECISION_COLUMNS = ["source", "post_id", "created_at", "dt", "text_norm", "author_key", "is_repost", "fetched_at",
                    "bronze_dt", "page", "checksum"]
# a row of a Parquet file, stable across re-reads of the same files
FILE_ROW = ("_file", "_row")


def _fetch_order() -> list[Column]:
    return [F.col("fetched_at").desc(), F.col("bronze_dt").desc(), F.col("page").desc(), F.col("checksum").asc()]


def latest_fetch(posts: DataFrame) -> DataFrame:
    """One row per (source, post_id): a post seen again (re-fetch, next night, another page) counts once.

    Which copy wins is fixed, whatever the order Spark reads them in: the newest ``fetched_at``, then
    the latest bronze date, then the highest page name, then the smallest payload checksum.
    """
    w = Window.partitionBy("source", "post_id").orderBy(*_fetch_order())
    return posts.withColumn("_rank", F.row_number().over(w)).where("_rank = 1").drop("_rank")


def mark_duplicates(posts: DataFrame) -> DataFrame:
    """``is_duplicate_of``: what a person would not count twice on one JST day.

    - a repost (``RT @…``, a boost) of a text points at the earliest original post with that text, or,
      when the original is not in the lake, at the earliest repost of it (which stands for it);
    - the same author posting the same text again points at that author's earliest such post;
    - different people writing the same words are different posts. Posts without an author key are
      never duplicates by text. Empty texts are never duplicates.
    ``post_id`` becomes ``<source>:<id>``, unique across sources.
    """
    with_id = posts.withColumn("post_id", F.concat_ws(":", "source", "post_id"))
    key = F.struct("created_at", "post_id")
    group = Window.partitionBy("dt", "text_norm")
    same_author = Window.partitionBy("dt", "text_norm", F.coalesce("author_key", "post_id"))
    first_original = F.min(F.when(~F.col("is_repost"), key)).over(group)
    first_repost = F.min(F.when(F.col("is_repost"), key)).over(group)
    first_by_author = F.min(F.when(~F.col("is_repost"), key)).over(same_author)
    target = F.when(F.col("is_repost"), F.coalesce(first_original, first_repost).getField("post_id")).otherwise(
        F.when(F.col("author_key").isNotNull(), first_by_author.getField("post_id")))
    return with_id.withColumn(
        "is_duplicate_of", F.when((F.length("text_norm") > 0) & (target != F.col("post_id")), target))


def build_day(enriched: DataFrame) -> DataFrame:
    """Every enriched row of the day's partition → one row per post, duplicates marked, terms kept."""
    return mark_duplicates(latest_fetch(enriched)).withColumnRenamed("created_at", "posted_at")


def with_file_row(frame: DataFrame) -> DataFrame:
    """A Parquet-read frame with ``FILE_ROW``: its file and the row's index in it."""
    return frame.select("*", F.col("_metadata.file_path").alias(FILE_ROW[0]),
                        F.col("_metadata.row_index").alias(FILE_ROW[1]))


def exceptions(enriched: DataFrame, row_id: tuple[str, ...] = FILE_ROW) -> DataFrame:
    """``row_id`` of every row not counted as it stands, from the rules' columns alone:
    ``_superseded`` (a copy ``latest_fetch`` drops) or ``is_duplicate_of`` (what ``mark_duplicates``
    marks among the kept copies). A few percent of a day's rows."""
    narrow = enriched.select(*row_id, *DECISION_COLUMNS)
    ranked = narrow.withColumn(
        "_rank", F.row_number().over(Window.partitionBy("source", "post_id").orderBy(*_fetch_order())))
    superseded = ranked.where("_rank > 1").select(
        *row_id, F.lit(True).alias("_superseded"), F.lit(None).cast("string").alias("is_duplicate_of"))
    duplicates = mark_duplicates(ranked.where("_rank = 1")).where(F.col("is_duplicate_of").isNotNull()).select(
        *row_id, F.lit(False).alias("_superseded"), "is_duplicate_of")
    return superseded.unionByName(duplicates)


def build_day_narrow(enriched: DataFrame, decided: DataFrame, row_id: tuple[str, ...] = FILE_ROW) -> DataFrame:
    """``build_day(enriched)`` with ``row_id`` columns, given ``decided = exceptions(enriched)``
    (persist it: every output of the day joins it, and a materialised small side is broadcast)."""
    joined = enriched.join(decided, list(row_id), "left").where(F.col("_superseded").isNull() | ~F.col("_superseded"))
    return (joined.withColumn("post_id", F.concat_ws(":", "source", "post_id"))
            .drop(*row_id, "_superseded").withColumnRenamed("created_at", "posted_at"))
