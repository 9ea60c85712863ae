"""The nightly run's Spark steps as ``spark-submit`` jobs: the operator's arguments, and the application.

A DAG file stays wiring: it calls ``submit_kwargs("build_silver")`` and hands the result to the Airflow
Spark provider's ``SparkSubmitOperator``. Master, deploy mode, queue and the ``spark-submit`` binary
come from the Airflow Spark connection (``MIRYOKU_SPARK_CONN_ID``, default ``spark_default``);
resources and any other Spark setting from ``MIRYOKU_SPARK_CONF`` (a JSON object); the environment
archive, the executors' interpreter, the driver's address and the s3a jars from ``miryoku.config``.

The application submitted is this file. Run by ``spark-submit`` it calls ``miryoku.pipeline.<step>``
— a build or a gate — (which builds its session through ``miryoku.spark.get_session``, so the
submitter's conf wins, and records the step under ``_runs/`` like every other task; a failed gate
keeps its failing expectations there and exits with status 3; any other failure writes its one-line
reason where ``MIRYOKU_STEP_REASON_FILE`` says, for the operator of ``miryoku.submitted_step``), e.g.::

    spark-submit --master spark://127.0.0.1:7077 --archives build/spark-env.tar.gz#env \\
      --conf spark.pyspark.python=./env/bin/python --conf spark.pyspark.driver.python=.venv/bin/python \\
      src/miryoku/spark_submit.py build_silver --date 2026-01-14 --run-id manual__1

Credentials never go into these arguments: the operator logs its command line, and on YARN and
Kubernetes ``env_vars`` become ``--conf`` arguments. A client-mode driver inherits them from the
worker's environment; a cluster-mode driver gets them from the cluster's role (docs/cluster.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from miryoku.config import ConfigError, Settings, settings
from miryoku.failure import keep_reason
from miryoku.spark import (
    ENV_ALIAS,
    EXECUTOR_PYTHON,
    driver_conf,
    env_archive_uri,
    local_jvm_options,
    s3a_jars,
)

# The pipeline's Spark steps (functions of miryoku.pipeline taking dt, run_id, lake): the builds and
# the gates, which validate staged partitions inside Spark.
BUILD_STEPS = ("build_silver", "build_gold", "build_disaster")
GATE_STEPS = ("gate_bronze", "gate_silver", "gate_gold", "gate_disaster")
SPARK_STEPS = BUILD_STEPS + GATE_STEPS
EXIT_CONFIG, EXIT_GATE_FAILED = 2, 3

# Non-secret settings the submitted driver reads like any other task (miryoku.config).
PASSED_SETTINGS = ("MIRYOKU_ENV", "MIRYOKU_LAKE", "MIRYOKU_LATE_DAYS", "MIRYOKU_MAX_TEXT_CHARS",
                   "MIRYOKU_SHUFFLE_PARTITIONS", "MIRYOKU_CONCURRENT_JOBS", "MIRYOKU_S3_ENDPOINT", "AWS_REGION",
                   "MIRYOKU_SOURCES_FILE", "MIRYOKU_SPARK_DRIVER_HOST", "MIRYOKU_SPARK_BIND_ADDRESS")


def submit_conf(cfg: Settings) -> dict[str, str]:
    """``--conf`` pairs of a submitted step: the executors' interpreter inside the archive, the
    driver's interpreter and address, then ``MIRYOKU_SPARK_CONF`` (which wins)."""
    conf: dict[str, str] = {}
    if cfg.spark.ships_env:
        conf["spark.pyspark.python"] = EXECUTOR_PYTHON
    # Client mode runs the driver here, with this interpreter; cluster mode sets ./env/bin/python.
    conf["spark.pyspark.driver.python"] = cfg.spark.driver_python or sys.executable
    conf.update(driver_conf(cfg))
    conf.update(cfg.spark.extra_conf)
    return conf


