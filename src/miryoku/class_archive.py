"""The local driver JVM's class-data-sharing (CDS) archive: Spark's classes mapped, not loaded.

A night on a local master is a hundred short Spark jobs in one fresh JVM, and on a 1,000-post date
that JVM spends more CPU starting itself — loading, parsing and verifying tens of thousands of classes
from Spark's jars, then compiling them — than in the jobs (BENCHMARKS.md, "Class-data sharing"). A
dynamic CDS archive (JDK 13+) holds those classes already parsed and verified; a JVM started with
``-XX:SharedArchiveFile`` maps it.

The archive is made the way the JVM records one: by running a night — the packaged sample source,
one date, in a temporary lake — in a JVM started with ``-XX:ArchiveClassesAtExit``, which writes the
classes the night loaded when it exits. So this command runs the night in its own process, stops
Spark, and waits for its JVM to exit before moving the archive into place.

The archive is only valid for the JDK and the class path (this environment's pyspark jars) that made
it: a JVM given another's refuses it with one warning and runs without. It therefore lives in the
environment (``<venv>/share/miryoku/``, ``MIRYOKU_SPARK_CLASS_ARCHIVE``) and ``make`` remakes it when
the lock file changes. Cluster JVMs never use it.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

TRAINING_DATE = "2026-01-05"
JVM_EXIT_SECONDS = 300


class ArchiveFailed(RuntimeError):
    pass


def _stop_jvm() -> None:
    """Stop Spark and wait for this process's JVM to exit: it writes the archive on its way out."""
    from pyspark import SparkContext

    if (sc := SparkContext._active_spark_context) is not None:
        sc.stop()
    gateway = SparkContext._gateway
    if gateway is None or getattr(gateway, "proc", None) is None:
        raise ArchiveFailed("this process's JVM was not started by pyspark; cannot wait for its archive")
    gateway.proc.stdin.close()  # the gateway JVM exits at end of input
    gateway.proc.wait(timeout=JVM_EXIT_SECONDS)
    # close py4j's side now rather than at interpreter exit, so whatever it logs comes before the report
    gateway.close()
    SparkContext._gateway = SparkContext._jvm = None


def build(out: Path) -> dict:
    """Run one sample night with the archive being recorded; return its path, size and the seconds."""
    from miryoku.pipeline import run_all
    from miryoku.spark import LOCAL_JVM_OPTIONS, _running_context

    if _running_context() is not None:
        raise ArchiveFailed("a Spark JVM already runs in this process: make the archive in a fresh one")
    out.parent.mkdir(parents=True, exist_ok=True)
    recording = out.with_name(out.name + ".recording")
    recording.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="miryoku-class-archive-") as lake:
        os.environ.update(
            MIRYOKU_ENV="local", MIRYOKU_LAKE=lake, MIRYOKU_SPARK_CLASS_ARCHIVE="none", MIRYOKU_SPARK_MASTER="local[*]",
            MIRYOKU_SPARK_CONF=json.dumps({"spark.driver.extraJavaOptions":
                                           f"{LOCAL_JVM_OPTIONS} -XX:ArchiveClassesAtExit={recording} -Xlog:cds*=error"}))
        summary = run_all(TRAINING_DATE, f"class_archive__{TRAINING_DATE}", ["sample"], lake)
        _stop_jvm()
    if summary.get("state") != "success":
        raise ArchiveFailed(f"the sample night did not succeed ({summary.get('state')}); no archive made")
    if not recording.is_file() or recording.stat().st_size == 0:
        raise ArchiveFailed(f"the JVM wrote no archive at {recording} (a JDK without dynamic CDS?)")
    os.replace(recording, out)
    return {"archive": str(out), "bytes": out.stat().st_size, "seconds": round(time.perf_counter() - t0, 1)}
