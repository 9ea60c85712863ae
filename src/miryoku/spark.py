"""The one way this project builds a SparkSession: master from configuration, UTC, loopback by default.

The same builder serves the DAG's tasks, the CLI, the jobs' ``main()`` under ``spark-submit`` and the
tests, so a job behaves alike everywhere. ``getOrCreate`` means that in one process (``dag.test()``
over many dates, a pytest session) the JVM starts once.

Three ways a session comes about:

- **embedded, local** (``local[*]``, the default): executors are threads of this JVM and Python
  workers run this interpreter; nothing is shipped.
- **embedded, cluster** (``miryoku run`` with ``MIRYOKU_SPARK_MASTER=spark://…``, ``yarn``, ``k8s://…``):
  this process is the driver (client mode). The packed environment (``make spark-env``) travels as
  ``spark.archives=<archive>#env`` and executors run ``./env/bin/python``, so they need neither this
  checkout nor this venv. The driver's host and bind address come from configuration.
- **submitted** (``spark-submit`` launched this Python process, e.g. the Airflow SparkSubmitOperator):
  the submitter's conf — master, deploy mode, resources, archives, driver address — wins; this module
  only fills the lake's session defaults the submitter left unset.

S3 lakes (``s3a://``) need the hadoop-aws jars (``MIRYOKU_SPARK_JARS_DIR``, ``make jars``) on
``spark.jars``, and Spark reads ``spark.jars`` only when the JVM starts: the *first* session of a
process must be built for the S3 lake. A process whose JVM already runs without them gets a clear
error instead of a ``ClassNotFoundException`` deep inside a write; run such work in a fresh process
(the CLI, an Airflow task, a spawned test interpreter). The s3a settings come from the package's
``miryoku/conf/spark-s3a.json`` through ``miryoku.config.S3Access``; credentials are added at build
time only, as Spark conf of this process (never on a command line).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from miryoku.config import ConfigError, Settings, s3_access

# Where the archive is unpacked in each executor's working directory, and the interpreter inside it.
ENV_ALIAS = "env"
EXECUTOR_PYTHON = f"./{ENV_ALIAS}/bin/python"


class JavaMissing(RuntimeError):
    pass


def check_java() -> None:
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise JavaMissing("Java 17+ not found: install a JDK (e.g. apt-get install openjdk-17-jre-headless)")


def is_local_master(master: str) -> bool:
    return master == "local" or master.startswith("local[")


def s3a_jars(cfg: Settings) -> list[str]:
    folder = Path(cfg.spark.jars_dir)
    jars = sorted(str(p) for p in folder.glob("*.jar"))
    if not any("hadoop-aws" in Path(j).name for j in jars):
        raise ConfigError(f"the s3a jars are missing from {folder}: run `make jars` (infra/fetch-jars.sh) "
                          "or point MIRYOKU_SPARK_JARS_DIR at them")
    return jars


def env_archive_uri(cfg: Settings, check: bool = True) -> str:
    """The environment archive as Spark should fetch it; with ``check`` a local one must exist (a
    one-line ``ConfigError`` naming ``make spark-env`` if not)."""
    archive = cfg.spark.env_archive
    if "://" in archive and not archive.startswith("file://"):
        return archive  # s3://, hdfs://, gs://, https://: the cluster fetches it, we cannot check here
    path = Path(archive.removeprefix("file://")).expanduser().resolve()
    if check and not path.is_file():
        raise ConfigError(f"the Spark executor environment {path} is missing: run `make spark-env` "
                          "(or set MIRYOKU_SPARK_ENV_ARCHIVE)")
    return str(path)


def executor_env_conf(cfg: Settings) -> dict[str, str]:
    """What makes executors run the shipped environment: the archive and the interpreter inside it."""
    if not cfg.spark.ships_env:
        return {}
    return {"spark.archives": f"{env_archive_uri(cfg)}#{ENV_ALIAS}", "spark.pyspark.python": EXECUTOR_PYTHON}


def driver_conf(cfg: Settings) -> dict[str, str]:
    """The driver's advertised host and bind address; an empty setting leaves Spark's own choice."""
    conf = {}
    if cfg.spark.driver_host:
        conf["spark.driver.host"] = cfg.spark.driver_host
    if cfg.spark.bind_address:
        conf["spark.driver.bindAddress"] = cfg.spark.bind_address
    return conf


def session_defaults(cfg: Settings) -> dict[str, str]:
    """The lake's own session settings, the same in every placement."""
    return {
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(cfg.shuffle_partitions),
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        # dt stays the string analysts filter on, never an inferred DateType.
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        "spark.sql.execution.arrow.maxRecordsPerBatch": "20000",
        "spark.python.worker.reuse": "true",
        "spark.sql.parquet.compression.codec": "zstd",
    }


def _s3_conf(cfg: Settings, jars: bool = True) -> tuple[dict[str, str], dict[str, str]]:
    """The s3a settings as (public, secret): ``spark.jars`` and endpoint/committer settings, then the
    keys alone. Only the public half may reach a command line; never log the secret half.

    ``spark-s3a.json`` pins Spark's classic commit protocol: with spark-hadoop-cloud on the class
    path Spark 4.1+ would switch to the S3A magic committer, which refuses the dynamic partition
    overwrite every job relies on. Jobs write only to the run's staging prefix, so the classic
    commit-by-copy is never seen by readers; publish makes the result visible atomically.
    """
    access = s3_access(cfg)
    public = access.s3a_conf(with_secrets=False)
    secret = {k: v for k, v in access.s3a_conf(with_secrets=True).items() if k not in public}
    if jars:
        public = {"spark.jars": ",".join(s3a_jars(cfg)), **public}
    return public, secret


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


