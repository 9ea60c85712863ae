"""bronze ``sns_posts_v1`` → silver ``posts_v1`` / ``post_terms_v1`` and the gold daily aggregates.

Incremental: each bronze (date, source) folder is enriched — normalised, tokenized with MeCab, matched
against the dictionaries — **once**, when it is published, into ``silver/posts_enriched_v1``, an
internal table partitioned by the *post's* JST date with one folder per bronze origin
(``dt=P/<bronze date>~<source>/``). A silver day P is then rebuilt from ``dt=P`` alone (every
origin that ever brought a post dated P, late ones included), so re-running any date keeps the
late posts a later run brought, and a night costs the day's data, not the lake's history.

The day's duplicates are decided by ``jobs.day_posts`` on a narrow projection, so the wide enriched
rows are read, not shuffled. The day build keeps the per-post term arrays and computes, in the same
Spark job, the gold daily tables and the daily partial aggregates that the monthly tables are summed from
(``jobs.gold_daily``). Transforms are pure DataFrame → DataFrame functions; ``run`` is the edge.
MeCab runs inside ``mapInArrow``: each Python worker builds its Tagger once (a Tagger cannot be
pickled).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.common import job_args, local_frame, shift
from jobs.day_posts import build_day_narrow, exceptions, with_file_row

STRINGS = pa.list_(pa.string())
TERMS_TYPE = pa.list_(pa.struct([("term", pa.string()), ("lemma", pa.string()), ("pos", pa.string()),
                                 ("n", pa.int32())]))
BRONZE_COLUMNS = ["source", "post_id", "created_at", "text", "lang", "author_key", "fetched_at", "checksum"]
TEXT_COLUMNS = (
    "text_norm string, pref_codes array<string>, muni_codes array<string>, is_repost boolean, "
    "terms array<struct<term: string, lemma: string, pos: string, n: int>>, categories array<string>, "
    "products array<string>, disaster_situations array<string>, disaster_emotions array<string>"
)
ENRICHED_SCHEMA = (
    "source string, post_id string, created_at timestamp, dt string, lang string, author_key string, "
    "fetched_at timestamp, checksum string, bronze_dt string, page string, " + TEXT_COLUMNS
)
POSTS_V1 = ["post_id", "source", "posted_at", "dt", "lang", "text_norm", "pref_codes", "muni_codes", "categories",
            "products", "is_duplicate_of", "disaster_situations", "disaster_emotions"]


def _terms_array(per_post: list[list[tuple]]) -> pa.Array:
    """Each post's (term, lemma, pos, n) tuples as one Arrow list<struct> column, built from flat
    columns — converting millions of small dicts one by one would cost as much as tokenizing."""
    offsets, count = [0], 0
    for found in per_post:
        count += len(found)
        offsets.append(count)
    flat = list(chain.from_iterable(per_post))
    # one comprehension per field: zip(*flat) would pass every tuple as an argument (10x slower)
    fields = [[t[i] for t in flat] for i in range(4)]
    struct = pa.StructArray.from_arrays(
        [pa.array(fields[0], pa.string()), pa.array(fields[1], pa.string()), pa.array(fields[2], pa.string()),
         pa.array(fields[3], pa.int32())], fields=list(TERMS_TYPE.value_type))
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), struct)


def _text_columns(texts: list, langs: list) -> dict[str, pa.Array]:
    """Everything silver derives from a post's text, in one pass per post (the tagger runs once)."""
    from miryoku.text.enrich import enrich_batch

    out = enrich_batch(texts, langs)
    return {
        "lang": pa.array(out["lang"], pa.string()),
        "text_norm": pa.array(out["text_norm"], pa.string()),
        "pref_codes": pa.array(out["pref_codes"], STRINGS),
        "muni_codes": pa.array(out["muni_codes"], STRINGS),
        "is_repost": pa.array(out["is_repost"], pa.bool_()),
        "terms": _terms_array(out["terms"]),
        "categories": pa.array(out["categories"], STRINGS),
        "products": pa.array(out["products"], STRINGS),
        "disaster_situations": pa.array(out["disaster_situations"], STRINGS),
        "disaster_emotions": pa.array(out["disaster_emotions"], STRINGS),
    }


_OUTPUT_NAMES = ["source", "post_id", "created_at", "dt", "lang", "author_key", "fetched_at", "checksum",
                 "bronze_dt", "page", "text_norm", "pref_codes", "muni_codes", "is_repost", "terms", "categories",
                 "products", "disaster_situations", "disaster_emotions"]


