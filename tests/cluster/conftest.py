"""Fixtures for the cluster tests: a private Spark standalone cluster from infra/spark on free loopback
ports (started and stopped by its scripts, by PID), the packed executor environment, and one date of the
sample run on local[2] to compare the cluster's gold rows with."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds
import pytest
import spark_cluster

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATE = "2026-01-09"
GOLD_TABLES = ["category_daily_v1", "cooccurrence_monthly_v1", "pref_daily_v1", "product_volume_daily_v1",
               "shipment_buzz_monthly_v1", "term_daily_v1"]
# A small corpus: the synthetic posts of one day and the synthetic shipments.
SOURCES_TOML = """
[sources.sample]
kind = "sample"
enabled = true
posts_per_day = 150

[sources.sample_shipments]
kind = "sample_shipments"
enabled = true
"""


def job_env(**extra: str) -> dict[str, str]:
    """The environment of a spawned run: this venv's tools first, loopback Spark, small memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIRYOKU_", "PYSPARK_"))}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", SPARK_LOCAL_IP="127.0.0.1", MIRYOKU_ENV="local",
               MIRYOKU_SHUFFLE_PARTITIONS="2", MIRYOKU_SPARK_DRIVER_MEMORY="1g", GX_ANALYTICS_ENABLED="False")
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def spark_env_archive() -> Path:
    """``make spark-env``: a no-op when the archive is newer than the lock and every shipped source."""
    subprocess.run(["make", "-s", "spark-env"], cwd=ROOT, check=True)
    return ROOT / "build" / "spark-env.tar.gz"


@pytest.fixture(scope="session")
def sources_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sources") / "sources.toml"
    path.write_text(SOURCES_TOML, "utf-8")
    return path


@pytest.fixture(scope="session")
def standalone_cluster(tmp_path_factory, spark_env_archive):
    with spark_cluster.standalone_cluster(tmp_path_factory.mktemp("spark-cluster"), job_env(), BIN) as cluster:
        yield cluster


def run_date(lake: Path, sources_file: Path, **env: str) -> subprocess.CompletedProcess:
    """``miryoku run`` for DATE over the small corpus, in a fresh process."""
    return subprocess.run([str(BIN / "miryoku"), "run", "--date", DATE, "--lake", str(lake), "--run-id", "t1"],
                          env=job_env(MIRYOKU_SOURCES_FILE=str(sources_file), **env),
                          capture_output=True, text=True, timeout=1800)


def gold_rows(lake: Path) -> dict[str, list[tuple]]:
    """Every published gold table's rows, as sorted tuples of strings (order-free comparison)."""
    rows = {}
    for table in sorted(p.name for p in (lake / "gold").iterdir() if not p.name.startswith("partial_")):
        data = ds.dataset(lake / "gold" / table, format="parquet", partitioning="hive").to_table()
        rows[table] = sorted(tuple(str(v) for v in r.values()) for r in data.to_pylist())
    return rows


@pytest.fixture(scope="session")
def local_gold(tmp_path_factory, sources_file) -> dict[str, list[tuple]]:
    lake = tmp_path_factory.mktemp("local") / "lake"
    done = run_date(lake, sources_file, MIRYOKU_SPARK_MASTER="local[2]")
    assert done.returncode == 0, done.stderr[-3000:]
    rows = gold_rows(lake)
    assert sorted(rows) == GOLD_TABLES and all(rows.values())
    return rows
