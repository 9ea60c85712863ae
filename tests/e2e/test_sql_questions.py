"""Every analyst question in sql/questions runs on the sample lake and returns plausible rows."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.spark]
ROOT = Path(__file__).resolve().parents[2]
VARIABLES = {"pref_code": "41", "dt_from": "2026-01-01", "dt_to": "2026-01-31", "product_group": "ロールケーキ",
             "month": "2026-01", "item": "いちご", "dt": "2026-01-10", "top_n": "10", "min_posts": "5"}


@pytest.fixture(scope="module")
def con(sample_lake):
    from miryoku.report import connect

    return connect(sample_lake)


def ask(con, name: str) -> list[dict]:
    from miryoku.report.queries import run_file

    columns, rows = run_file(con, ROOT / "sql" / "questions" / name, VARIABLES)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_every_gold_table_has_rows(con):
    for table in ("term_daily_v1", "category_daily_v1", "product_volume_daily_v1", "cooccurrence_monthly_v1",
                  "shipment_buzz_monthly_v1", "disaster_hourly_v1"):
        assert con.execute(f"select count(*) from {table}").fetchone()[0] > 0, table


def test_what_is_said_about_our_place(con):
    rows = ask(con, "01_what_is_said_about_our_place.sql")
    terms = [r["label"] for r in rows if r["kind"] == "term"]
    categories = {r["label"] for r in rows if r["kind"] == "category"}
    assert "佐賀" not in terms and "saga" not in terms  # place names are left out
    assert {"いちご", "さがほのか"} & set(terms[:5])
    assert categories & {"観光/食べる", "気付き/おどろく", "観光/見る"}


def test_our_product_vs_competitors(con):
    rows = ask(con, "02_our_product_vs_competitors.sql")
    assert len(rows) >= 3
    assert {r["origin_pref_code"] for r in rows} >= {"03", "01", "06"}
    assert abs(sum(r["share_of_voice_period"] for r in rows) - 1.0) < 0.01


def test_thing_itself_or_derived_goods(con):
    rows = {(r["anchor_term"], r["pref_code"]): r for r in ask(con, "03_thing_itself_or_derived_goods.sql")}
    milk, apples = rows[("牛乳", "01")], rows[("りんご", "02")]
    assert milk["mostly_about"] == "加工品が中心" and milk["derived_share"] > apples["derived_share"]
    assert apples["mostly_about"] == "そのものが中心"
    place_names = {"北海道", "青森", "hokkaido", "aomori"}
    for row in rows.values():
        assert not set((row["co_terms"] or "").split("、")) & place_names, row


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
    assert {r["hour_jst"].hour for r in rows} <= set(range(13, 21))  # the afternoon episode, in JST
    assert {r["pref_name"] for r in rows} >= {"佐賀県", "福岡県"}


def test_distinctive_terms(con):
    rows = ask(con, "06_distinctive_terms.sql")
    by_pref = {}
    for r in rows:
        by_pref.setdefault(r["pref_code"], []).append(r["term"])
        assert r["posts"] >= 5
        assert abs(r["distinctiveness"] - (r["posts"] / r["pref_posts"]) / (
            r["national_term_posts"] / r["national_posts"])) < 1e-9
    assert "佐賀" not in by_pref["41"] and "北海道" not in by_pref.get("01", [])


def test_an_unset_variable_is_an_error_naming_it(con):
    from miryoku.report.queries import QueryInputError, run_file

    with pytest.raises(QueryInputError, match="'dt_to'"):
        run_file(con, ROOT / "sql" / "questions" / "06_distinctive_terms.sql", {"dt_from": "2026-01-01"})


@pytest.mark.parametrize("table", ["term_daily", "category_daily", "product_volume_daily", "cooccurrence_monthly",
                                   "shipment_buzz_monthly", "disaster_hourly"])
def test_each_gold_tables_query_returns_rows(con, table):
    from miryoku.report.queries import run_file

    _columns, rows = run_file(con, ROOT / "sql" / table / "query.sql", VARIABLES)
    assert rows, table
