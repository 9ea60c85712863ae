"""Stage → gate → publish: a failing gate publishes nothing and says which expectation failed."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from miryoku.lake.publish import publish_partitions, staging_table
from miryoku.quality.gate import GateFailed, require, validate_table


def gold_rows(posts: list[int]) -> pa.Table:
    n = len(posts)
    return pa.table({
        "dt": ["2026-01-02"] * n, "pref_code": [f"{i:02d}" for i in range(n)], "term": ["りんご"] * n,
        "lemma": ["林檎"] * n, "pos": ["名詞"] * n, "posts": posts, "occurrences": [p + 1 for p in posts],
        "is_place_name": [False] * n,
    })


def stage(lake, run, dt, table):
    lake.write_parquet(f"{staging_table(run, 'gold', 'term_daily')}/dt={dt}/part-0.parquet", table)


def test_publish_swaps_partitions_and_clears_partitions_the_run_computed_empty(lake):
    stage(lake, "r1", "2026-01-01", gold_rows([1]))
    stage(lake, "r1", "2026-01-02", gold_rows([1, 2]))
    publish_partitions(lake, "r1", "r1", "gold", "term_daily", ["2026-01-01", "2026-01-02"])
    stage(lake, "r2", "2026-01-02", gold_rows([5]))
    published = publish_partitions(lake, "r2", "r2", "gold", "term_daily", ["2026-01-01", "2026-01-02"])
    assert published == {"2026-01-01": 0, "2026-01-02": 1}
    assert not lake.exists("gold/term_daily_v1/dt=2026-01-01")
    assert lake.read_parquet("gold/term_daily_v1/dt=2026-01-02").column("posts").to_pylist() == [5]
    manifest = lake.read_json("_published/gold/term_daily_v1/dt=2026-01-02.json")
    assert manifest["run_id"] == "r2" and len(manifest["files"]) == 1


def test_gate_passes_good_data_and_keeps_its_result(lake):
    outcome = validate_table(lake, "gold.term_daily_v1", gold_rows([1, 2]), "2026-01-02", "r1")
    assert outcome.success
    stored = lake.read_json(outcome.result_path)
    assert stored["success"] is True and stored["rows"] == 2


def test_failing_gate_names_the_failing_expectations_and_publish_never_happens(lake):
    stage(lake, "good", "2026-01-02", gold_rows([3]))
    publish_partitions(lake, "good", "good", "gold", "term_daily", ["2026-01-02"])
    bad = gold_rows([0, 2])  # posts must be >= 1
    bad = bad.set_column(1, "pref_code", pa.array(["00", "99"]))  # no prefecture 99
    outcome = validate_table(lake, "gold.term_daily_v1", bad, "2026-01-02", "bad")
    assert not outcome.success
    failing = {f["expectation"] for f in outcome.failures}
    assert failing == {"expect_column_values_to_be_between", "expect_column_values_to_match_regex"}
    with pytest.raises(GateFailed) as err:
        require(outcome)
    assert "expect_column_values_to_match_regex" in str(err.value) and "'99'" in str(err.value)
    assert lake.read_parquet("gold/term_daily_v1/dt=2026-01-02").column("posts").to_pylist() == [3]
    assert json.loads(lake.read_bytes(outcome.result_path))["success"] is False


def test_a_night_far_below_its_trailing_median_fails_unless_it_is_expected(lake, monkeypatch):
    from miryoku.pipeline import _low_volume

    monkeypatch.delenv("MIRYOKU_EXPECTED_LOW_VOLUME", raising=False)
    for day, n in (("2026-02-07", 1_200), ("2026-02-08", 800)):
        lake.write_parquet(f"silver/posts_v1/dt={day}/part-0.parquet", pa.table({"post_id": [str(i) for i in range(n)]}))
    assert _low_volume(lake, "2026-02-10", 10) is None  # two days of history are not a trend
    lake.write_parquet("silver/posts_v1/dt=2026-02-09/part-0.parquet", pa.table({"post_id": [str(i) for i in range(1_000)]}))
    message = _low_volume(lake, "2026-02-10", 150)  # median 1,000; 20 % of it is 200
    assert message and "150 posts against a median of 1000 over the previous 3 published days" in message
    assert _low_volume(lake, "2026-02-10", 200) is None
    monkeypatch.setenv("MIRYOKU_EXPECTED_LOW_VOLUME", "1")
    assert _low_volume(lake, "2026-02-10", 150) is None
