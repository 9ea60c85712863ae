"""Independent Spark actions run from driver threads: every call ends, results come back by name,
and a failing call fails the step only after its siblings have finished their writes."""

from __future__ import annotations

import pytest

from jobs.common import concurrently

pytestmark = pytest.mark.spark


def test_results_come_back_by_name(spark):
    calls = {f"t{i}": (lambda i=i: spark.range(i * 10).count()) for i in range(1, 6)}
    assert concurrently(calls, workers=3) == {"t1": 10, "t2": 20, "t3": 30, "t4": 40, "t5": 50}


def test_one_worker_runs_them_in_order(spark):
    seen = []
    calls = {name: (lambda name=name: seen.append(name) or name) for name in ["c", "a", "b"]}
    assert concurrently(calls, workers=1) == {"c": "c", "a": "a", "b": "b"}
    assert seen == ["c", "a", "b"]


def test_a_failure_is_raised_after_the_other_writes_end(spark, tmp_path):
    def broken():
        raise ValueError("no such column: nope")

    calls = {"broken": broken,
             **{f"w{i}": (lambda i=i: spark.range(100).write.parquet(str(tmp_path / f"w{i}"))) for i in range(3)}}
    with pytest.raises(ValueError, match="no such column"):
        concurrently(calls, workers=2)
    for i in range(3):
        assert (tmp_path / f"w{i}" / "_SUCCESS").exists()
        assert spark.read.parquet(str(tmp_path / f"w{i}")).count() == 100
