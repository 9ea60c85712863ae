"""``make bench``: tokenization and enrichment throughput, as ratios against baselines in the same run.

Wall-clock numbers vary ±20 % between runs on shared machines, so the goals are ratios measured in
one process on the same input:
- Spark ``mapInArrow`` enrichment (one tagger per Python worker, per-batch loop) vs. a row-at-a-time
  Python UDF doing the same tokenization — the job's design choice;
- the same enrichment vs. a single-process Python loop (the ceiling of one core);
- the tagger built once per process vs. once per post (why the tagger is cached).
Results are appended to BENCHMARKS.md with the date, the machine's cores and the input size.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAYS = int(os.environ.get("BENCH_DAYS", "40"))
POSTS_PER_DAY = int(os.environ.get("BENCH_POSTS_PER_DAY", "1000"))


def sample_rows() -> list[tuple]:
    from miryoku.sources.sample import generate
    from miryoku.text.normalize import normalize_text

    start = dt.date(2026, 1, 1)
    rows = []
    for i in range(DAYS):
        day = (start + dt.timedelta(days=i)).isoformat()
        for p in generate(day, POSTS_PER_DAY):
            rows.append((f"s:{p['id']}", "sample", dt.datetime.fromisoformat(p["created_at"]), day, p["lang"],
                         normalize_text(p["text"]), [], [], None))
    return rows


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def python_loop(rows) -> int:
    """The enrichment's per-post work in one Python process: the single-core reference."""
    from miryoku.text.products import products_of
    from miryoku.text.taxonomy import categories_of, disaster_of
    from miryoku.text.tokenizer import terms_of

    total = 0
    for r in rows:
        found = terms_of(r[5], r[4])
        total += len(categories_of(r[5], found)) + len(products_of(r[5])) + len(disaster_of(r[5], found))
    return total


def per_post_tagger(rows, limit: int = 2000) -> float:
    """Seconds per post when a Tagger is built for every post (measured on ``limit`` posts)."""
    import MeCab

    from miryoku.text import tokenizer

    args = tokenizer.tagger.__wrapped__  # the uncached builder
    t0 = time.perf_counter()
    for r in rows[:limit]:
        tagger = args()
        tagger.parse(r[5])
        del tagger
    _ = MeCab
    return (time.perf_counter() - t0) / limit


def cached_tagger(rows, limit: int = 2000) -> float:
    from miryoku.text.tokenizer import tagger

    t0 = time.perf_counter()
    for r in rows[:limit]:
        tagger().parse(r[5])
    return (time.perf_counter() - t0) / limit


def spark_runs(rows) -> dict[str, float]:
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from jobs.silver_posts import ENRICH_IN_SCHEMA, enrich
    from miryoku.config import settings
    from miryoku.spark import get_session

    spark = get_session(settings(), "bench")
    df = spark.createDataFrame(rows, ENRICH_IN_SCHEMA).repartition(4).cache()
    df.count()

    def enrich_one(text, lang):
        """The same per-post work as the job's enrichment, one row at a time."""
        from miryoku.text.products import products_of
        from miryoku.text.taxonomy import categories_of, disaster_of
        from miryoku.text.tokenizer import terms_of

        found = terms_of(text, lang)
        return len(found) + len(categories_of(text, found)) + len(products_of(text)) + len(
            disaster_of(text, found)["situations"])

    row_udf = F.udf(enrich_one, T.IntegerType(), useArrow=False)
    enrich(df).count()  # warm the Python workers
    t_arrow, _ = timed(lambda: enrich(df).where(F.size("terms") >= 0).count())
    t_udf, _ = timed(lambda: df.select(row_udf("text_norm", "lang").alias("n")).where("n >= 0").count())
    spark.stop()
    return {"mapInArrow": t_arrow, "row_udf": t_udf}


def main() -> int:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("MIRYOKU_SPARK_MASTER", "local[2]")
    rows = sample_rows()
    n = len(rows)
    t_loop, _ = timed(lambda: python_loop(rows))
    per_post, cached = per_post_tagger(rows), cached_tagger(rows)
    spark = spark_runs(rows)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"## {dt.date.today().isoformat()} — {n:,} sample posts, {os.cpu_count()} cores, Spark local[2]",
        "",
        "| measurement | posts/s | ratio |",
        "|---|---:|---:|",
        f"| enrichment, Spark mapInArrow (tagger per worker) | {n / spark['mapInArrow']:,.0f} | "
        f"{spark['row_udf'] / spark['mapInArrow']:.2f}× the row UDF |",
        f"| enrichment, Spark row-at-a-time Python UDF (baseline) | {n / spark['row_udf']:,.0f} | 1.00× |",
        f"| enrichment, one Python process (one core, no Spark) | {n / t_loop:,.0f} | "
        f"mapInArrow = {t_loop / spark['mapInArrow']:.2f}× of it |",
        f"| MeCab parse, tagger cached per process | {1 / cached:,.0f} | "
        f"{per_post / cached:.1f}× faster than a tagger per post |",
        f"| MeCab parse, tagger built per post (baseline) | {1 / per_post:,.0f} | 1.00× |",
        "",
        f"Driver peak RSS: {rss_mb:,.0f} MB.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    bench = ROOT / "BENCHMARKS.md"
    head = bench.read_text("utf-8") if bench.exists() else (
        "# Benchmarks\n\nRun with `make bench`. Goals are ratios against a baseline measured in the same run; "
        "absolute rates vary ±20 % between runs on shared 2-core machines.\n\n"
        "Goals: the mapInArrow enrichment (tokenize + dictionaries, one pass) at least 1.2× a row-at-a-time "
        "UDF doing the same work; a cached tagger ≥ 10× faster than one built per post.\n\n")
    bench.write_text(head + report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