def assign_jst_date(posts: DataFrame) -> DataFrame:
    """``dt`` from silver on is the JST calendar date of the post itself (timestamps stay UTC)."""
    return posts.withColumn(
        "dt", F.date_format(F.from_utc_timestamp("created_at", "Asia/Tokyo"), "yyyy-MM-dd")
    )


def to_posts_v1(day: DataFrame) -> DataFrame:
    return day.select(*POSTS_V1)


def post_terms(day: DataFrame) -> DataFrame:
    """One row per distinct term per canonical post (written base form, lemma, exact POS, count)."""
    return (
        day.where(F.col("is_duplicate_of").isNull())
        .select("dt", "post_id", F.explode("terms").alias("t"))
        .select("dt", "post_id", "t.term", "t.lemma", "t.pos", "t.n")
    )


# --- the edge: read bronze, enrich what is new, rebuild the touched days, stage for the gates -----------
def _bronze_frame(spark: SparkSession, lake, pending) -> DataFrame | None:
    from miryoku.lake.enriched import bronze_files

    frames = []
    for origin, _ in pending:
        if files := bronze_files(lake, origin):
            frame = spark.read.parquet(*[lake.spark_uri(f) for f in files]).select(*BRONZE_COLUMNS)
            frames.append(frame.withColumn("bronze_dt", F.lit(origin.bronze_dt))
                          .withColumn("origin", F.lit(origin.key)))
    if not frames:
        return None
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


class CorruptBronze(RuntimeError):
    """A published bronze file of a folder to enrich cannot be read; nothing was enriched or published."""


def check_bronze_readable(lake, pending) -> dict[str, int]:
    """Read the footer of every bronze file about to be enriched and return their rows per origin; an unreadable one (truncated by a full
    disk, overwritten, not Parquet) is recorded under ``quarantine/bronze_files_v1/dt=<bronze date>/``
    with its path and the reader's error, and the step stops before any Spark job: its folder's
    watermark stays where it was, so the next run of that date, which ingests the landing files
    again into a new bronze version, enriches it. Spark would otherwise fail deep inside the job, or
    with ``ignoreCorruptFiles`` drop the file's posts without a word."""
    from miryoku.lake import enriched as store
    from miryoku.lake.quarantine import Rejected, write_quarantine

    problems, rows = [], {}
    for origin, _ in pending:
        bad = []
        rows[origin.key] = 0
        for rel in store.bronze_files(lake, origin):
            try:
                rows[origin.key] += _file_rows(lake, rel)
            except Exception as exc:  # pyarrow raises ArrowInvalid, OSError … for a broken file
                bad.append(Rejected.of("unreadable_parquet", f"{type(exc).__name__}: {exc}", origin.source, rel, ""))
        write_quarantine(lake, "bronze_files", origin.bronze_dt, origin.source, bad)  # [] clears an old entry
        if bad:
            problems += [f"bronze dt={origin.bronze_dt} source={origin.source}: {r.location} ({r.detail})" for r in bad]
    if problems:
        raise CorruptBronze("unreadable bronze Parquet, nothing enriched or published:\n  " + "\n  ".join(problems)
                            + "\nre-run each date named to ingest its landing files again "
                              "(quarantine/bronze_files_v1/ lists the files)")
    return rows


def unreadable_store_origins(lake, days: list[str]) -> list:
    """The store origins of ``days`` with a file whose footer cannot be read (truncated by a full
    disk, overwritten), each recorded under ``quarantine/posts_enriched_files_v1/dt=<post date>/``.

    The store is derived data: such an origin is enriched again from its bronze folder in this run,
    and its folders are republished whole, so a damaged store file costs one re-tokenization of one
    bronze folder instead of a failed night (Spark would otherwise fail reading it, or drop it)."""
    from miryoku.lake import enriched as store
    from miryoku.lake.publish import published_files
    from miryoku.lake.quarantine import Rejected, write_quarantine

    broken = {}
    for day in days:
        bad: dict = {}
        for rel in published_files(lake, "silver", store.TABLE, day):
            try:
                _file_rows(lake, rel)
            except Exception as exc:  # pyarrow raises ArrowInvalid, OSError … for a broken file
                key = _origin_key(rel)
                origin = store.Origin(key[:10], key[11:])
                bad.setdefault(origin.source, []).append(Rejected.of(
                    "unreadable_parquet", f"{type(exc).__name__}: {exc}; enriched again from bronze "
                    f"dt={origin.bronze_dt}", origin.source, rel, ""))
                if (version := store.bronze_version(lake, origin)) is None:
                    raise CorruptBronze(f"the enriched store file {rel} is unreadable ({exc}) and its bronze "
                                        f"folder dt={origin.bronze_dt} source={origin.source} is not published: "
                                        "re-run that date to ingest its landing files again") from exc
                broken[origin] = version
        for source, rows in bad.items():
            write_quarantine(lake, "posts_enriched_files", day, source, rows)
    return sorted(broken.items(), key=lambda kv: kv[0].key)


def _enrich_pending(spark: SparkSession, lake, run_id: str, day: str, late_days: int, pending,
                    enriched_before: frozenset = frozenset()) -> dict:
    """Tokenize the bronze folders not yet enriched; publish their rows into the store by post date.

    ``enriched_before``: origin keys enriched once already (a damaged store folder enriched again):
    their posts beyond the lookback were quarantined the first time and are not again, and their
    rows are not counted as the run's input a second time."""
    import time

    from miryoku.lake import enriched as store
    from miryoku.lake.publish import publish_source, staging_table

    bronze_rows = check_bronze_readable(lake, pending)
    stats = {"rows_in": 0, "rows_quarantined": 0, "enriched": 0, "tokenize_seconds": 0.0, "origins": []}
    bronze = _bronze_frame(spark, lake, pending)
    quarantine_dir = f"quarantine/posts_v1/dt={day}"
    lake.delete(quarantine_dir)
    if bronze is None:
        return stats
    dated = assign_jst_date(bronze)
    lo, hi = F.date_sub(F.to_date("bronze_dt"), late_days), F.date_add(F.to_date("bronze_dt"), late_days)
    in_range = (F.to_date("dt") >= lo) & (F.to_date("dt") <= hi)
    staged = staging_table(run_id, "silver", store.TABLE)
    lake.delete(staged)  # an earlier, killed attempt of this run may have left other partitions
    parallelism = max(2, spark.sparkContext.defaultParallelism)
    t0 = time.perf_counter()
    wanted = dated.where(in_range)
    if wanted.rdd.getNumPartitions() < parallelism:  # a few large files: spread them over every core
        wanted = wanted.repartition(parallelism * 2)
    (enrich(wanted)
     .write.mode("overwrite").partitionBy("dt", "origin").parquet(lake.spark_uri(staged)))
    stats["tokenize_seconds"] = round(time.perf_counter() - t0, 3)
    written = _rows_by_origin(lake, staged)
    stats["enriched"] = sum(written.values())
    quarantined = sum(n - written.get(k, 0) for k, n in bronze_rows.items() if k not in enriched_before)
    if quarantined:
        rejected = dated.where(~in_range & ~F.col("origin").isin(sorted(enriched_before))).select(
            F.when(F.to_date("dt") < lo, F.lit("late_beyond_lookback")).otherwise(F.lit("posted_in_future"))
            .alias("reason"),
            F.concat(F.lit("posted on "), F.col("dt"), F.lit(", bronze date "), F.col("bronze_dt"),
                     F.lit(f", more than {late_days} day(s) apart")).alias("detail"),
            "source", F.col("post_id").alias("location"), F.col("text").alias("raw"))
        rejected.coalesce(1).write.mode("overwrite").json(lake.spark_uri(quarantine_dir))
    counts = {(r["dt"], r["origin"]) for r in _staged_partitions(lake, staged)}
    for origin, version in pending:
        old = store.load_watermark(lake, origin)
        dates = sorted(d for d, o in counts if o == origin.key)
        for post_dt in dates:
            publish_source(lake, run_id, run_id, store.TABLE, post_dt, f"origin={origin.key}", layer="silver")
        for gone in set(old.get("dates", [])) - set(dates):
            store.drop_origin(lake, gone, origin)
        store.save_watermark(lake, origin, {"bronze_version": version, "dates": sorted(set(dates) | set(
            old.get("dates", []))), "current_dates": dates, "silver_run": None})
        stats["origins"].append(origin.key)
    stats["rows_quarantined"] = quarantined
    stats["rows_in"] = stats["enriched"] - sum(written.get(k, 0) for k in enriched_before) + quarantined
    stats["tokenized_posts"] = stats["enriched"]
    lake.delete(staged)
    return stats


