"""Transforms of the silver job on small hand-built DataFrames (expected values written by hand)."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.testing import assertDataFrameEqual

from jobs import day_posts
from jobs import silver_posts as job

pytestmark = pytest.mark.spark

UTC = dt.UTC
FETCHED = dt.datetime(2026, 1, 3, 1, 0, tzinfo=UTC)
BRONZE = ("source string, post_id string, created_at timestamp, text string, lang string, author_key string, "
          "fetched_at timestamp, checksum string, bronze_dt string, origin string")


def ts(*args):
    return dt.datetime(*args, tzinfo=UTC)


def bronze(spark, rows):
    return job.assign_jst_date(spark.createDataFrame(rows, BRONZE))


def b(pid, text, at=None, lang="ja", author="k1", fetched=FETCHED, checksum="c", day="2026-01-02", source="s"):
    return (source, pid, at or ts(2026, 1, 2, 1), text, lang, author, fetched, checksum, day, f"{day}_{source}")


def test_jst_date_of_a_post_at_2330_utc_is_the_next_day(spark):
    out = bronze(spark, [b("1", "t", at=ts(2026, 1, 1, 23, 30)), b("2", "t", at=ts(2026, 1, 1, 14, 59))])
    assertDataFrameEqual(out.select("post_id", "dt"), [("1", "2026-01-02"), ("2", "2026-01-01")])


def test_enrich_normalises_detects_places_and_language_and_tokenizes_once(spark):
    out = job.enrich(bronze(spark, [
        b("1", "RT @abc: 青森のりんご、りんごを食べた https://t.example/x", lang=None),
        b("2", "Visited Saga and Tokyo!", lang=None),
        b("3", "ｉｃｈｉｇｏ　大好き"),
    ]))
    rows = {r.post_id: r for r in out.collect()}
    assert (rows["1"].text_norm, rows["1"].lang, rows["1"].pref_codes, rows["1"].is_repost) == (
        "青森のりんご、りんごを食べた", "ja", ["02"], True)
    assert (rows["2"].lang, rows["2"].pref_codes, rows["2"].is_repost) == ("en", ["13", "41"], False)
    assert (rows["3"].text_norm, rows["3"].pref_codes) == ("ichigo 大好き", [])
    terms = {(t.term, t.lemma, t.pos, t.n) for t in rows["1"].terms}
    assert {("青森", "アオモリ", "名詞", 1), ("りんご", "林檎", "名詞", 2), ("食べる", "食べる", "動詞", 1)} <= terms
    assert rows["1"].origin == "2026-01-02_s" and rows["1"].bronze_dt == "2026-01-02"


def test_enrich_matches_categories_products_and_disaster_words(spark):
    out = {r.post_id: r for r in job.enrich(bronze(spark, [
        b("1", "佐賀のいちごがうまかった"), b("2", "大雨で浸水、通行止めだ。やばい")])).collect()}
    assert "観光/食べる" in out["1"].categories
    assert out["1"].products == ["いちご"]
    assert {"雨", "浸水", "通行止"} <= set(out["2"].disaster_situations)
    assert out["2"].disaster_emotions


LATEST = ("source string, post_id string, dt string, text_norm string, fetched_at timestamp, bronze_dt string, "
          "page string, checksum string")


def test_latest_fetch_keeps_one_row_per_source_post_with_a_fixed_tie_break(spark):
    rows = [
        ("s", "1", "2026-01-02", "old", ts(2026, 1, 2, 16), "2026-01-02", "page-00000", "a"),
        ("s", "1", "2026-01-02", "edited", ts(2026, 1, 3, 16), "2026-01-03", "page-00000", "b"),
        ("other", "1", "2026-01-02", "same id, other source", FETCHED, "2026-01-02", "page-00000", "c"),
        # same id, same fetch time: the later bronze date, then the higher page, then the smaller checksum wins
        ("t", "7", "2026-01-02", "page 1", FETCHED, "2026-01-02", "page-00001", "z"),
        ("t", "7", "2026-01-02", "page 2", FETCHED, "2026-01-02", "page-00002", "y"),
        ("t", "8", "2026-01-02", "checksum b", FETCHED, "2026-01-02", "page-00001", "b"),
        ("t", "8", "2026-01-02", "checksum a", FETCHED, "2026-01-02", "page-00001", "a"),
    ]
    for order in (rows, rows[::-1]):
        out = day_posts.latest_fetch(spark.createDataFrame(order, LATEST).repartition(3)).select("source", "post_id",
                                                                                           "text_norm")
        assertDataFrameEqual(out, [("s", "1", "edited"), ("other", "1", "same id, other source"),
                                   ("t", "7", "page 2"), ("t", "8", "checksum a")])


DUPS = "source string, post_id string, created_at timestamp, text_norm string, author_key string, is_repost boolean"


def test_a_duplicate_is_the_same_author_again_or_a_repost_never_another_persons_same_words(spark):
    t = ts(2026, 1, 2, 1)
    df = spark.createDataFrame([
        ("a", "1", t, "温泉最高", "alice", False),
        ("a", "2", ts(2026, 1, 2, 2), "温泉最高", "bob", False),     # another person: counted
        ("a", "3", ts(2026, 1, 2, 3), "温泉最高", "carol", False),   # a third person: counted
        ("a", "4", ts(2026, 1, 2, 4), "温泉最高", "alice", False),   # alice again: duplicate of her first
        ("a", "5", ts(2026, 1, 2, 5), "温泉最高", "dave", True),     # a repost: duplicate of the earliest original
        ("a", "6", ts(2026, 1, 2, 6), "城がきれい", "erin", True),   # reposts of an original not in the lake:
        ("a", "7", ts(2026, 1, 2, 7), "城がきれい", "fred", True),   # the first stands for it
        ("a", "8", ts(2026, 1, 3, 3), "温泉最高", "alice", False),   # another day: canonical there
        ("a", "9", t, "", "alice", False),             # empty text is never a duplicate
        ("a", "10", t, "", "alice", False),
        ("b", "1", t, "同じ文", None, False),          # no author key: never a duplicate by text
        ("b", "2", t, "同じ文", None, False),
    ], DUPS).withColumn("dt", job.F.date_format(job.F.from_utc_timestamp("created_at", "Asia/Tokyo"), "yyyy-MM-dd"))
    out = day_posts.mark_duplicates(df).select("post_id", "is_duplicate_of")
    assertDataFrameEqual(out, [
        ("a:1", None), ("a:2", None), ("a:3", None), ("a:4", "a:1"), ("a:5", "a:1"), ("a:6", None),
        ("a:7", "a:6"), ("a:8", None), ("a:9", None), ("a:10", None), ("b:1", None), ("b:2", None)])
    canonical = day_posts.mark_duplicates(df).where("is_duplicate_of is null and text_norm = '温泉最高' and dt = '2026-01-02'")
    assert canonical.count() == 3  # identical texts by three authors count 3; a repost counts once


def test_post_terms_one_row_per_distinct_term_of_canonical_posts(spark):
    rows = job.enrich(bronze(spark, [b("1", "青森のりんご、りんごを食べた", author="a"),
                                     b("2", "青森のりんご、りんごを食べた", author="a")]))
    out = job.post_terms(day_posts.build_day(rows))
    assertDataFrameEqual(out, [
        ("2026-01-02", "s:1", "青森", "アオモリ", "名詞", 1),
        ("2026-01-02", "s:1", "りんご", "林檎", "名詞", 2),
        ("2026-01-02", "s:1", "食べる", "食べる", "動詞", 1),
    ])


NARROW = ("source string, post_id string, created_at timestamp, dt string, text_norm string, author_key string, "
          "is_repost boolean, fetched_at timestamp, bronze_dt string, page string, checksum string, "
          "terms array<string>, _file string, _row long")


def test_the_narrow_day_build_gives_the_rows_of_the_reference_build(spark):
    t, late = ts(2026, 1, 2, 1), ts(2026, 1, 3, 16)

    def r(pid, text, author, at=t, repost=False, fetched=FETCHED, bronze_dt="2026-01-02", page="page-00000",
          checksum="c", source="s", row=0):
        return (source, pid, at, "2026-01-02", text, author, repost, fetched, bronze_dt, page, checksum,
                [text], f"file-{bronze_dt}-{page}", row)

    rows = [
        r("1", "温泉最高", "alice", row=0),
        r("1", "温泉最高!", "alice", fetched=late, bronze_dt="2026-01-03", row=0),   # re-fetched, edited: wins
        r("2", "温泉最高!", "alice", at=ts(2026, 1, 2, 2), row=1),                   # alice again: duplicate of 1
        r("3", "温泉最高!", "bob", at=ts(2026, 1, 2, 3), row=2),                     # another person: counted
        r("4", "温泉最高!", "carol", at=ts(2026, 1, 2, 4), repost=True, row=3),       # a repost: duplicate of 1
        r("5", "page tie", "dan", page="page-00001", row=0),                          # same fetch, higher page wins
        r("5", "page tie", "dan", page="page-00002", checksum="z", row=0),
        r("6", "same line twice", "erin", row=4),                                     # one line read twice
        r("6", "same line twice", "erin", row=5),
        r("7", "", "fred", row=6),
        r("1", "温泉最高", "alice", source="other", row=7),                            # same id, other source
    ]
    enriched = spark.createDataFrame(rows, NARROW).repartition(3)
    decided = day_posts.exceptions(enriched, ("_file", "_row"))
    narrow = day_posts.build_day_narrow(enriched, decided, ("_file", "_row"))
    reference = day_posts.build_day(enriched).drop("_file", "_row")
    assert narrow.columns == reference.columns
    assertDataFrameEqual(narrow, reference)
    assertDataFrameEqual(narrow.select("post_id", "text_norm", "page", "is_duplicate_of"), [
        ("s:1", "温泉最高!", "page-00000", None), ("s:2", "温泉最高!", "page-00000", "s:1"),
        ("s:3", "温泉最高!", "page-00000", None), ("s:4", "温泉最高!", "page-00000", "s:1"),
        ("s:5", "page tie", "page-00002", None), ("s:6", "same line twice", "page-00000", None),
        ("s:7", "", "page-00000", None), ("other:1", "温泉最高", "page-00000", None)])