def check_env_archive(context=None) -> None:
    """The operator's ``pre_execute``: the archive must exist before ``spark-submit`` is called.

    The master is known only now, from the Spark connection: a ``local`` master runs the executors in
    this worker's own Python, so the archive and its relative interpreter path are dropped, and the
    JVM gets the local options (``miryoku.spark.local_jvm_options``) unless the conf names its own.
    """
    task = (context or {}).get("task")
    if task is not None and _connection_master(task).startswith("local"):
        task.conf = {"spark.driver.extraJavaOptions": local_jvm_options(settings(), _night_posts(task)),
                     **{k: v for k, v in (task.conf or {}).items() if k != "spark.pyspark.python"}}
        task._archives = None
        return
    env_archive_uri(settings(), check=True)


def _night_posts(task) -> int:
    """The night's expected posts (``miryoku.night_size``) for the rendered ``--date`` and ``--lake``."""
    from miryoku.lake import Lake
    from miryoku.night_size import expected_posts

    args = list(getattr(task, "application_args", None) or [])
    value = {k: v for k, v in zip(args, args[1:], strict=False) if k in ("--date", "--lake")}
    if "--date" not in value:
        return 0
    return expected_posts(Lake.from_settings(value.get("--lake") or None), value["--date"])


def _connection_master(task) -> str:
    from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook

    return str(SparkSubmitHook(conn_id=task._conn_id)._connection.get("master") or "")


def submit_kwargs(step: str, *, dt: str = "{{ ds }}", run_id: str = "{{ run_id }}",
                  lake: str = "{{ params.lake }}", publish: bool = True, s3: bool | None = None,
                  cfg: Settings | None = None) -> dict:
    """Keyword arguments of ``SparkSubmitOperator`` for the pipeline step ``step``.

    ``dt``, ``run_id`` and ``lake`` are templated by default (the operator renders ``application_args``);
    an empty rendered lake means the configured one. ``publish=False`` gates bronze without publishing
    it (the disaster watch). ``s3`` adds the s3a jars (default: the configured lake is on S3).
    ``pre_execute`` fails the task with a ``ConfigError`` naming ``make spark-env`` when the archive
    is missing.
    """
    if step not in SPARK_STEPS:
        raise ValueError(f"{step!r} is not a Spark step; one of {', '.join(SPARK_STEPS)}")
    if not publish and step != "gate_bronze":
        raise ValueError("only gate_bronze publishes what it gates")
    cfg = cfg or settings()
    kwargs: dict = {
        "task_id": step,
        "conn_id": cfg.spark.conn_id,
        "application": str(Path(__file__).resolve()),
        "application_args": [step, "--date", dt, "--run-id", run_id, "--lake", lake,
                             *([] if publish else ["--no-publish"])],
        "name": f"miryoku_{step}",
        "conf": submit_conf(cfg),
        "env_vars": {k: os.environ[k] for k in PASSED_SETTINGS if os.environ.get(k)},
    }
    if cfg.spark.ships_env:
        # Checked when the task runs, not when the DAG file is parsed: a worker without the archive
        # fails its task with the one-line error instead of breaking the DAG's import.
        kwargs["archives"] = f"{env_archive_uri(cfg, check=False)}#{ENV_ALIAS}"
        kwargs["pre_execute"] = check_env_archive
    if cfg.is_s3 if s3 is None else s3:
        kwargs["jars"] = ",".join(s3a_jars(cfg))
    return kwargs


def main(argv: list[str] | None = None) -> int:
    """The submitted application: one pipeline step, in the driver ``spark-submit`` started."""
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]  # run as a file: its folder must not shadow top-level modules
    parser = argparse.ArgumentParser(prog="miryoku.spark_submit")
    parser.add_argument("step", choices=SPARK_STEPS)
    parser.add_argument("--date", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--lake", default="")
    parser.add_argument("--no-publish", dest="publish", action="store_false",
                        help="gate_bronze: validate the staged bronze without publishing it")
    args = parser.parse_args(argv)
    from miryoku import pipeline
    from miryoku.quality.gate import GateFailed

    step = getattr(pipeline, args.step)
    options = {} if args.publish else {"publish": False}
    try:
        stats = step(args.date, args.run_id, args.lake or None, **options)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except GateFailed as exc:  # kept in the step record too: the submitting task reports it from there
        print(f"gate failed:\n{exc}", file=sys.stderr)
        return EXIT_GATE_FAILED
    except Exception as exc:
        keep_reason(exc)  # spark-submit passes on only the exit status: the operator reads the reason back
        raise
    print(stats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
