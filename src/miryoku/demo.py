"""``make demo``: the nightly DAG, run by Airflow (``dag.test``) for a range of dates, then the report.

All dates run in one process so the SparkSession and the GX context start once; each date is still
a separate DAG run with its own run id, gates and summary.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from miryoku.config import PROJECT_ROOT


def load_dag(dag_id: str = "miryoku_nightly"):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag.dags[dag_id]


def run_dates(dates: list[str], lake: str | None = None, sources: list[str] | None = None) -> list[str]:
    """Run the nightly DAG once per date via ``dag.test``; returns each run's final state."""
    import pendulum

    dag = load_dag()
    states = []
    for day in dates:
        logical = pendulum.datetime(*map(int, day.split("-")), tz="Asia/Tokyo")
        run = dag.test(logical_date=logical, run_conf={"lake": lake, "sources": sources})
        states.append(str(run.state))
    return states


def run_disaster_watch(hours: list[str], lake: str | None = None) -> list[str]:
    """Run the hourly disaster watch for JST hours 'YYYY-MM-DDTHH'; returns each run's final state."""
    import pendulum

    dag = load_dag("miryoku_disaster_watch")
    states = []
    for hour in hours:
        logical = pendulum.parse(f"{hour}:00:00", tz="Asia/Tokyo")
        states.append(str(dag.test(logical_date=logical, run_conf={"lake": lake, "sources": ["sample"]}).state))
    return states


def run_demo(start: str, days: int, lake: str | None, top: int) -> int:
    from miryoku.lake import Lake
    from miryoku.report import render

    lake_obj = Lake.from_settings(lake)
    first = dt.date.fromisoformat(start)
    dates = [(first + dt.timedelta(days=i)).isoformat() for i in range(days)]
    t0 = time.time()
    print(f"Running miryoku_nightly through Airflow for {dates[0]} … {dates[-1]} into {lake_obj.root}", flush=True)
    states = run_dates(dates, lake_obj.root)
    # the sample's rain-and-flood episode (2026-01-09/10, afternoon JST) through the hourly DAG
    from miryoku.sources.sample import FLOOD_DAYS

    watch = [f"{d}T21" for d in FLOOD_DAYS if d in dates]
    states += run_disaster_watch(watch, lake_obj.root)
    dates += watch
    failed = [d for d, s in zip(dates, states, strict=True) if "success" not in s]
    print(f"\n{len(dates)} DAG runs in {time.time() - t0:.0f}s; failed: {failed or 'none'}\n")
    print(render(lake_obj, dates[days - 1], top))
    print(f"\nAirflow logs: {os.environ.get('AIRFLOW_HOME', '~/airflow')}/logs   "
          f"Quality results: {lake_obj.path('_quality')}   Run summaries: {lake_obj.path('_runs')}")
    return 1 if failed else 0
