"""A run's plan: the days and months it rebuilds, written by the silver build, read by gates and publish.

``_staging/<run>/plan.json`` lives beside the run's staged tables, so every later step — in this
process or another Airflow worker — validates and publishes exactly the partitions that were built.
"""

from __future__ import annotations

from miryoku.lake.storage import Lake, safe_key


def plan_path(run_id: str) -> str:
    return f"_staging/{safe_key(run_id)}/plan.json"


def write_plan(lake: Lake, run_id: str, plan: dict) -> None:
    lake.write_json(plan_path(run_id), plan)


def read_plan(lake: Lake, run_id: str) -> dict:
    path = plan_path(run_id)
    if not lake.exists(path):
        raise RuntimeError(f"run {run_id} has no plan at {path}: build_silver did not finish for this run")
    return lake.read_json(path)
