"""The hourly disaster watch publishes its gold table and nothing else: the nightly run is the one
writer of published bronze, so the two DAGs never swap a partition under each other."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.spark]


def test_the_watch_publishes_only_disaster_hourly(sample_lake):
    day = "2026-01-10"  # the sample lake's last nightly date, watched at 21:00 JST
    bronze = sample_lake.files(f"_published/bronze/sns_posts_v1/dt={day}", ".json")
    assert bronze
    # every published bronze folder of the watched day is the nightly run's, none the watch's
    assert {sample_lake.read_json(m)["run_id"] for m in bronze} == {f"test-{day}"}
    hourly = sample_lake.read_json(f"_published/gold/disaster_hourly_v1/dt={day}.json")
    assert hourly["run_id"] != f"test-{day}" and hourly["files"]
    assert sample_lake.files("_staging") == []  # the watch's staged bronze went with its publish


def test_a_failing_watch_gate_fails_the_dag_run_and_publishes_nothing(airflow_db, tmp_path, monkeypatch):
    """Run by Airflow (``dag.test``): the watch's gold gate fails, so the DAG run is failed and neither its
    gold table nor any bronze is published."""
    import json
    import shutil
    from importlib import resources

    from miryoku.demo import run_disaster_watch
    from miryoku.lake import Lake

    strict = tmp_path / "expectations"
    shutil.copytree(str(resources.files("miryoku.expectations")), strict)
    suite = json.loads((strict / "gold.disaster_hourly_v1.json").read_text())
    suite["expectations"].append({"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 10**9}})
    (strict / "gold.disaster_hourly_v1.json").write_text(json.dumps(suite))
    monkeypatch.setenv("MIRYOKU_EXPECTATIONS_DIR", str(strict))
    lake = Lake.from_settings(str(tmp_path / "lake"))
    assert ["failed" in s for s in run_disaster_watch(["2026-01-10T21"], lake.root)] == [True]
    assert not lake.files("_published/gold/disaster_hourly_v1") and not lake.files("_published/bronze")
