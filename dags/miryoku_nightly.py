"""
### miryoku_nightly — the nightly Miryoku Lake run

For the JST calendar day **D** (the run's logical date, a data interval of one day in Asia/Tokyo that
the scheduler triggers right after midnight JST): every enabled source is ingested into bronze
(one mapped task per source, so a failing source fails alone), each staged source is gated and
published, statistics and open data are conformed into their silver snapshots, the Spark jobs build
silver `posts_v1` / `post_terms_v1` and the gold tables (`term_daily_v1`, `category_daily_v1`,
`product_volume_daily_v1`, `cooccurrence_monthly_v1`, `shipment_buzz_monthly_v1`) for D and the
late-arrival lookback before it, each layer is gated, and silver and gold are published together. A failed gate leaves the previous data served and names the failing
expectations in its task log; `_runs/dt=D/<run>/summary.json` has the counts of every step.

Params: `lake` (lake root URI, default from configuration), `sources` (list of source names,
default: every enabled source).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference, dag
from airflow.timetables.interval import CronDataIntervalTimetable

from miryoku import alerts
from miryoku import orchestration as t

JST = "Asia/Tokyo"
DT = "{{ logical_date.in_timezone('Asia/Tokyo').strftime('%Y-%m-%d') }}"
LAKE = "{{ params.lake or '' }}"

default_args = {
    "owner": "miryoku-data",
    "on_failure_callback": alerts.task_failed,
    "retries": max(1, int(os.environ.get("MIRYOKU_TASK_RETRIES", "2"))),
    "retry_delay": timedelta(seconds=int(os.environ.get("MIRYOKU_RETRY_DELAY_SECONDS", "120"))),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}


@dag(
    dag_id="miryoku_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone=JST),
    start_date=pendulum.datetime(2026, 1, 1, tz=JST),
    catchup=True,
    max_active_runs=1,
    default_args=default_args,
    tags=["miryoku", "nightly", "sns", "lake"],
    doc_md=__doc__,
    params={"lake": None, "sources": None},
    on_failure_callback=alerts.run_failed,
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        interval=alerts.deadline_after_logical_date(),
        callback=AsyncCallback(alerts.deadline_missed),
        name="nightly_not_finished_by_jst_deadline",
    ) if alerts.deadline_enabled() else None,
)
def miryoku_nightly():
    names = t.list_sources(LAKE, "{{ params.sources | tojson }}")
    ingested = t.ingest.partial(dt=DT, lake=LAKE).expand(source=names)
    bronze = t.gate_bronze(DT, LAKE)
    stats = t.conform_stats(DT, LAKE)
    silver = t.build_silver(DT, LAKE)
    silver_ok = t.gate_silver(DT, LAKE)
    gold = t.build_gold(DT, LAKE)
    gold_ok = t.gate_gold(DT, LAKE)
    published = t.publish(DT, LAKE)
    done = t.finish(DT, LAKE, names)
    report = t.write_report(DT, LAKE)
    ingested >> bronze >> [silver, stats]
    silver >> silver_ok
    [silver_ok, stats] >> gold >> gold_ok >> published >> [done, report]


miryoku_nightly()
