"""Secondary table (``BENCH_ENRICHMENT=1``): the silver job's mapInArrow enrichment vs a row-at-a-time UDF.

Spark against Spark on one function over cached data — a design check of the job's choice of
``mapInArrow``, not the comparison a user makes (that is the main table). Uses the benchmark corpus
(normalised as silver does) and whatever ``jobs.silver_posts.enrich`` is at the time; if the job no
longer offers that function the table says so instead of failing the run.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from benchmarks import corpus
from benchmarks.report import table

POSTS = 40_000


def _rows(day: str) -> list[tuple]:
    from miryoku.text.normalize import normalize_text

    out = []
    for p in corpus.generate_posts(day, POSTS):
        created = dt.datetime.fromisoformat(p["created_at"])
        out.append((f"file:{p['id']}", "file", created, day, p.get("lang"), normalize_text(p["text"]), [], [], None))
    return out


def section(day: str = "2026-03-02") -> list[str]:
    try:
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        from jobs.silver_posts import ENRICH_IN_SCHEMA, enrich
    except ImportError as exc:
        return ["### Secondary: mapInArrow vs row UDF", "", f"Not measured: {exc}.", ""]
    from miryoku.config import settings
    from miryoku.spark import get_session

    os.environ.setdefault("MIRYOKU_SPARK_MASTER", f"local[{os.cpu_count()}]")
    rows = _rows(day)
    spark = get_session(settings(), "bench-enrichment")
    df = spark.createDataFrame(rows, ENRICH_IN_SCHEMA).repartition(os.cpu_count() or 2).cache()
    df.count()

    def enrich_one(text, lang):
        from miryoku.text.products import products_of
        from miryoku.text.taxonomy import categories_of, disaster_of
        from miryoku.text.tokenizer import terms_of

        found = terms_of(text, lang)
        return len(found) + len(categories_of(text, found)) + len(products_of(text)) + len(
            disaster_of(text, found)["situations"])

    row_udf = F.udf(enrich_one, T.IntegerType(), useArrow=False)
    enrich(df).count()  # Python workers started
    t0 = time.perf_counter()
    enrich(df).where(F.size("terms") >= 0).count()
    arrow = time.perf_counter() - t0
    t0 = time.perf_counter()
    df.select(row_udf("text_norm", "lang").alias("n")).where("n >= 0").count()
    udf = time.perf_counter() - t0
    spark.stop()
    return ["### Secondary: mapInArrow enrichment vs a row-at-a-time UDF (same per-post work)", "",
            *table(["measurement", "posts/s", "ratio"],
                   [["Spark mapInArrow (tagger per worker)", f"{POSTS / arrow:,.0f}", f"{udf / arrow:.2f}× the row UDF"],
                    ["Spark row-at-a-time Python UDF", f"{POSTS / udf:,.0f}", "1.00×"]]), ""]
