"""One date of the nightly run on a 2-worker standalone cluster whose workers have no project packages:
the packed environment travels with the job, and the gold rows equal local[2]'s. The nightly DAG run by
the scheduler on such a cluster is a stack drill (tests/stack/test_spark_cluster_drill.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT, gold_rows, job_env, run_date

pytestmark = pytest.mark.cluster

# Asks each executor which interpreter and which miryoku it runs.
PROBE = textwrap.dedent("""
    import json
    from miryoku.config import settings
    from miryoku.spark import get_session

    def where(_):
        import sys
        import MeCab  # noqa: F401  (the shipped MeCab binding loads)
        import miryoku
        return [sys.executable, sys.prefix, miryoku.__file__]

    spark = get_session(settings(), "probe")
    print(json.dumps(spark.sparkContext.parallelize(range(2), 2).map(where).collect()))
""")


def test_one_date_on_the_cluster_gives_the_local_gold_rows(standalone_cluster, spark_env_archive, sources_file,
                                                           local_gold, tmp_path):
    lake = tmp_path / "lake"
    done = run_date(lake, sources_file, MIRYOKU_SPARK_MASTER=standalone_cluster.master,
                    MIRYOKU_SPARK_ENV_ARCHIVE=str(spark_env_archive))
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["gates"] == {"gate_bronze": True, "gate_silver": True, "gate_gold": True}
    assert gold_rows(lake) == local_gold
    # Both workers unpacked the archive for the run's executors.
    unpacked = sorted(standalone_cluster.run_dir.glob("worker-*/app-*/*/env/bin/python"))
    assert {p.parts[-6] for p in unpacked} == {"worker-1", "worker-2"}


def test_executors_run_the_shipped_interpreter(standalone_cluster, spark_env_archive):
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=900,
                          env=job_env(MIRYOKU_SPARK_MASTER=standalone_cluster.master,
                                      MIRYOKU_SPARK_ENV_ARCHIVE=str(spark_env_archive)))
    assert done.returncode == 0, done.stderr[-3000:]
    for executable, prefix, module in json.loads(done.stdout.strip().splitlines()[-1]):
        assert executable.endswith("/env/bin/python")
        assert prefix.startswith(str(standalone_cluster.run_dir)) and prefix.endswith("/env")
        assert module.startswith(prefix) and not module.startswith(str(ROOT))


def test_without_the_archive_the_workers_cannot_import_the_project(standalone_cluster):
    # No archive, and the executors' interpreter left to the workers' PATH: their bare venv.
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=900,
                          env=job_env(MIRYOKU_SPARK_MASTER=standalone_cluster.master,
                                      MIRYOKU_SPARK_ENV_ARCHIVE="none", PYSPARK_PYTHON="python3"))
    assert done.returncode != 0
    assert "No module named 'MeCab'" in done.stderr or "No module named 'miryoku'" in done.stderr