def submitted() -> bool:
    """True when ``spark-submit`` started this Python process: its JVM is already up with the
    submitter's conf, and pyspark connects to it through ``PYSPARK_GATEWAY_PORT``."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _submitted_conf() -> dict[str, str]:
    from pyspark import SparkConf, SparkContext

    SparkContext._ensure_initialized()  # connects to the submitter's JVM; its spark.* properties load
    return dict(SparkConf().getAll())


# A local-master night runs its Spark jobs in one JVM on the cores its tasks and Python workers need.
# Which compilers pay depends on the night's size (BENCHMARKS.md, "The JIT by night size"): on a
# 1,000-post night C1 alone (``-XX:TieredStopAtLevel=1``) took a third less JVM CPU than the full
# tiered JIT, whose C2 compiler spends its first seconds on code a small night runs a few times; on
# a 1M-post night C2's code cut the JVM's CPU from 430–450 s to 244 s and the night from 325–330 s
# to 209 s. The throughput collector's stop-the-world pauses use every core, where the serial one
# left a 100k-post night paused on one core for seconds. Cluster executors keep the JVM's defaults;
# ``spark.driver.extraJavaOptions`` in ``MIRYOKU_SPARK_CONF`` replaces these.
LOCAL_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC"
BIG_NIGHT_JVM_OPTIONS = "-XX:+UseParallelGC"  # from ``cfg.spark.big_night_posts`` on (MIRYOKU_BIG_NIGHT_POSTS)


def local_jvm_options(cfg: Settings, posts: int = 0) -> str:
    """The local JVM's options for a night expected to carry ``posts`` posts
    (``miryoku.night_size``), plus the class-data-sharing archive when this environment has one
    (``miryoku.class_archive``): the JVM then maps Spark's classes instead of loading them. An archive
    made by another JDK or class path is refused by the JVM with one warning, and the night runs
    without it."""
    options = BIG_NIGHT_JVM_OPTIONS if posts >= cfg.spark.big_night_posts else LOCAL_JVM_OPTIONS
    archive = cfg.spark.class_archive
    if archive.lower() != "none" and Path(archive).is_file():
        return f"{options} -XX:SharedArchiveFile={archive}"
    return options


def embedded_conf(cfg: Settings, posts: int = 0) -> dict[str, str]:
    """Everything an in-process session is built with, credentials excluded (safe to log);
    ``posts``: the night's expected size, for the local JVM's options."""
    conf = {"spark.master": cfg.spark_master, **driver_conf(cfg), "spark.ui.enabled": "false",
            "spark.driver.memory": cfg.spark.driver_memory, **session_defaults(cfg)}
    if is_local_master(cfg.spark_master):
        conf["spark.driver.extraJavaOptions"] = local_jvm_options(cfg, posts)
    else:
        conf.update(executor_env_conf(cfg))
    conf.update(cfg.spark.extra_conf)
    return conf


def _launch_jvm(public: dict[str, str]) -> None:
    """Start this process's JVM with the public conf only. pyspark passes the conf it launches with as
    ``--conf k=v`` arguments of ``spark-submit`` (visible in ``ps``); settings given afterwards travel
    over py4j, so credentials never appear on a command line."""
    from pyspark import SparkConf, SparkContext

    if SparkContext._gateway is None:
        SparkContext._ensure_initialized(conf=SparkConf(loadDefaults=False).setAll(list(public.items())))


def get_session(cfg: Settings, app_name: str = "miryoku", night_posts: Callable[[], int] | None = None):
    """This process's session; ``night_posts`` estimates the night's size, asked only when the
    session starts a local JVM (its compilers are chosen then)."""
    check_java()
    os.environ.setdefault("SPARK_LOCAL_IP", cfg.spark.bind_address or "127.0.0.1")
    secret: dict[str, str] = {}
    if submitted():
        preset = _submitted_conf()
        conf = {k: v for k, v in {**session_defaults(cfg), **cfg.spark.extra_conf}.items() if k not in preset}
        if cfg.is_s3:
            if "hadoop-aws" not in preset.get("spark.jars", ""):
                raise ConfigError("an S3 lake's job must be submitted with the s3a jars (--jars, "
                                  "MIRYOKU_SPARK_JARS_DIR): miryoku.spark_submit adds them")
            public, secret = _s3_conf(cfg, jars=False)
            conf.update(public)
    else:
        launching = _running_context() is None and is_local_master(cfg.spark_master)
        conf = embedded_conf(cfg, night_posts() if launching and night_posts else 0)
        if cfg.is_s3:
            public, secret = _s3_conf(cfg)
            if (sc := _running_context()) is not None:
                _reuse_for_s3(sc, {**public, **secret})
            conf.update(public)
        # pyspark takes the executors' interpreter from PYSPARK_PYTHON when the context starts; the
        # shipped one exists only inside each executor's working directory.
        os.environ["PYSPARK_PYTHON"] = (conf.get("spark.pyspark.python") or os.environ.get("PYSPARK_PYTHON")
                                        or sys.executable)
        _launch_jvm(conf)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    for key, value in {**conf, **secret}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark
