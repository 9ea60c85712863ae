"""bronze ``sns_posts_v1`` → silver ``posts_v1`` and ``post_terms_v1``.

Transforms are pure DataFrame → DataFrame functions; ``run`` is the only edge that reads and
writes. MeCab runs inside ``mapInArrow`` so each Python worker builds its own Tagger once
(``miryoku.text.tokenizer.tagger`` is a per-process cache) — a Tagger cannot be pickled.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from jobs.common import bronze_window, job_args, output_window, shift

NORMALIZED_SCHEMA = (
    "source string, post_id string, created_at timestamp, text string, lang string, "
    "fetched_at timestamp, bronze_dt string, text_norm string, pref_codes array<string>, "
    "muni_codes array<string>, is_repost boolean"
)
ENRICHED_COLUMNS = ["post_id", "source", "created_at", "dt", "lang", "text_norm", "pref_codes", "muni_codes",
                    "is_duplicate_of"]
STRINGS = pa.list_(pa.string())
TERMS_FIELD = pa.field("terms", pa.list_(pa.struct([
    ("term", pa.string()), ("lemma", pa.string()), ("pos", pa.string()), ("n", pa.int32())])))
ENRICH_IN_SCHEMA = (
    "post_id string, source string, created_at timestamp, dt string, lang string, text_norm string, "
    "pref_codes array<string>, muni_codes array<string>, is_duplicate_of string"
)
ENRICHED_SCHEMA = (
    "post_id string, source string, created_at timestamp, dt string, lang string, text_norm string, "
    "pref_codes array<string>, muni_codes array<string>, is_duplicate_of string, "
    "terms array<struct<term: string, lemma: string, pos: string, n: int>>, categories array<string>, "
    "products array<string>, disaster_situations array<string>, disaster_emotions array<string>"
)


def _normalize_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    from miryoku.text.gazetteer import detect_places
    from miryoku.text.normalize import detect_lang, is_repost, normalize_text

    for batch in batches:
        # only the text crosses into Python objects; every other column passes through as Arrow
        texts = batch.column("text").to_pylist()
        langs = batch.column("lang").to_pylist()
        norm = [normalize_text(t) for t in texts]
        places = [detect_places(t) for t in norm]
        new = {
            "lang": pa.array([lang or detect_lang(t) for lang, t in zip(langs, texts, strict=True)], pa.string()),
            "text_norm": pa.array(norm, pa.string()),
            "pref_codes": pa.array([p for p, _ in places], STRINGS),
            "muni_codes": pa.array([m for _, m in places], STRINGS),
            "is_repost": pa.array([is_repost(t) for t in texts], pa.bool_()),
        }
        # the output's column order is NORMALIZED_SCHEMA's: input columns (lang replaced), then the new ones
        names = [*batch.schema.names, *(n for n in new if n not in batch.schema.names)]
        yield pa.RecordBatch.from_arrays([new[n] if n in new else batch.column(n)
                                          for n in names], names=names)


def normalize_posts(bronze: DataFrame) -> DataFrame:
    """NFKC text without URLs/mentions, language when the source gave none, places mentioned."""
    cols = ["source", "post_id", "created_at", "text", "lang", "fetched_at", "bronze_dt"]
    return bronze.select(*cols).mapInArrow(_normalize_batches, NORMALIZED_SCHEMA)


def assign_jst_date(posts: DataFrame) -> DataFrame:
    """``dt`` from silver on is the JST calendar date of the post itself (timestamps stay UTC)."""
    return posts.withColumn(
        "dt", F.date_format(F.from_utc_timestamp("created_at", "Asia/Tokyo"), "yyyy-MM-dd")
    )


def latest_fetch(posts: DataFrame) -> DataFrame:
    """One row per (source, post_id): a post fetched again (next night, another page) counts once."""
    w = Window.partitionBy("source", "post_id").orderBy(F.col("fetched_at").desc(), F.col("bronze_dt").desc())
    return posts.withColumn("_rank", F.row_number().over(w)).where("_rank = 1").drop("_rank")


def split_by_window(posts: DataFrame, day: str, late_days: int) -> tuple[DataFrame, DataFrame]:
    """(in the run's output window, rejected from bronze ``day`` as too late or too far ahead).

    Posts of bronze ``day`` dated after ``day`` but within ``late_days`` are neither: the run for
    their own date picks them up.
    """
    lo, hi = shift(day, -late_days), day
    inside = posts.where((F.col("dt") >= lo) & (F.col("dt") <= hi))
    newest = posts.where(F.col("bronze_dt") == day)
    too_late = newest.where(F.col("dt") < lo).withColumn(
        "reason", F.lit("late_beyond_lookback")).withColumn(
        "detail", F.concat(F.lit("posted on "), F.col("dt"), F.lit(f", before the lookback start {lo}")))
    too_early = newest.where(F.col("dt") > shift(day, late_days)).withColumn(
        "reason", F.lit("posted_in_future")).withColumn(
        "detail", F.concat(F.lit("posted on "), F.col("dt"), F.lit(f", after {shift(day, late_days)}")))
    return inside, too_late.unionByName(too_early)


def mark_duplicates(posts: DataFrame) -> DataFrame:
    """Exact duplicates of the day (reposts, copy-paste) point at the earliest post with that text.

    Duplicates are kept (``is_duplicate_of`` set) so the raw volume stays auditable; term and gold
    counts use canonical posts only. Duplicates are sought within one JST day so a partition's rows
    depend on that day alone and re-runs reproduce them.
    """
    with_id = posts.withColumn("post_id", F.concat_ws(":", "source", "post_id"))
    w = Window.partitionBy("dt", "text_norm").orderBy("created_at", "post_id")
    first = F.first("post_id").over(w.rowsBetween(Window.unboundedPreceding, Window.currentRow))
    return with_id.withColumn(
        "is_duplicate_of",
        F.when((F.length("text_norm") > 0) & (first != F.col("post_id")), first),
    )


def _enrich_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    from miryoku.text.products import products_of
    from miryoku.text.taxonomy import categories_of, disaster_of
    from miryoku.text.tokenizer import terms_of

    for batch in batches:
        # only text and language cross into Python objects; other columns pass through as Arrow
        terms, categories, products, situations, emotions = [], [], [], [], []
        texts, langs = batch.column("text_norm").to_pylist(), batch.column("lang").to_pylist()
        for text, lang in zip(texts, langs, strict=True):
            found = terms_of(text, lang)
            disaster = disaster_of(text, found)
            terms.append([{"term": t, "lemma": lemma, "pos": pos, "n": n} for t, lemma, pos, n in found])
            categories.append(categories_of(text, found))
            products.append(products_of(text))
            situations.append(disaster["situations"])
            emotions.append(disaster["emotions"])
        new = [pa.array(terms, TERMS_FIELD.type), pa.array(categories, STRINGS), pa.array(products, STRINGS),
               pa.array(situations, STRINGS), pa.array(emotions, STRINGS)]
        yield pa.RecordBatch.from_arrays(
            [*batch.columns, *new],
            names=[*batch.schema.names, "terms", "categories", "products", "disaster_situations",
                   "disaster_emotions"])


def enrich(posts: DataFrame) -> DataFrame:
    """Tokenize once per post and match the dictionaries on the same terms.

    Terms (MeCab, or the English tokenizer for English posts), the leaflet's categories, product
    names and disaster words are all derived in one pass so the tagger runs once per post.
    """
    return posts.select(*ENRICHED_COLUMNS).mapInArrow(_enrich_batches, ENRICHED_SCHEMA)


def to_posts_v1(enriched: DataFrame) -> DataFrame:
    return enriched.select(
        "post_id", "source", F.col("created_at").alias("posted_at"), "dt", "lang", "text_norm",
        "pref_codes", "muni_codes", "categories", "products", "is_duplicate_of",
        "disaster_situations", "disaster_emotions",
    )


def post_terms(enriched: DataFrame) -> DataFrame:
    """One row per distinct term per canonical post (written base form, lemma, exact POS, count)."""
    return (
        enriched.where(F.col("is_duplicate_of").isNull())
        .select("dt", "post_id", F.explode("terms").alias("t"))
        .select("dt", "post_id", "t.term", "t.lemma", "t.pos", "t.n")
    )


def build(bronze: DataFrame, day: str, late_days: int) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(posts_v1, post_terms_v1, rejected) for the run's output window; posts_v1 is cached."""
    normalized = assign_jst_date(latest_fetch(normalize_posts(bronze)))
    inside, rejected = split_by_window(normalized, day, late_days)
    enriched = enrich(mark_duplicates(inside)).cache()
    return to_posts_v1(enriched), post_terms(enriched), rejected


def read_bronze(spark: SparkSession, lake, day: str, late_days: int) -> DataFrame | None:
    from miryoku.lake.publish import published_files

    frames = []
    for bronze_dt in bronze_window(day, late_days):
        files = published_files(lake, "bronze", "sns_posts", bronze_dt)
        if files:
            frame = spark.read.parquet(*[lake.spark_uri(f) for f in files])
            frames.append(frame.withColumn("bronze_dt", F.lit(bronze_dt)))
    if not frames:
        return None
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame, allowMissingColumns=True)
    return out


