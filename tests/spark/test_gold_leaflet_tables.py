"""The leaflet's analyses on small hand-built silver rows; expected values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.testing import assertDataFrameEqual

from jobs.gold_category_daily import category_daily
from jobs.gold_cooccurrence import cooccurrence
from jobs.gold_disaster_hourly import disaster_hourly
from jobs.gold_product_volume import product_volume_daily
from jobs.gold_shipment_buzz import shipment_buzz

pytestmark = pytest.mark.spark

POSTS = ("post_id string, dt string, posted_at timestamp, pref_codes array<string>, muni_codes array<string>, "
         "categories array<string>, products array<string>, disaster_situations array<string>, "
         "disaster_emotions array<string>, is_duplicate_of string")
TERMS = "dt string, post_id string, term string, lemma string, pos string, n int"
T0 = dt.datetime(2026, 1, 2, 1, 10, tzinfo=dt.UTC)


def post(pid, day="2026-01-02", prefs=(), munis=(), cats=(), prods=(), sit=(), emo=(), dup=None, at=T0):
    return (pid, day, at, list(prefs), list(munis), list(cats), list(prods), list(sit), list(emo), dup)


def test_category_daily_counts_each_post_once_per_subcategory_and_prefecture(spark):
    posts = spark.createDataFrame([
        post("p1", prefs=["41"], cats=["観光/食べる", "気付き/おどろく"]),
        post("p2", prefs=["41", "02"], cats=["観光/食べる"]),
        post("p3", prefs=[], cats=["くらす/環境"]),
        post("p4", prefs=["41"], cats=["観光/食べる"], dup="p2"),
    ], POSTS)
    assertDataFrameEqual(category_daily(posts), [
        ("2026-01-02", "41", "観光", "食べる", 2), ("2026-01-02", "02", "観光", "食べる", 1),
        ("2026-01-02", "00", "観光", "食べる", 2), ("2026-01-02", "41", "気付き", "おどろく", 1),
        ("2026-01-02", "00", "気付き", "おどろく", 1), ("2026-01-02", "00", "くらす", "環境", 1),
    ])


def test_product_volume_share_of_voice_and_spike_against_trailing_baseline(spark):
    products = spark.createDataFrame([("Aロール", "ロールケーキ", "03"), ("Bロール", "ロールケーキ", "01"),
                                      ("あまおう", "いちご", "40")], "product string, product_group string, origin_pref_code string")
    posts = spark.createDataFrame(
        [post(f"a{i}", prods=["Aロール"]) for i in range(6)]
        + [post(f"b{i}", prods=["Bロール"]) for i in range(2)]
        + [post("b-dup", prods=["Bロール"], dup="b0"), post("s1", prods=["あまおう"])], POSTS)
    history = spark.createDataFrame([("2026-01-01", "Aロール", 7), ("2026-01-01", "Bロール", 14)],
                                    "dt string, product string, posts long")
    # baselines over 7 days: A = 7/7 = 1.0 → 6 posts is a spike; B = 14/7 = 2.0, 2 posts is not
    assertDataFrameEqual(product_volume_daily(posts, products, history), [
        ("2026-01-02", "ロールケーキ", "Aロール", "03", 6, 0.75, 1.0, True),
        ("2026-01-02", "ロールケーキ", "Bロール", "01", 2, 0.25, 2.0, False),
        ("2026-01-02", "いちご", "あまおう", "40", 1, 1.0, 0.0, False),
    ])


def test_cooccurrence_lift_and_derived_share(spark):
    # 北海道 (01): m1 牛乳+ソフト, m2 牛乳+ソフト, m3 牛乳+カステラ; elsewhere: x1 ソフト, x2 りんご
    posts = spark.createDataFrame([post("m1", prefs=["01"]), post("m2", prefs=["01"]), post("m3", prefs=["01"]),
                                   post("x1"), post("x2", prefs=["02"])], POSTS)
    rows = [("m1", "牛乳"), ("m1", "ソフト"), ("m2", "牛乳"), ("m2", "ソフト"), ("m3", "牛乳"), ("m3", "カステラ"),
            ("x1", "ソフト"), ("x2", "りんご")]
    terms = spark.createDataFrame([("2026-01-02", p, t, t, "名詞", 1) for p, t in rows], TERMS)
    anchors = spark.createDataFrame([("牛乳", "ソフト"), ("牛乳", "カステラ"), ("りんご", None)],
                                    "anchor_term string, derived_term string")
    out = cooccurrence(posts, terms, anchors, min_posts=1).where("pref_code = '01'")
    # month posts = 5; ソフト in 3 posts overall; P(ソフト|牛乳,01) = 2/3 → lift (2/3)/(3/5) = 1.1111
    # カステラ: (1/3)/(1/5) = 1.6667; derived share: all 3 牛乳 posts name a derived good → 1.0
    assertDataFrameEqual(out, [
        ("2026-01", "牛乳", "01", "ソフト", 2, 1.1111, 3, 1.0),
        ("2026-01", "牛乳", "01", "カステラ", 1, 1.6667, 3, 1.0),
    ])


def test_shipment_buzz_full_outer_join_with_shares_and_months_without_shipments(spark):
    shipments = spark.createDataFrame([
        ("いちご", "09", "2026-01", 300.0, "t"), ("いちご", "40", "2026-01", 100.0, "t"),
    ], "item string, pref_code string, month string, quantity double, unit string")
    posts = spark.createDataFrame([
        post("s1", prefs=["09"]), post("s2", prefs=["40"]), post("s3", prefs=["40"]),
        post("f1", day="2026-02-03", prefs=["09"]),  # February: posts, no shipments
    ], POSTS)
    terms = spark.createDataFrame([("2026-01-02", "s1", "いちご", "苺", "名詞", 1),
                                   ("2026-01-02", "s2", "苺", "苺", "名詞", 1),
                                   ("2026-01-02", "s3", "あまおう", "あまおう", "名詞", 1),
                                   ("2026-02-03", "f1", "いちご", "苺", "名詞", 1)], TERMS)
    item_terms = spark.createDataFrame([("いちご", "いちご"), ("いちご", "苺"), ("いちご", "あまおう")],
                                       "item string, term string")
    assertDataFrameEqual(shipment_buzz(shipments, posts, terms, item_terms), [
        ("2026-01", "いちご", "09", 300.0, "t", 1, 0.75, 0.333333),
        ("2026-01", "いちご", "40", 100.0, "t", 2, 0.25, 0.666667),
        ("2026-02", "いちご", "09", None, None, 1, None, 1.0),
    ])


def test_disaster_hourly_per_prefecture_and_municipality(spark):
    later = dt.datetime(2026, 1, 2, 2, 5, tzinfo=dt.UTC)
    posts = spark.createDataFrame([
        post("d1", prefs=["41"], munis=["412015"], sit=["雨", "浸水"], emo=["やば"]),
        post("d2", prefs=["41"], sit=["雨"]),
        post("d3", prefs=["41"], munis=["412015"], sit=["浸水"], at=later),
        post("n1", prefs=["41"]),
    ], POSTS)
    h1, h2 = dt.datetime(2026, 1, 2, 1), dt.datetime(2026, 1, 2, 2)  # Spark returns naive UTC
    out = disaster_hourly(posts).select("hour", "pref_code", "muni_code", "situation", "posts", "emotion_posts", "dt")
    d = "2026-01-02"
    assertDataFrameEqual(out, [
        (h1, "41", None, "雨", 2, 1, d), (h1, "00", None, "雨", 2, 1, d),
        (h1, "41", None, "浸水", 1, 1, d), (h1, "00", None, "浸水", 1, 1, d),
        (h1, "41", "412015", "雨", 1, 1, d), (h1, "41", "412015", "浸水", 1, 1, d),
        (h2, "41", None, "浸水", 1, 0, d), (h2, "00", None, "浸水", 1, 0, d), (h2, "41", "412015", "浸水", 1, 0, d),
    ])
