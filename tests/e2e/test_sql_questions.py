"""Every analyst question in sql/questions runs on the sample lake and returns plausible rows."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.spark]
ROOT = Path(__file__).resolve().parents[2]
DATES = ["2026-01-08", "2026-01-09", "2026-01-10"]
VARIABLES = {"pref_code": "'41'", "dt_from": "'2026-01-01'", "dt_to": "'2026-01-31'",
             "product_group": "'ロールケーキ'", "month": "'2026-01'", "item": "'いちご'", "dt": "'2026-01-10'",
             "top_n": "10"}


@pytest.fixture(scope="module")
def con(tmp_path_factory, airflow_db):
    from miryoku.demo import run_disaster_watch
    from miryoku.lake import Lake
    from miryoku.pipeline import run_all
    from miryoku.report import connect

    lake = Lake.from_settings(str(tmp_path_factory.mktemp("sample") / "lake"))
    for day in DATES:
        run_all(day, f"test-{day}", ["sample", "sample_shipments"], lake.root)
    assert all("success" in s for s in run_disaster_watch(["2026-01-10T21"], lake.root))
    connection = connect(lake)
    for name, value in VARIABLES.items():
        connection.execute(f"set variable {name} = {value}")
    return connection


def ask(con, name: str) -> list[dict]:
    cursor = con.execute((ROOT / "sql" / "questions" / name).read_text("utf-8"))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_every_gold_table_has_rows(con):
    for table in ("term_daily_v1", "category_daily_v1", "product_volume_daily_v1", "cooccurrence_monthly_v1",
                  "shipment_buzz_monthly_v1", "disaster_hourly_v1"):
        assert con.execute(f"select count(*) from {table}").fetchone()[0] > 0, table


def test_what_is_said_about_our_place(con):
    rows = ask(con, "01_what_is_said_about_our_place.sql")
    terms = [r["label"] for r in rows if r["kind"] == "term"]
    categories = {r["label"] for r in rows if r["kind"] == "category"}
    assert "佐賀" in terms[:3]
    assert categories & {"観光/食べる", "気付き/おどろく", "観光/見る"}


def test_our_product_vs_competitors(con):
    rows = ask(con, "02_our_product_vs_competitors.sql")
    assert len(rows) >= 3
    assert {r["origin_pref_code"] for r in rows} >= {"03", "01", "06"}
    assert abs(sum(r["share_of_voice_period"] for r in rows) - 1.0) < 0.01


def test_thing_itself_or_derived_goods(con):
    rows = {(r["anchor_term"], r["pref_code"]): r for r in ask(con, "03_thing_itself_or_derived_goods.sql")}
    milk, apples = rows[("牛乳", "01")], rows[("りんご", "02")]
    assert milk["mostly_about"] == "derived goods" and milk["derived_share"] > apples["derived_share"]
    assert apples["mostly_about"] == "the thing itself"


def test_competing_regions_and_seasons(con):
    rows = ask(con, "04_competing_regions_and_seasons.sql")
    january = [r for r in rows if r["month"] == "2026-01"]
    leader = min(january, key=lambda r: r["shipment_rank"])
    assert leader["pref_code"] == "09" and leader["pref_name"] == "栃木県"
    assert all(0 <= (r["shipment_share"] or 0) <= 1 for r in rows)


def test_disaster_where_and_when(con):
    rows = ask(con, "05_disaster_where_and_when.sql")
    assert {r["situation"] for r in rows} >= {"雨", "浸水", "通行止"}
    assert {r["pref_code"] for r in rows} >= {"41", "40"}
    jst_hours = {(r["hour"].hour + 9) % 24 for r in rows}
    assert jst_hours <= set(range(13, 21))


@pytest.mark.parametrize("table", ["term_daily", "category_daily", "product_volume_daily", "cooccurrence_monthly",
                                   "shipment_buzz_monthly", "disaster_hourly"])
def test_each_gold_tables_query_returns_rows(con, table):
    rows = con.execute((ROOT / "sql" / table / "query.sql").read_text("utf-8")).fetchall()
    assert rows, table