def run(spark: SparkSession, args) -> dict:
    from miryoku.lake import Lake
    from miryoku.lake.publish import staging_table

    lake = Lake.from_settings(args.lake)
    late = lake.cfg.late_days
    bronze = read_bronze(spark, lake, args.date, late)
    stats = {"window": output_window(args.date, late), "rows_in": 0, "posts": 0, "post_terms": 0,
             "rows_quarantined": 0}
    if bronze is None:
        return stats
    bronze = bronze.repartition(max(2, spark.sparkContext.defaultParallelism)).cache()
    posts, terms, rejected = build(bronze, args.date, late)
    for table, frame in (("posts", posts), ("post_terms", terms)):
        staged = staging_table(args.run_id, "silver", table)
        lake.delete(staged)  # an earlier, killed attempt of this run may have left other partitions
        frame.repartition("dt").write.mode("overwrite").partitionBy("dt").parquet(lake.spark_uri(staged))
    rejected = rejected.select("reason", "detail", "source", F.col("post_id").alias("location"),
                               F.col("text").alias("raw")).cache()
    quarantined = rejected.count()
    quarantine_dir = f"quarantine/posts_v1/dt={args.date}"
    lake.delete(quarantine_dir)
    if quarantined:
        rejected.coalesce(1).write.mode("overwrite").json(lake.spark_uri(quarantine_dir))
    stats.update(rows_in=bronze.count(), posts=posts.count(), post_terms=terms.count(),
                 rows_quarantined=quarantined, duplicates=posts.where("is_duplicate_of is not null").count())
    spark.catalog.clearCache()
    return stats


def main(argv: list[str] | None = None) -> None:
    from miryoku.config import settings
    from miryoku.spark import get_session

    args = job_args(argv)
    print(run(get_session(settings(args.lake), "silver_posts"), args))


if __name__ == "__main__":
    main()
