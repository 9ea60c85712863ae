"""Transforms of the silver job on small hand-built DataFrames (expected values written by hand)."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import types as T
from pyspark.testing import assertDataFrameEqual

from jobs import silver_posts as job

pytestmark = pytest.mark.spark

UTC = dt.UTC
BRONZE = T.StructType([
    T.StructField("source", T.StringType()), T.StructField("post_id", T.StringType()),
    T.StructField("created_at", T.TimestampType()), T.StructField("text", T.StringType()),
    T.StructField("lang", T.StringType()), T.StructField("fetched_at", T.TimestampType()),
    T.StructField("bronze_dt", T.StringType()),
])
FETCHED = dt.datetime(2026, 1, 3, 1, 0, tzinfo=UTC)


def bronze(spark, rows):
    return spark.createDataFrame(rows, BRONZE)


def ts(*args):
    return dt.datetime(*args, tzinfo=UTC)


def test_jst_date_of_a_post_at_2330_utc_is_the_next_day(spark):
    df = bronze(spark, [("s", "1", ts(2026, 1, 1, 23, 30), "t", "ja", FETCHED, "2026-01-02"),
                        ("s", "2", ts(2026, 1, 1, 14, 59), "t", "ja", FETCHED, "2026-01-01")])
    out = job.assign_jst_date(df).select("post_id", "dt")
    assertDataFrameEqual(out, [("1", "2026-01-02"), ("2", "2026-01-01")])


def test_normalize_posts_strips_urls_and_detects_prefectures_and_language(spark):
    df = bronze(spark, [
        ("s", "1", ts(2026, 1, 2, 1), "RT @abc: 青森のりんご https://t.example/x", None, FETCHED, "2026-01-02"),
        ("s", "2", ts(2026, 1, 2, 1), "Visited Saga and Tokyo!", None, FETCHED, "2026-01-02"),
        ("s", "3", ts(2026, 1, 2, 1), "ｉｃｈｉｇｏ　大好き", "ja", FETCHED, "2026-01-02"),
    ])
    out = job.normalize_posts(df).select("post_id", "text_norm", "lang", "pref_codes", "is_repost")
    assertDataFrameEqual(out, [
        ("1", "青森のりんご", "ja", ["02"], True),
        ("2", "Visited Saga and Tokyo!", "en", ["13", "41"], False),
        ("3", "ichigo 大好き", "ja", [], False),
    ])


def test_latest_fetch_keeps_one_row_per_source_post(spark):
    df = bronze(spark, [
        ("s", "1", ts(2026, 1, 2, 1), "old", "ja", ts(2026, 1, 2, 16), "2026-01-02"),
        ("s", "1", ts(2026, 1, 2, 1), "edited", "ja", ts(2026, 1, 3, 16), "2026-01-03"),
        ("other", "1", ts(2026, 1, 2, 1), "same id, other source", "ja", FETCHED, "2026-01-02"),
    ])
    out = job.latest_fetch(df).select("source", "post_id", "text")
    assertDataFrameEqual(out, [("s", "1", "edited"), ("other", "1", "same id, other source")])


def test_exact_duplicates_point_at_the_earliest_post_of_the_day(spark):
    schema = "source string, post_id string, created_at timestamp, dt string, text_norm string"
    df = spark.createDataFrame([
        ("a", "1", ts(2026, 1, 2, 2), "2026-01-02", "佐賀の城"),
        ("b", "9", ts(2026, 1, 2, 1), "2026-01-02", "佐賀の城"),
        ("a", "2", ts(2026, 1, 2, 3), "2026-01-02", "佐賀の城"),
        ("a", "3", ts(2026, 1, 3, 3), "2026-01-03", "佐賀の城"),  # another day: canonical there
        ("a", "4", ts(2026, 1, 2, 3), "2026-01-02", ""),  # empty text is never a duplicate
        ("a", "5", ts(2026, 1, 2, 4), "2026-01-02", ""),
    ], schema)
    out = job.mark_duplicates(df).select("post_id", "is_duplicate_of")
    assertDataFrameEqual(out, [
        ("a:1", "b:9"), ("b:9", None), ("a:2", "b:9"), ("a:3", None), ("a:4", None), ("a:5", None)])


def test_window_split_quarantines_too_late_and_future_posts_of_the_newest_bronze(spark):
    schema = "post_id string, dt string, bronze_dt string"
    df = spark.createDataFrame([
        ("in-d", "2026-01-10", "2026-01-10"),
        ("in-d-1", "2026-01-09", "2026-01-10"),
        ("late", "2026-01-05", "2026-01-10"),
        ("next-day", "2026-01-11", "2026-01-10"),   # picked up by the run for 01-11
        ("future", "2026-01-20", "2026-01-10"),
        ("old-bronze", "2026-01-05", "2026-01-08"),  # handled by the run for 01-08 already
    ], schema)
    inside, rejected = job.split_by_window(df, "2026-01-10", 1)
    assertDataFrameEqual(inside.select("post_id"), [("in-d",), ("in-d-1",)])
    assertDataFrameEqual(rejected.select("post_id", "reason"),
                         [("late", "late_beyond_lookback"), ("future", "posted_in_future")])


ENRICH_IN = ("post_id string, source string, created_at timestamp, dt string, lang string, text_norm string, "
             "pref_codes array<string>, muni_codes array<string>, is_duplicate_of string")


def test_post_terms_one_row_per_distinct_term_of_canonical_posts(spark):
    at = ts(2026, 1, 2, 3)
    posts = spark.createDataFrame([
        ("s:1", "s", at, "2026-01-02", "ja", "青森のりんご、りんごを食べた", ["02"], [], None),
        ("s:2", "s", at, "2026-01-02", "ja", "青森のりんご、りんごを食べた", ["02"], [], "s:1"),
    ], ENRICH_IN)
    out = job.post_terms(job.enrich(posts))
    assertDataFrameEqual(out, [
        ("2026-01-02", "s:1", "青森", "アオモリ", "名詞", 1),
        ("2026-01-02", "s:1", "りんご", "林檎", "名詞", 2),
        ("2026-01-02", "s:1", "食べる", "食べる", "動詞", 1),
    ])


def test_enrich_matches_categories_products_and_disaster_words(spark):
    at = ts(2026, 1, 2, 3)
    posts = spark.createDataFrame([
        ("s:1", "s", at, "2026-01-02", "ja", "佐賀のいちごがうまかった", ["41"], [], None),
        ("s:2", "s", at, "2026-01-02", "ja", "大雨で浸水、通行止めだ。やばい", [], [], None),
    ], ENRICH_IN)
    out = {r.post_id: r for r in job.enrich(posts).collect()}
    assert "観光/食べる" in out["s:1"].categories
    assert out["s:1"].products == ["いちご"]
    assert {"雨", "浸水", "通行止"} <= set(out["s:2"].disaster_situations)
    assert out["s:2"].disaster_emotions