def _origin_key(rel: str) -> str:
    """The ``origin=`` value of a store or staged file's path."""
    return next(seg for seg in rel.split("/") if seg.startswith("origin="))[len("origin="):]


def _rows_by_origin(lake, staged: str) -> dict[str, int]:
    """Rows Spark wrote under ``staged`` per ``origin=`` folder, from the files' footers."""
    out: dict[str, int] = {}
    for rel in lake.files(staged, ".parquet"):
        key = _origin_key(rel)
        out[key] = out.get(key, 0) + _file_rows(lake, rel)
    return out


def _staged_partitions(lake, staged: str) -> list[dict]:
    """(dt, origin) of every partition folder Spark wrote under ``staged``."""
    out = []
    for dt_dir in lake.listdir(staged):
        if dt_dir.startswith("dt="):
            out += [{"dt": dt_dir[3:], "origin": o[len("origin="):]}
                    for o in lake.listdir(f"{staged}/{dt_dir}") if o.startswith("origin=")]
    return out


def enrich(bronze: DataFrame) -> DataFrame:
    """Bronze rows with ``dt``, ``bronze_dt`` and ``origin`` → enriched rows (``origin`` kept)."""
    pages = F.regexp_extract(F.input_file_name(), r"([^/]+)\.parquet$", 1)
    prepared = bronze.withColumn("page", pages)
    keep = prepared.select(*BRONZE_COLUMNS, "dt", "bronze_dt", "page", "origin")
    return keep.mapInArrow(_enrich_batches, ENRICHED_SCHEMA + ", origin string")


def _enrich_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    names = [*_OUTPUT_NAMES, "origin"]
    for batch in batches:
        # only text and language become Python objects; every other column passes through as Arrow
        new = _text_columns(batch.column("text").to_pylist(), batch.column("lang").to_pylist())
        yield pa.RecordBatch.from_arrays([new[n] if n in new else batch.column(n) for n in names], names=names)


def touched_days(lake, day: str, late_days: int, enriched_now: list[str]) -> tuple[list[str], list]:
    """The post dates this run rebuilds: ``day`` and every date ≤ ``day`` of an origin whose silver is
    not yet published (enriched now, or left by a failed run); and those origins."""
    from jobs.common import date_range
    from miryoku.lake import enriched as store

    days, origins = {day}, []
    for origin in store.bronze_origins(lake, date_range(shift(day, -late_days), day)):
        mark = store.load_watermark(lake, origin)
        if mark and (mark.get("silver_run") is None or origin.key in enriched_now):
            origins.append(origin)
            days |= {d for d in mark.get("dates", []) if d <= day}
    return sorted(days), origins


def read_days(spark: SparkSession, lake, days: list[str]) -> DataFrame | None:
    from miryoku.lake.enriched import TABLE
    from miryoku.lake.publish import published_files

    files = [f for d in days for f in published_files(lake, "silver", TABLE, d)]
    if not files:
        return None
    return with_file_row(spark.read.option("basePath", lake.spark_uri(lake.table_dir("silver", TABLE)))
                         .parquet(*[lake.spark_uri(f) for f in files]).drop("origin"))


