"""One date of the nightly run on a 2-worker standalone cluster whose workers have no project packages:
the packed environment travels with the job, and the gold rows equal local[2]'s."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import BIN, DATE, ROOT, gold_rows, job_env, run_date

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


def test_spark_submit_operator_runs_the_spark_steps_on_the_cluster(standalone_cluster, spark_env_archive,
                                                                   sources_file, local_gold, tmp_path):
    """The Airflow wiring: SparkSubmitOperator with the kwargs of miryoku.spark_submit and a Spark
    connection pointing at the cluster; the other steps run in-process as their tasks would."""
    lake = tmp_path / "lake"
    script = textwrap.dedent(f"""
        from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
        from miryoku import pipeline
        from miryoku.spark_submit import submit_kwargs

        dt, run_id, lake = {DATE!r}, "t1", {str(lake)!r}
        names = pipeline.source_names(lake)
        for name in names:
            pipeline.ingest(name, dt, run_id, lake)
        pipeline.gate_bronze(dt, run_id, lake)
        pipeline.conform_stats(dt, run_id, lake)
        for step, gate in (("build_silver", pipeline.gate_silver), ("build_gold", pipeline.gate_gold)):
            operator = SparkSubmitOperator(**submit_kwargs(step, dt=dt, run_id=run_id, lake=lake))
            operator.pre_execute({{}})
            operator.execute({{}})
            gate(dt, run_id, lake)
        pipeline.publish(dt, run_id, lake)
        pipeline.finish(dt, run_id, names, lake)
        print("steps done")
    """)
    env = job_env(AIRFLOW_CONN_SPARK_DEFAULT=standalone_cluster.master, AIRFLOW_HOME=str(tmp_path / "airflow"),
                  MIRYOKU_SOURCES_FILE=str(sources_file), MIRYOKU_SPARK_ENV_ARCHIVE=str(spark_env_archive))
    # A file, not `python -c`: importing great_expectations from -c exits the process with status 0.
    (tmp_path / "steps.py").write_text(script, "utf-8")
    done = subprocess.run([str(BIN / "python"), str(tmp_path / "steps.py")], capture_output=True, text=True,
                          timeout=1800, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "steps done" in done.stdout.splitlines()  # py4j may log its shutdown after it
    assert gold_rows(lake) == local_gold
    summary = json.loads((lake / "_runs" / f"dt={DATE}" / "t1" / "summary.json").read_text())
    assert {"build_silver", "build_gold"} <= set(summary["steps"])
