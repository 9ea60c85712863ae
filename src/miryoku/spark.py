"""The one way this project builds a SparkSession: master from configuration, UTC, loopback only.

The same builder serves the DAG's tasks, the CLI and the tests, so a job behaves alike everywhere.
``getOrCreate`` means that in one process (``dag.test()`` over many dates, a pytest session) the JVM
starts once.

S3 lakes (``s3a://``) need the hadoop-aws jars of ``infra/jars/spark/`` (``make jars``) on
``spark.jars``, and Spark reads ``spark.jars`` only when the JVM starts: the *first* session of a
process must be built for the S3 lake. A process whose JVM already runs without them gets a clear
error instead of a ``ClassNotFoundException`` deep inside a write; run such work in a fresh process
(the CLI, an Airflow task, a spawned test interpreter). The s3a settings come from
``infra/spark-s3a.json`` through ``miryoku.config.S3Access``; credentials are added at build time only.
"""

from __future__ import annotations

import os
import shutil

from miryoku.config import PROJECT_ROOT, ConfigError, Settings, s3_access

SPARK_JARS_DIR = PROJECT_ROOT / "infra" / "jars" / "spark"


class JavaMissing(RuntimeError):
    pass


def check_java() -> None:
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise JavaMissing("Java 17+ not found: install a JDK (e.g. apt-get install openjdk-17-jre-headless)")


def s3a_jars() -> list[str]:
    jars = sorted(str(p) for p in SPARK_JARS_DIR.glob("*.jar"))
    if not any("hadoop-aws" in j for j in jars):
        raise ConfigError(f"the s3a jars are missing from {SPARK_JARS_DIR}: run `make jars` (infra/fetch-jars.sh)")
    return jars


def _s3_conf(cfg: Settings) -> dict[str, str]:
    """``spark.jars`` plus the s3a settings, with credentials: never log or print this dict.

    ``infra/spark-s3a.json`` pins Spark's classic commit protocol: with spark-hadoop-cloud on the class
    path Spark 4.1+ would switch to the S3A magic committer, which refuses the dynamic partition
    overwrite every job relies on. Jobs write only to the run's staging prefix, so the classic
    commit-by-copy is never seen by readers; publish makes the result visible atomically.
    """
    return {"spark.jars": ",".join(s3a_jars()), **s3_access(cfg).s3a_conf(with_secrets=True)}


def _running_context():
    from pyspark import SparkContext

    return SparkContext._active_spark_context


def _reuse_for_s3(sc, conf: dict[str, str]) -> None:
    """A JVM already runs: it must have the jars; the s3a settings reach its Hadoop configuration."""
    loaded = sc.getConf().get("spark.jars", "")
    if not all(j in loaded for j in conf["spark.jars"].split(",")):
        raise ConfigError("this process's Spark JVM started without the s3a jars (spark.jars applies only at "
                          "JVM start): open the S3 lake's session first, or run it in a fresh process")
    hadoop = sc._jsc.hadoopConfiguration()
    for key, value in conf.items():
        if key.startswith("spark.hadoop."):
            hadoop.set(key[len("spark.hadoop."):], value)


def get_session(cfg: Settings, app_name: str = "miryoku"):
    check_java()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON") or _python())
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.appName(app_name)
        .master(cfg.spark_master)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(cfg.shuffle_partitions))
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        # dt stays the string analysts filter on, never an inferred DateType.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "20000")
        .config("spark.python.worker.reuse", "true")
        .config("spark.sql.parquet.compression.codec", "zstd")
        .config("spark.driver.memory", os.environ.get("MIRYOKU_SPARK_DRIVER_MEMORY", "2g"))
    )
    if cfg.is_s3:
        conf = _s3_conf(cfg)
        if (sc := _running_context()) is not None:
            _reuse_for_s3(sc, conf)
        for key, value in conf.items():
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def _python() -> str:
    import sys

    return sys.executable