def run(spark: SparkSession, args) -> dict:
    """Enrich new bronze, rebuild the touched silver days with their gold daily tables, stage them all."""
    import time

    from pyspark import StorageLevel

    from jobs.common import concurrently, date_range
    from miryoku.lake import Lake
    from miryoku.lake import enriched as store
    from miryoku.lake.plan import write_plan
    from miryoku.lake.publish import staging_table

    lake = Lake.from_settings(args.lake)
    late = lake.cfg.late_days
    t0 = time.perf_counter()
    pending, _ = store.plan(lake, date_range(shift(args.date, -late), args.date))
    # every day this run can rebuild: the window's origins feed post dates down to D - 2L
    damaged = [(o, v) for o, v in unreadable_store_origins(lake, date_range(shift(args.date, -2 * late), args.date))
               if o not in {p for p, _ in pending}]
    stats = _enrich_pending(spark, lake, args.run_id, args.date, late, pending + damaged,
                            frozenset(o.key for o, _ in damaged))
    stats["reenriched_damaged"] = [o.key for o, _ in damaged]
    days, origins = touched_days(lake, args.date, late, stats["origins"])
    stats.update(days=days, rebuilt_origins=[o.key for o in origins], posts=0, post_terms=0, duplicates=0)
    enriched = read_days(spark, lake, days)
    t1 = time.perf_counter()
    outputs: dict[str, DataFrame] = {}
    if enriched is not None:
        decided = exceptions(enriched).persist(StorageLevel.MEMORY_AND_DISK)
        decided.count()  # materialised first, so every output's plan broadcasts it
        day_rows = build_day_narrow(enriched, decided).persist(StorageLevel.MEMORY_AND_DISK)
        counting = day_rows.groupBy("dt").agg(F.count(F.lit(1)).alias("posts"),
                                              F.count("is_duplicate_of").alias("dups"))
        # the counts fill the cache; the driver plans the outputs meanwhile (a second on a small night)
        counted = concurrently({"counts": counting.collect, "plans": lambda: _plan_outputs(spark, day_rows)}, 2)
        per_day = {r["dt"]: (r["posts"], r["dups"]) for r in counted["counts"]}
        stats["posts"] = sum(p for p, _ in per_day.values())
        stats["duplicates"] = sum(d for _, d in per_day.values())
        stats["posts_per_day"] = {d: p for d, (p, _) in sorted(per_day.items())}
        outputs = counted["plans"]
    def stage(layer: str, table: str, frame: DataFrame):
        staged = staging_table(args.run_id, layer, table)
        lake.delete(staged)
        return lambda: frame.write.mode("overwrite").partitionBy("dt").parquet(lake.spark_uri(staged))

    concurrently({key: stage(*key.split("/"), frame) for key, frame in outputs.items()}, lake.cfg.concurrent_jobs)
    stats["post_terms"] = _rows_written(lake, staging_table(args.run_id, "silver", "post_terms")) \
        if outputs else 0
    write_plan(lake, args.run_id, {"date": args.date, "days": days, "months": sorted({d[:7] for d in days}),
                                   "origins": [o.key for o in origins],
                                   "origin_refs": [[o.bronze_dt, o.source] for o in origins]})
    spark.catalog.clearCache()
    stats.update(enrich_seconds=round(t1 - t0, 3), build_seconds=round(time.perf_counter() - t1, 3))
    return stats


def _plan_outputs(spark: SparkSession, day_rows: DataFrame) -> dict[str, DataFrame]:
    """The day's staged outputs (``layer/table`` → frame), written from the persisted day's
    partitions: a few files per day, no further shuffle."""
    from jobs import gold_daily

    outputs = {"silver/posts": to_posts_v1(day_rows), "silver/post_terms": post_terms(day_rows)}
    names, anchors, items = gold_daily_dictionaries(spark)
    for table, frame in gold_daily.daily_tables(day_rows, names, anchors, items).items():
        outputs[f"gold/{table}"] = frame.persist() if table == "term_daily" else frame  # read twice
    return outputs


def _file_rows(lake, rel: str) -> int:
    import pyarrow.parquet as pq

    with lake.fs.open_input_file(lake.path(rel)) as fh:
        return pq.ParquetFile(fh).metadata.num_rows


def _rows_written(lake, staged: str) -> int:
    """Rows of the Parquet files under ``staged``, from their footers (no data read)."""
    return sum(_file_rows(lake, f) for f in lake.files(staged, ".parquet"))


def gold_daily_dictionaries(spark: SparkSession) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(place names, anchors, item terms) as small DataFrames broadcast to the executors."""
    from jobs.gold_daily import ANCHORS_SCHEMA, ITEM_TERMS_SCHEMA, PLACE_NAMES_SCHEMA, item_terms, place_names
    from miryoku.text.products import derived_terms

    names = local_frame(spark, [(n,) for n in sorted(place_names())], PLACE_NAMES_SCHEMA)
    anchors = local_frame(spark, [(a, d) for a, ds in derived_terms().items() for d in (ds or [None])],
                          ANCHORS_SCHEMA)
    items = local_frame(spark, sorted(item_terms()), ITEM_TERMS_SCHEMA)
    return names, anchors, items


def main(argv: list[str] | None = None) -> None:
    from miryoku.config import settings
    from miryoku.spark import get_session

    args = job_args(argv)
    print(run(get_session(settings(args.lake), "silver_posts"), args))


if __name__ == "__main__":
    main()
