"""The DAG files are wiring only: they import cleanly, do no work at parse time, and set their metadata."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["pyspark", "great_expectations", "MeCab", "duckdb", "pandas", "miryoku.pipeline", "jobs"]

PARSE_PROBE = r"""
import json, os, socket, sys
opened, connects = [], []
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        path = args[0]
        if not path.endswith((".py", ".pyc", ".so", ".pth")) and "__pycache__" not in path \
                and not path.startswith((sys.prefix, sys.base_prefix, "/proc", "/dev", "/etc", "/usr/share/zoneinfo")):
            opened.append(path)
    if event == "socket.connect":
        connects.append(str(args[1]))
from airflow.dag_processing.dagbag import DagBag  # noqa: E402  (imports Airflow before auditing)
before = set(sys.modules)
sys.addaudithook(hook)
bag = DagBag(dag_folder=sys.argv[1])
opened = [p for p in opened if not p.startswith(sys.argv[1]) and "airflow" not in p]
print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()},
                  "dags": sorted(bag.dag_ids), "opened": opened, "connects": connects,
                  "new_modules": sorted(set(sys.modules) - before)}))
"""


@pytest.fixture(scope="module")
def parse():
    out = subprocess.run([sys.executable, "-c", PARSE_PROBE, str(ROOT / "dags")],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_no_import_errors(parse):
    assert parse["errors"] == {}
    assert "miryoku_nightly" in parse["dags"]


def test_no_heavy_imports_file_or_network_io_at_parse_time(parse):
    loaded = [m for m in parse["new_modules"] if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert loaded == []
    assert parse["connects"] == []
    assert parse["opened"] == []


def test_every_task_has_owner_retries_and_the_dag_tags_and_docs(dagbag):
    for dag in dagbag.dags.values():
        assert dag.tags, dag.dag_id
        assert dag.doc_md and len(dag.doc_md) > 100
        for task in dag.tasks:
            assert task.owner == "miryoku-data", task.task_id
            assert task.retries >= 1, task.task_id


def test_nightly_schedule_is_daily_after_midnight_jst_with_catchup(dagbag):
    dag = dagbag.dags["miryoku_nightly"]
    assert dag.catchup is True
    assert "0 0 * * *" in dag.timetable.summary
    assert str(dag.timezone.name) == "Asia/Tokyo"


def test_nightly_task_graph_is_ingest_gate_silver_gate_gold_gate_publish(dagbag):
    dag = dagbag.dags["miryoku_nightly"]
    chain = ["ingest", "gate_bronze", "build_silver", "gate_silver", "build_gold", "gate_gold", "publish", "finish"]
    for upstream, downstream in zip(chain, chain[1:], strict=False):
        assert downstream in dag.get_task(upstream).downstream_task_ids
