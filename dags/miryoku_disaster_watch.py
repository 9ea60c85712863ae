"""
### miryoku_disaster_watch — the leaflet's 緊急時 use, hourly

The same sources and pipeline as the nightly run, with the leaflet's disaster words
(状況を示す: 雨, 雷, 雪, 竜巻, 土砂崩れ, 浸水, 通行止, 停電; 感情を示す: 大丈夫, やば, すご) instead of
the tourism taxonomy — "普段使いしていることが、緊急時の円滑な活用に役立ちます". Every hour it re-reads
today's (JST) posts from every enabled source, and rebuilds gold `disaster_hourly_v1` for today:
posts per hour × prefecture × municipality × situation, gated before it is published. It gates the
bronze it fetched but reads it from its own staging and publishes neither bronze nor silver, so it
never races the nightly run (which starts at the same 00:00 JST for the same date) for a partition.

Params: `lake` (lake root URI), `sources` (list of source names, default: every enabled source).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import dag
from airflow.timetables.interval import CronDataIntervalTimetable

from miryoku import alerts
from miryoku import orchestration as t

JST = "Asia/Tokyo"
DT = "{{ logical_date.in_timezone('Asia/Tokyo').strftime('%Y-%m-%d') }}"
LAKE = "{{ params.lake or '' }}"

default_args = {
    "owner": "miryoku-data",
    "on_failure_callback": alerts.task_failed,
    "retries": max(1, int(os.environ.get("MIRYOKU_TASK_RETRIES", "1"))),
    "retry_delay": timedelta(seconds=int(os.environ.get("MIRYOKU_RETRY_DELAY_SECONDS", "120"))),
}


@dag(
    dag_id="miryoku_disaster_watch",
    schedule=CronDataIntervalTimetable("0 * * * *", timezone=JST),
    start_date=pendulum.datetime(2026, 1, 1, tz=JST),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["miryoku", "disaster", "hourly", "sns"],
    doc_md=__doc__,
    params={"lake": None, "sources": None},
    on_failure_callback=alerts.run_failed,
)
def miryoku_disaster_watch():
    names = t.list_post_sources(LAKE, "{{ params.sources | tojson }}")
    ingested = t.ingest.partial(dt=DT, lake=LAKE).expand(source=names)
    ingested >> t.gate_bronze(DT, LAKE, publish=False) >> t.build_disaster(DT, LAKE) >> t.gate_disaster(DT, LAKE) \
        >> t.publish_disaster(DT, LAKE)


miryoku_disaster_watch()
