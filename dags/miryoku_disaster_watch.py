"""
### miryoku_disaster_watch — the leaflet's 緊急時 use, hourly

The same sources and pipeline as the nightly run, with the leaflet's disaster words
(状況を示す: 雨, 雷, 雪, 竜巻, 土砂崩れ, 浸水, 通行止, 停電; 感情を示す: 大丈夫, やば, すご) instead of
the tourism taxonomy — "普段使いしていることが、緊急時の円滑な活用に役立ちます". Every hour it re-reads
today's (JST) posts from every enabled source, and rebuilds gold `disaster_hourly_v1` for today:
posts per hour × prefecture × municipality × situation, gated before it is published. It writes no
silver table, so it never races the nightly run for the curated layers.

Params: `lake` (lake root URI), `sources` (list of source names, default: every enabled source).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

JST = "Asia/Tokyo"
DT = "{{ logical_date.in_timezone('Asia/Tokyo').strftime('%Y-%m-%d') }}"
LAKE = "{{ params.lake or '' }}"

default_args = {
    "owner": "miryoku-data",
    "retries": 1,
    "retry_delay": timedelta(minutes=2),
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
)
def miryoku_disaster_watch():
    @task
    def list_sources(lake: str, sources: str) -> list[str]:
        from miryoku.pipeline import parse_sources, sns_source_names

        return sns_source_names(lake or None, parse_sources(sources))

    @task(map_index_template="{{ task.op_kwargs['source'] }}")
    def ingest(source: str, dt: str, lake: str, run_id=None) -> dict:
        from miryoku.pipeline import ingest

        return ingest(source, dt, run_id, lake or None)

    @task(trigger_rule="all_done")
    def gate_bronze(dt: str, lake: str, run_id=None) -> dict:
        from miryoku.pipeline import gate_bronze

        return gate_bronze(dt, run_id, lake or None)

    @task
    def build_disaster(dt: str, lake: str, run_id=None) -> dict:
        from miryoku.pipeline import build_disaster

        return build_disaster(dt, run_id, lake or None)

    @task
    def gate_disaster(dt: str, lake: str, run_id=None) -> dict:
        from miryoku.pipeline import gate_disaster

        return gate_disaster(dt, run_id, lake or None)

    @task
    def publish_disaster(dt: str, lake: str, run_id=None) -> dict:
        from miryoku.pipeline import publish_disaster

        return publish_disaster(dt, run_id, lake or None)

    names = list_sources(LAKE, "{{ params.sources | tojson }}")
    ingested = ingest.partial(dt=DT, lake=LAKE).expand(source=names)
    # run_id is injected from the task context (it is a reserved context name).
    ingested >> gate_bronze(DT, LAKE) >> build_disaster(DT, LAKE) >> gate_disaster(DT, LAKE) >> publish_disaster(DT, LAKE)


miryoku_disaster_watch()
