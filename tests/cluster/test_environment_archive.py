"""A job whose environment archive is missing fails at once with one line naming `make spark-env`;
the spark-submit arguments come from configuration. No cluster is needed: nothing reaches Spark."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import job_env

from miryoku.config import ConfigError, settings

pytestmark = pytest.mark.cluster


def _expected(missing) -> str:
    return (f"the Spark executor environment {missing} is missing: run `make spark-env` "
            "(or set MIRYOKU_SPARK_ENV_ARCHIVE)")


def test_a_cluster_job_without_the_archive_fails_with_one_line(tmp_path):
    missing = tmp_path / "spark-env.tar.gz"
    done = subprocess.run(
        [sys.executable, "-m", "jobs.silver_posts", "--date", "2026-01-09", "--run-id", "r1",
         "--lake", str(tmp_path / "lake")], capture_output=True, text=True, timeout=300,
        env=job_env(MIRYOKU_SPARK_MASTER="spark://127.0.0.1:7", MIRYOKU_SPARK_ENV_ARCHIVE=str(missing)))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"miryoku.config.ConfigError: {_expected(missing)}"


def test_the_operator_checks_the_archive_when_its_task_runs(tmp_path, monkeypatch):
    from miryoku.spark_submit import submit_kwargs

    missing = tmp_path / "env.tar.gz"
    monkeypatch.setenv("MIRYOKU_SPARK_ENV_ARCHIVE", str(missing))
    kwargs = submit_kwargs("build_silver")  # parsing a DAG file never fails on a missing build artefact
    assert kwargs["archives"] == f"{missing}#env"
    with pytest.raises(ConfigError) as failure:
        kwargs["pre_execute"]({})
    assert str(failure.value) == _expected(missing)


def test_submit_kwargs_come_from_configuration(tmp_path, monkeypatch):
    from miryoku.spark_submit import submit_kwargs

    archive = tmp_path / "env.tar.gz"
    archive.write_bytes(b"")
    jars = tmp_path / "jars"
    jars.mkdir()
    (jars / "hadoop-aws-3.5.0.jar").write_bytes(b"")
    (jars / "bundle-2.35.4.jar").write_bytes(b"")
    monkeypatch.setenv("MIRYOKU_SPARK_ENV_ARCHIVE", str(archive))
    monkeypatch.setenv("MIRYOKU_SPARK_JARS_DIR", str(jars))
    monkeypatch.setenv("MIRYOKU_SPARK_CONN_ID", "spark_emr")
    monkeypatch.setenv("MIRYOKU_SPARK_DRIVER_HOST", "")
    monkeypatch.setenv("MIRYOKU_SPARK_DRIVER_PYTHON", "./env/bin/python")
    monkeypatch.setenv("MIRYOKU_SPARK_CONF", '{"spark.executor.memory": "4g", "spark.executor.cores": 2}')
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-for-the-command-line")
    kwargs = submit_kwargs("build_gold", dt="2026-01-09", run_id="r1", lake="s3://b/lake", s3=True)
    assert kwargs["conn_id"] == "spark_emr"
    assert kwargs["name"] == "miryoku_build_gold"
    assert kwargs["application"].endswith("/miryoku/spark_submit.py")
    assert kwargs["application_args"] == ["build_gold", "--date", "2026-01-09", "--run-id", "r1",
                                          "--lake", "s3://b/lake"]
    assert kwargs["archives"] == f"{archive}#env"
    assert kwargs["jars"] == f"{jars / 'bundle-2.35.4.jar'},{jars / 'hadoop-aws-3.5.0.jar'}"
    assert kwargs["conf"] == {"spark.pyspark.python": "./env/bin/python",
                              "spark.pyspark.driver.python": "./env/bin/python",
                              "spark.executor.memory": "4g", "spark.executor.cores": "2"}
    assert "not-for-the-command-line" not in repr(kwargs)


def test_driver_address_defaults_to_loopback_and_is_configurable(monkeypatch):
    from miryoku.spark import driver_conf

    assert driver_conf(settings()) == {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    monkeypatch.setenv("MIRYOKU_SPARK_DRIVER_HOST", "10.1.2.3")
    monkeypatch.setenv("MIRYOKU_SPARK_BIND_ADDRESS", "0.0.0.0")
    assert driver_conf(settings()) == {"spark.driver.host": "10.1.2.3", "spark.driver.bindAddress": "0.0.0.0"}


def test_executors_get_the_archive_only_off_local(tmp_path, monkeypatch):
    from miryoku.spark import embedded_conf

    archive = tmp_path / "env.tar.gz"
    archive.write_bytes(b"")
    monkeypatch.setenv("MIRYOKU_SPARK_ENV_ARCHIVE", str(archive))
    monkeypatch.setenv("MIRYOKU_SPARK_MASTER", "local[2]")
    assert "spark.archives" not in embedded_conf(settings())
    monkeypatch.setenv("MIRYOKU_SPARK_MASTER", "spark://127.0.0.1:7077")
    conf = embedded_conf(settings())
    assert conf["spark.archives"] == f"{archive}#env"
    assert conf["spark.pyspark.python"] == "./env/bin/python"
    monkeypatch.setenv("MIRYOKU_SPARK_ENV_ARCHIVE", "s3://deploy/miryoku/spark-env.tar.gz")
    assert embedded_conf(settings())["spark.archives"] == "s3://deploy/miryoku/spark-env.tar.gz#env"
