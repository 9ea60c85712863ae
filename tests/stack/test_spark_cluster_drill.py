"""The nightly DAG, run by the stack's scheduler, with its Spark connection pointed at a standalone
cluster: what moves a deployment from this machine to a cluster is the connection, edited like an
operator edits it in the Airflow UI (here through the REST API), and nothing else.

The cluster's workers have no project packages: the builds and gates carry the packed environment
(``make spark-env``). The task processes keep a ``local`` master for the in-process steps, so the
five applications the workers record — two builds, three gates — are the Spark work of the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as pads
import pytest
import spark_cluster
from drill_lake import gold_rows, write_posts

pytestmark = [pytest.mark.stack, pytest.mark.cluster]

DAG = "miryoku_nightly"
SPARK_CONN = "spark_default"
DAY = "2026-01-12"
# Hand-written posts beside the synthetic day and shipments (which cover every gold table); ほたて
# appears only in the hand-written ones: (pref_code) -> distinct posts, counted by hand, "00" = Japan.
TEXTS = ["青森のほたて", "佐賀のほたてと城"]
HOTATE = {"00": 2, "02": 1, "41": 1}
SOURCES = ["file", "sample", "sample_shipments"]
GOLD_TABLES = ["category_daily_v1", "cooccurrence_monthly_v1", "pref_daily_v1", "product_volume_daily_v1",
               "shipment_buzz_monthly_v1", "term_daily_v1"]
SPARK_STEPS = ("gate_bronze", "build_silver", "gate_silver", "build_gold", "gate_gold")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIRYOKU_", "PYSPARK_"))}
    with spark_cluster.standalone_cluster(tmp_path_factory.mktemp("spark-cluster"), env,
                                          Path(sys.executable).parent) as running:
        yield running


def test_the_scheduler_runs_a_night_on_the_cluster_once_the_connection_points_there(stack, api, cluster):
    lake, reference = stack.lake.parent / "cluster-lake", stack.lake.parent / "cluster-reference-lake"
    for folder in (lake, reference):
        write_posts(folder, DAY, TEXTS)
    before = cluster.applications()
    local = api.connection(SPARK_CONN)
    assert (local["conn_type"], local["host"]) == ("spark", "local[*]")  # what ``stack.py up`` created
    api.patch_connection(SPARK_CONN, {"conn_type": "spark", "host": f"spark://{cluster.host}", "port": cluster.port})
    try:
        run_id = api.trigger(DAG, DAY, {"lake": str(lake), "sources": SOURCES})
        run = api.wait(DAG, run_id, timeout=1200)
    finally:
        api.patch_connection(SPARK_CONN, {k: local[k] for k in ("conn_type", "host", "port", "extra", "description")})
    states = api.task_states(DAG, run_id)
    assert run["state"] == "success", states
    assert all(states[step] == "success" for step in SPARK_STEPS)
    # One application per build and per gate, each with executors on the workers, which unpacked the
    # shipped environment for them.
    apps = cluster.applications() - before
    assert len(apps) == len(SPARK_STEPS), sorted(apps)
    assert {p.parts[-6] for p in cluster.run_dir.glob("worker-*/app-*/*/env/bin/python")} == {"worker-1", "worker-2"}
    terms = pads.dataset(str(lake / "gold" / "term_daily_v1" / f"dt={DAY}"), format="parquet").to_table().to_pylist()
    assert {r["pref_code"]: r["posts"] for r in terms if r["term"] == "ほたて"} == HOTATE
    summary = json.loads(next((lake / "_runs" / f"dt={DAY}").glob("*/summary.json")).read_text())
    assert summary["gates"] == {"gate_bronze": True, "gate_silver": True, "gate_gold": True}
    # The same date on local Spark (``miryoku run``) publishes the same rows.
    subprocess.run([str(Path(sys.executable).parent / "miryoku"), "run", "--date", DAY, "--lake", str(reference),
                    "--sources", ",".join(SOURCES)], env=stack.env, check=True, capture_output=True, timeout=900)
    published = gold_rows(lake)
    assert all(published.get(table) for table in GOLD_TABLES), sorted(published)
    assert published == gold_rows(reference)
