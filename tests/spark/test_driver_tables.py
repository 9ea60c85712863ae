"""Small driver-side tables reach Spark through Arrow, and the Python workers warm up without error."""

from __future__ import annotations

import logging

import pytest

from jobs.common import local_frame
from miryoku.python_workers import warm_python_workers

pytestmark = pytest.mark.spark


def test_a_local_frame_keeps_rows_nulls_and_the_declared_schema(spark):
    rows = [("牛乳", "ソフトクリーム"), ("いちご", None)]
    frame = local_frame(spark, rows, "anchor_term string, derived_term string")
    assert frame.schema.simpleString() == "struct<anchor_term:string,derived_term:string>"
    assert sorted(tuple(r) for r in frame.collect()) == sorted(rows)


def test_an_empty_local_frame_has_its_columns(spark):
    frame = local_frame(spark, [], "item string, term string")
    assert frame.columns == ["item", "term"] and frame.count() == 0


def test_the_worker_warm_up_runs_its_job_and_logs_no_failure(spark, caplog):
    before = set(spark.sparkContext.statusTracker().getJobIdsForGroup())
    with caplog.at_level(logging.WARNING, logger="miryoku.python_workers"):
        warm_python_workers(spark).join(timeout=120)
    assert not caplog.records
    jobs = [spark.sparkContext.statusTracker().getJobInfo(j)
            for j in set(spark.sparkContext.statusTracker().getJobIdsForGroup()) - before]
    assert jobs and all(job.status == "SUCCEEDED" for job in jobs)
