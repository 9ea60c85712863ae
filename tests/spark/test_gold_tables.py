"""The gold tables on small hand-built silver days (per-post term arrays); expected values by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.testing import assertDataFrameEqual

from jobs import gold_daily, gold_monthly
from jobs.gold_disaster_hourly import disaster_hourly

pytestmark = pytest.mark.spark

DAY = ("post_id string, dt string, posted_at timestamp, pref_codes array<string>, muni_codes array<string>, "
       "categories array<string>, products array<string>, disaster_situations array<string>, "
       "disaster_emotions array<string>, is_duplicate_of string, "
       "terms array<struct<term: string, lemma: string, pos: string, n: int>>")
T0 = dt.datetime(2026, 1, 2, 1, 10, tzinfo=dt.UTC)


def post(pid, day="2026-01-02", prefs=(), munis=(), cats=(), prods=(), sit=(), emo=(), dup=None, at=T0, terms=()):
    rows = [(t[0], t[1], t[2], t[3]) if isinstance(t, tuple) else (t, t, "名詞", 1) for t in terms]
    return (pid, day, at, list(prefs), list(munis), list(cats), list(prods), list(sit), list(emo), dup, rows)


def day(spark, posts):
    return spark.createDataFrame(posts, DAY)


def places(spark, names=("青森",)):
    return spark.createDataFrame([(n,) for n in names], gold_daily.PLACE_NAMES_SCHEMA)


def test_term_daily_counts_posts_and_occurrences_per_prefecture_and_all_japan(spark):
    ringo, taberu = ("りんご", "林檎", "名詞", 2), ("食べる", "食べる", "動詞", 1)
    rows = day(spark, [
        post("p1", prefs=["02"], terms=[ringo, ("青森", "アオモリ", "名詞", 1)]),
        post("p2", prefs=["02", "03"], terms=[("りんご", "林檎", "名詞", 1)]),  # counts for each prefecture
        post("p3", terms=[("りんご", "林檎", "名詞", 1)]),                      # no place: only all Japan
        post("p4", prefs=["02"], dup="p1", terms=[("りんご", "林檎", "名詞", 5)]),  # duplicate: not counted
        post("p5", day="2026-01-03", prefs=["02"], terms=[taberu]),
    ])
    assertDataFrameEqual(gold_daily.term_daily(rows, places(spark)), [
        ("2026-01-02", "02", "りんご", "林檎", "名詞", 2, 3, False),
        ("2026-01-02", "03", "りんご", "林檎", "名詞", 1, 1, False),
        ("2026-01-02", "00", "りんご", "林檎", "名詞", 3, 4, False),
        ("2026-01-02", "02", "青森", "アオモリ", "名詞", 1, 1, True),
        ("2026-01-02", "00", "青森", "アオモリ", "名詞", 1, 1, True),
        ("2026-01-03", "02", "食べる", "食べる", "動詞", 1, 1, False),
        ("2026-01-03", "00", "食べる", "食べる", "動詞", 1, 1, False),
    ])
    assertDataFrameEqual(gold_daily.pref_daily(rows), [
        ("2026-01-02", "02", 2), ("2026-01-02", "03", 1), ("2026-01-02", "00", 3),
        ("2026-01-03", "02", 1), ("2026-01-03", "00", 1)])


def test_category_daily_counts_each_post_once_per_subcategory_and_prefecture(spark):
    rows = day(spark, [
        post("p1", prefs=["41"], cats=["観光/食べる", "気付き/おどろく"]),
        post("p2", prefs=["41", "02"], cats=["観光/食べる", "観光/食べる"]),
        post("p3", prefs=[], cats=["くらす/環境"]),
        post("p4", prefs=["41"], cats=["観光/食べる"], dup="p2"),
    ])
    assertDataFrameEqual(gold_daily.category_daily(rows), [
        ("2026-01-02", "41", "観光", "食べる", 2), ("2026-01-02", "02", "観光", "食べる", 1),
        ("2026-01-02", "00", "観光", "食べる", 2), ("2026-01-02", "41", "気付き", "おどろく", 1),
        ("2026-01-02", "00", "気付き", "おどろく", 1), ("2026-01-02", "00", "くらす", "環境", 1),
    ])


def test_product_volume_share_of_voice_and_spike_over_days_with_data(spark):
    products = spark.createDataFrame([("Aロール", "ロールケーキ", "03"), ("Bロール", "ロールケーキ", "01"),
                                      ("あまおう", "いちご", "40")], gold_monthly.PRODUCTS_SCHEMA)
    rows = day(spark, [post(f"a{i}", prods=["Aロール"]) for i in range(6)]
               + [post(f"b{i}", prods=["Bロール"]) for i in range(2)]
               + [post("b-dup", prods=["Bロール"], dup="b0"), post("s1", prods=["あまおう"])])
    mentions = gold_daily.product_mentions(rows)
    history = spark.createDataFrame([("2025-12-31", "Aロール", 1), ("2026-01-01", "Aロール", 1),
                                     ("2026-01-01", "Bロール", 4)], "dt string, product string, posts long")
    # the lake has data on 12-31 and 01-01 only: baselines A = 2/2 = 1.0 (6 posts: a spike), B = 4/2 = 2.0
    with_data = spark.createDataFrame([("2025-12-31",), ("2026-01-01",)], "dt string")
    assertDataFrameEqual(gold_monthly.product_volume_daily(mentions, products, history, with_data), [
        ("2026-01-02", "ロールケーキ", "Aロール", "03", 6, 0.75, 1.0, True),
        ("2026-01-02", "ロールケーキ", "Bロール", "01", 2, 0.25, 2.0, False),
        ("2026-01-02", "いちご", "あまおう", "40", 1, 1.0, 0.0, False),
    ])


def test_no_spike_on_the_first_day_of_the_lake(spark):
    products = spark.createDataFrame([("Aロール", "ロールケーキ", "03")], gold_monthly.PRODUCTS_SCHEMA)
    mentions = spark.createDataFrame([("2026-01-02", "Aロール", 9)], "dt string, product string, posts long")
    out = gold_monthly.product_volume_daily(mentions, products, mentions, spark.createDataFrame([], "dt string"))
    assertDataFrameEqual(out.select("posts", "baseline_posts", "is_spike"), [(9, None, False)])


def test_cooccurrence_lift_and_derived_share_summed_from_daily_partials(spark):
    # 北海道 (01): m1 牛乳+ソフト, m2 牛乳+ソフト (next day), m3 牛乳+カステラ; elsewhere: x1 ソフト, x2 りんご
    rows = day(spark, [post("m1", prefs=["01"], terms=["牛乳", "ソフト"]),
                       post("m2", day="2026-01-03", prefs=["01"], terms=["牛乳", "ソフト"]),
                       post("m3", prefs=["01"], terms=["牛乳", "カステラ"]),
                       post("x1", terms=["ソフト"]), post("x2", prefs=["02"], terms=["りんご"])])
    anchors = spark.createDataFrame([("牛乳", "ソフト"), ("牛乳", "カステラ"), ("りんご", None)],
                                    gold_daily.ANCHORS_SCHEMA)
    tables = gold_daily.daily_tables(rows, places(spark), anchors,
                                     spark.createDataFrame([], gold_daily.ITEM_TERMS_SCHEMA))
    out = gold_monthly.cooccurrence_monthly(tables["partial_cooccurrence_pairs"], tables["partial_anchor_posts"],
                                            tables["partial_term_posts"], tables["pref_daily"], min_posts=1)
    # month posts = 5; ソフト in 3 posts; P(ソフト|牛乳,01) = 2/3 → lift (2/3)/(3/5) = 1.1111
    # カステラ: (1/3)/(1/5) = 1.6667; all 3 牛乳 posts name a derived good → derived share 1.0
    assertDataFrameEqual(out.where("pref_code = '01'"), [
        ("2026-01", "牛乳", "01", "ソフト", 2, 1.1111, 3, 1.0),
        ("2026-01", "牛乳", "01", "カステラ", 1, 1.6667, 3, 1.0),
    ])


def test_shipment_buzz_full_outer_join_with_shares_and_months_without_shipments(spark):
    shipments = spark.createDataFrame([
        ("いちご", "09", "2026-01", 300.0, "t"), ("いちご", "40", "2026-01", 100.0, "t"),
        ("いちご", "40", "2026-03", 50.0, "t"),  # March: shipments, no posts
    ], "item string, pref_code string, month string, quantity double, unit string")
    rows = day(spark, [post("s1", prefs=["09"], terms=["いちご"]), post("s2", prefs=["40"], terms=["苺"]),
                       post("s3", prefs=["40"], terms=["あまおう"]),
                       post("f1", day="2026-02-03", prefs=["09"], terms=["いちご"])])  # February: no shipments
    items = spark.createDataFrame([("いちご", "いちご"), ("いちご", "苺"), ("いちご", "あまおう")],
                                  gold_daily.ITEM_TERMS_SCHEMA)
    buzz = gold_monthly.shipment_buzz_monthly(shipments, gold_daily.item_posts(rows, items))
    assertDataFrameEqual(buzz, [
        ("2026-01", "いちご", "09", 300.0, "t", 1, 0.75, 0.333333),
        ("2026-01", "いちご", "40", 100.0, "t", 2, 0.25, 0.666667),
        ("2026-02", "いちご", "09", None, None, 1, None, 1.0),
        ("2026-03", "いちご", "40", 50.0, "t", 0, 1.0, None),
    ])


def test_disaster_hourly_per_prefecture_and_municipality(spark):
    later = dt.datetime(2026, 1, 2, 2, 5, tzinfo=dt.UTC)
    rows = day(spark, [
        post("d1", prefs=["41"], munis=["412015"], sit=["雨", "浸水"], emo=["やば"]),
        post("d2", prefs=["41"], sit=["雨"]),
        post("d3", prefs=["41"], munis=["412015"], sit=["浸水"], at=later),
        post("n1", prefs=["41"]),
    ])
    h1, h2 = dt.datetime(2026, 1, 2, 1), dt.datetime(2026, 1, 2, 2)  # Spark returns naive UTC
    out = disaster_hourly(rows).select("hour", "pref_code", "muni_code", "situation", "posts", "emotion_posts", "dt")
    d = "2026-01-02"
    assertDataFrameEqual(out, [
        (h1, "41", None, "雨", 2, 1, d), (h1, "00", None, "雨", 2, 1, d),
        (h1, "41", None, "浸水", 1, 1, d), (h1, "00", None, "浸水", 1, 1, d),
        (h1, "41", "412015", "雨", 1, 1, d), (h1, "41", "412015", "浸水", 1, 1, d),
        (h2, "41", None, "浸水", 1, 0, d), (h2, "00", None, "浸水", 1, 0, d), (h2, "41", "412015", "浸水", 1, 0, d),
    ])


def test_monthly_sums_read_the_partials_an_unfinished_commit_holds_back(spark, lake, monkeypatch):
    """A run that died between two tables of its commit is served all old: the next build reads the
    previous partial of every day, wherever the commit keeps it."""
    import pyarrow as pa

    from jobs.gold_nightly import read_partial
    from miryoku.lake import publish
    from miryoku.lake.commit import publish_run

    def stage(run, table, day, terms):
        lake.write_parquet(f"{publish.staging_table(run, 'gold', table)}/dt={day}/part-0.parquet",
                           pa.table({"term": terms, "posts": pa.array([1] * len(terms), pa.int64())}))

    parts = [("gold", "partial_term_posts", "dt", ["2026-01-01", "2026-01-02"]), ("gold", "pref_daily", "dt", [])]
    stage("r1", "partial_term_posts", "2026-01-01", ["りんご"])
    stage("r1", "partial_term_posts", "2026-01-02", ["いちご"])
    publish_run(lake, "r1", "r1", parts)
    stage("r2", "partial_term_posts", "2026-01-02", ["和牛"])
    real = publish.publish_partitions

    def dies_before_pref_daily(lake_, run_key, run_id, layer, table, values, key="dt"):
        if table == "pref_daily":
            raise SystemExit("killed")
        return real(lake_, run_key, run_id, layer, table, values, key)

    monkeypatch.setattr(publish, "publish_partitions", dies_before_pref_daily)
    with pytest.raises(SystemExit):
        publish_run(lake, "r2", "r2", parts)
    assert lake.exists("_published/_pending/r2.json")  # r2 swapped partial_term_posts, never committed
    got = read_partial(spark, lake, "r3", "partial_term_posts", ["2026-01-01", "2026-01-02"], set())
    assert sorted(tuple(r) for r in got.select("dt", "term", "posts").collect()) == [
        ("2026-01-01", "りんご", 1), ("2026-01-02", "いちご", 1)]
