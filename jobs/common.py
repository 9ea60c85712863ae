"""Shared edges of the Spark jobs: argument parsing, date windows, reading existing partitions."""

from __future__ import annotations

import argparse
import datetime as dt


def date_range(start: str, end: str) -> list[str]:
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return [(first + dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def shift(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def output_window(day: str, late_days: int) -> list[str]:
    """The silver/gold partitions a run for ``day`` owns: ``day`` and the ``late_days`` before it."""
    return date_range(shift(day, -late_days), day)


def bronze_window(day: str, late_days: int) -> list[str]:
    """The bronze partitions those outputs can draw from.

    A post dated P can be fetched in bronze P-L … P+L (early clocks, late exports); the run for D
    writes P ∈ [D-L, D], so it reads bronze [D-2L, D].
    """
    return date_range(shift(day, -2 * late_days), day)


def local_frame(spark, rows: list[tuple], schema: str):
    """A small driver-side table (dictionaries, products) as a DataFrame sent through Arrow.

    ``createDataFrame`` of a list of tuples pickles the rows and has a Python worker read them back:
    a job of its own that waits for the workers to start. An Arrow table becomes a local relation in
    the JVM directly."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import to_arrow_schema
    from pyspark.sql.types import StructType

    arrow = to_arrow_schema(StructType.fromDDL(schema))
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in arrow]
    return spark.createDataFrame(pa.table([pa.array(c, f.type) for c, f in zip(columns, arrow, strict=True)],
                                          schema=arrow))


def job_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", required=True, help="logical date YYYY-MM-DD (JST)")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--lake", default=None, help="lake root URI (default: configuration)")
    return parser.parse_args(argv)


def concurrently(calls: dict, workers: int) -> dict:
    """Run independent Spark actions (``name → zero-argument callable``) from a few driver threads and
    return ``name → result``; the first failure is raised once every call has ended.

    A night's writes and gate aggregates are many small jobs whose time is mostly scheduling, commit
    and file listing, not computing: one at a time they leave the cores idle. ``workers`` is the
    lake's ``concurrent_jobs`` (``MIRYOKU_CONCURRENT_JOBS``; 1 runs them one after another). Spark schedules jobs of
    several threads of one session side by side; ``inheritable_thread_target`` keeps each thread's
    JVM-side properties those of the caller (pyspark's pinned-thread mode)."""
    from concurrent.futures import ThreadPoolExecutor

    from pyspark import inheritable_thread_target
    from pyspark.sql import SparkSession

    if len(calls) <= 1 or workers <= 1:
        return {name: call() for name, call in calls.items()}
    try:  # the calling thread's session, else the process's default one (a session built in another thread)
        session = SparkSession.active()
    except Exception:  # no session at all: plain callables
        session = None
    inherit = inheritable_thread_target(session) if session is not None else inheritable_thread_target
    with ThreadPoolExecutor(max_workers=min(workers, len(calls)), thread_name_prefix="spark-job") as pool:
        futures = {name: pool.submit(inherit(call)) for name, call in calls.items()}
    if errors := [e for f in futures.values() if (e := f.exception()) is not None]:
        raise errors[0]
    return {name: future.result() for name, future in futures.items()}
