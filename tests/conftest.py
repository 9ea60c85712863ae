"""Shared test set-up: loopback-only Spark, a project-local Airflow home, one SparkSession per session."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW_HOME = ROOT / ".airflow-test"

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ["AIRFLOW_HOME"] = str(AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__API__HOST"] = "127.0.0.1"
os.environ["GX_ANALYTICS_ENABLED"] = "False"
os.environ["MIRYOKU_ENV"] = "local"
os.environ.setdefault("MIRYOKU_SPARK_MASTER", "local[2]")
os.environ["MIRYOKU_SHUFFLE_PARTITIONS"] = "2"
os.environ["PYSPARK_PYTHON"] = sys.executable
# DAG runs submit their Spark steps with spark-submit (the venv's) through the embedded Spark connection.
os.environ.setdefault("AIRFLOW_CONN_SPARK_DEFAULT", '{"conn_type": "spark", "host": "local[2]"}')
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.pop("MIRYOKU_LAKE", None)


@pytest.fixture
def lake(tmp_path):
    from miryoku.lake import Lake

    return Lake.from_settings(str(tmp_path / "lake"))


@pytest.fixture(scope="session")
def spark():
    from miryoku.config import settings
    from miryoku.spark import get_session

    session = get_session(settings(), "miryoku-tests")
    yield session
    # py4j logs at interpreter exit, after pytest has closed its capture streams.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    session.stop()


@pytest.fixture(scope="session")
def airflow_db():
    """A migrated SQLite metadata DB under the project-local test AIRFLOW_HOME (dag.test needs one)."""
    AIRFLOW_HOME.mkdir(exist_ok=True)
    # Always migrate: it is idempotent, and repairs an empty DB file left by a bare Airflow import.
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], check=True,
                   stdout=subprocess.DEVNULL, env=os.environ.copy())
    return AIRFLOW_HOME
