"""The one way this project builds a SparkSession: master from configuration, UTC, loopback only.

The same builder serves the DAG's tasks, the CLI and the tests, so a job behaves alike everywhere.
``getOrCreate`` means that in one process (``dag.test()`` over many dates, a pytest session) the JVM
starts once.
"""

from __future__ import annotations

import os
import shutil

from miryoku.config import Settings


class JavaMissing(RuntimeError):
    pass


def check_java() -> None:
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise JavaMissing("Java 17+ not found: install a JDK (e.g. apt-get install openjdk-17-jre-headless)")


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
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def _python() -> str:
    import sys

    return sys.executable
