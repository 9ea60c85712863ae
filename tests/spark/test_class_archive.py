"""``miryoku jvm-archive`` records a class-data-sharing archive that a local driver JVM really maps.

Both halves run in fresh processes: the archive is written by a JVM on its way out, and this pytest
process may already hold a JVM. The JVM that uses the archive runs with ``-Xshare:on``, which makes a
JVM that cannot map it fail to start, and logs where each class came from.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.spark

USE_ARCHIVE = textwrap.dedent("""
    import json, os, sys
    from miryoku.config import settings
    from miryoku.spark import get_session, local_jvm_options
    options = local_jvm_options(settings())
    assert "-XX:SharedArchiveFile=" in options, options
    os.environ["MIRYOKU_SPARK_CONF"] = json.dumps(
        {"spark.driver.extraJavaOptions": options + " -Xshare:on -Xlog:class+load=info:file=" + sys.argv[1]})
    spark = get_session(settings(), "class_archive_check")
    print(spark.range(1000).selectExpr("sum(id) as s").collect()[0]["s"])
""")


def _env(tmp_path: Path, archive: Path) -> dict:
    # (an in-process dag.test earlier in the session leaves Airflow's task context in os.environ)
    env = {k: v for k, v in os.environ.items() if k != "MIRYOKU_SPARK_CONF" and not k.startswith("AIRFLOW_CTX_")}
    env.update(MIRYOKU_SPARK_CLASS_ARCHIVE=str(archive), MIRYOKU_LAKE=str(tmp_path / "lake"),
               MIRYOKU_SPARK_MASTER="local[2]", SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable)
    return env


def test_recorded_archive_is_mapped_by_a_local_driver_jvm(tmp_path):
    archive = tmp_path / "share" / "driver.jsa"
    miryoku = Path(sys.executable).with_name("miryoku")
    made = subprocess.run([str(miryoku), "jvm-archive", "--output", str(archive)], env=_env(tmp_path, archive),
                          capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr[-3000:]
    report = json.loads(made.stdout.strip().splitlines()[-1])  # the report is the last line, after any log
    assert report["archive"] == str(archive) and report["bytes"] == archive.stat().st_size > 10_000_000
    assert not list(archive.parent.glob("*.recording"))

    class_log = tmp_path / "classes.log"
    used = subprocess.run([sys.executable, "-c", USE_ARCHIVE, str(class_log)], env=_env(tmp_path, archive),
                          capture_output=True, text=True, timeout=300)
    assert used.returncode == 0, used.stderr[-3000:]
    assert used.stdout.strip().splitlines()[-1] == str(sum(range(1000)))
    loaded = class_log.read_text("utf-8", errors="replace")
    # Spark's own classes come from the recorded (top) layer, not from its jars
    assert "org.apache.spark.SparkContext source: shared objects file (top)" in loaded
    # (the other lines are lambdas and generated classes, defined by a class rather than read from a jar)
    spark_classes = [line for line in loaded.splitlines() if "] org.apache.spark." in line]
    mapped = [line for line in spark_classes if line.endswith("source: shared objects file (top)")]
    from_jars = [line for line in spark_classes if " source: file:" in line or " source: jar:" in line]
    assert len(mapped) > 1000 and len(from_jars) < 0.05 * len(mapped), (len(mapped), len(from_jars))
