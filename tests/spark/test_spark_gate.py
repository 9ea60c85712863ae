"""The Spark gate evaluates the GX suites as Great Expectations itself does.

Each expectation type the suites use runs on the same hand-built rows twice — through GX's own pandas
validation and through ``miryoku.quality.spark_gate`` — and both must agree with the counts written
here by hand.
"""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd
import pytest

from miryoku.quality import spark_gate

pytestmark = pytest.mark.spark

ROWS = pd.DataFrame({
    "dt": ["2026-01-02"] * 6,
    "code": ["01", "02", "47", "48", None, "x1"],
    "n": [1, 5, 0, 3, None, 7],
    "m": [1, 4, 0, 5, None, 7],
    "k": ["a", "a", "b", "c", "c", "c"],
    "text": ["ok", "see https://x", "ok", "ok", "toolongtext", None],
})
# (expectation type, kwargs, success, unexpected count) — worked out by hand on ROWS
CASES = [
    ("expect_column_values_to_not_be_null", {"column": "code"}, False, 1),
    ("expect_column_values_to_be_in_set", {"column": "code", "value_set": ["01", "02", "47"]}, False, 2),
    ("expect_column_values_to_be_in_set", {"column": "code", "value_set": ["01", "02", "47"], "mostly": 0.5},
     True, 2),
    ("expect_column_values_to_match_regex", {"column": "code", "regex": r"^(0[1-9]|[1-3][0-9]|4[0-7])$"}, False, 2),
    ("expect_column_values_to_not_match_regex", {"column": "text", "regex": "https?://"}, False, 1),
    ("expect_column_values_to_be_between", {"column": "n", "min_value": 1}, False, 1),
    ("expect_column_values_to_be_between", {"column": "n", "min_value": 0, "max_value": 7}, True, 0),
    ("expect_column_value_lengths_to_be_between", {"column": "text", "max_value": 10}, False, 2),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "n", "column_B": "m", "or_equal": True},
     False, 1),
    ("expect_column_values_to_be_unique", {"column": "k"}, False, 5),
    ("expect_compound_columns_to_be_unique", {"column_list": ["dt", "code"]}, True, 0),
]


def _gx_result(expectation_type: str, kwargs: dict):
    import great_expectations as gx

    from miryoku.quality.gate import _batch_definition

    suite = gx.ExpectationSuite(name=f"t-{expectation_type}", expectations=[{"type": expectation_type,
                                                                             "kwargs": kwargs}])
    batch = _batch_definition("spark-gate-conformance").get_batch(batch_parameters={"dataframe": ROWS})
    return batch.validate(suite).results[0]


@pytest.mark.parametrize(("etype", "kwargs", "success", "count"), CASES)
def test_spark_gate_agrees_with_gx_and_with_the_hand_count(spark, etype, kwargs, success, count):
    df = spark.createDataFrame(ROWS.astype(object).where(ROWS.notna(), None),
                               "dt string, code string, n double, m double, k string, text string")
    ours = spark_gate.evaluate(df, [spark_gate.Expectation(etype, kwargs)], "dt")["2026-01-02"][0]
    theirs = _gx_result(etype, kwargs)
    assert (ours["success"], ours["unexpected_count"]) == (success, count)
    assert theirs.success == success
    assert theirs.result.get("unexpected_count") == count


def test_uniqueness_per_partition_counts_only_the_partition_with_duplicates(spark):
    # dt A: k = a, a, b and (k, code) = (a, 1), (a, null), (b, 1); dt B: k = a, b, null, null
    rows = [("A", "a", "1"), ("A", "a", None), ("A", "b", "1"), ("B", "a", "1"), ("B", "b", None),
            ("B", None, None), ("B", None, None)]
    df = spark.createDataFrame(rows, "dt string, k string, code string")
    checks = [spark_gate.Expectation("expect_column_values_to_be_unique", {"column": "k"}),
              spark_gate.Expectation("expect_compound_columns_to_be_unique", {"column_list": ["k", "code"]})]
    results = spark_gate.evaluate(df, checks, "dt")
    # A: both a's are unexpected (GX counts every row of a duplicated value); every (k, code) differs
    assert [(r["success"], r["unexpected_count"], r["unexpected_percent"]) for r in results["A"]] == [
        (False, 2, round(100 * 2 / 3, 6)), (True, 0, 0.0)]
    # B: nulls are outside the domain (rows where every column is null for the compound one)
    assert [(r["success"], r["unexpected_count"]) for r in results["B"]] == [(True, 0), (True, 0)]


def test_row_count_and_column_set_expectations(spark):
    df = spark.createDataFrame([("2026-01-02", 1)], "dt string, posts long")
    checks = [spark_gate.Expectation("expect_table_row_count_to_be_between", {"min_value": 2}),
              spark_gate.Expectation("expect_table_columns_to_match_set",
                                     {"column_set": ["dt", "posts", "term"], "exact_match": False})]
    results = spark_gate.evaluate(df, checks, "dt")["2026-01-02"]
    assert [r["success"] for r in results] == [False, False]
    assert results[1]["missing"] == ["term"]


def test_every_shipped_suite_is_evaluated_in_spark_and_unknown_types_are_refused(tmp_path):
    suites = sorted(p.name for p in resources.files("miryoku.expectations").iterdir() if p.name.endswith(".json"))
    assert len(suites) > 30
    for name in suites:
        assert spark_gate.load_expectations("", name.removesuffix(".json"))
    (tmp_path / "t.json").write_text(json.dumps({"expectations": [
        {"type": "expect_column_kl_divergence_to_be_less_than", "kwargs": {"column": "x"}}]}))
    with pytest.raises(spark_gate.UnsupportedExpectation, match="kl_divergence"):
        spark_gate.load_expectations(str(tmp_path), "t")


def test_failing_partitions_are_recorded_with_examples_and_empty_partitions_validated(spark, lake):
    df = spark.createDataFrame([("2026-01-02", "01", 1), ("2026-01-02", "99", 0), ("2026-01-03", "02", 2)],
                               "dt string, pref_code string, posts long")
    outcomes = spark_gate.validate_partitions(lake, "gold.pref_daily_v1", df, "dt",
                                              ["2026-01-02", "2026-01-03", "2026-01-04"], "run-1")
    assert [o.success for o in outcomes] == [False, True, False]
    failed = {f["expectation"]: f for f in outcomes[0].failures}
    assert failed["expect_column_values_to_match_regex"]["examples"] == ["99"]
    assert failed["expect_column_values_to_be_between"]["unexpected_count"] == 1
    assert [f["expectation"] for f in outcomes[2].failures] == ["expect_table_row_count_to_be_between"]
    record = lake.read_json("_quality/gold.pref_daily_v1/dt=2026-01-02/run-1.json")
    assert record["success"] is False and record["engine"] == "spark"
