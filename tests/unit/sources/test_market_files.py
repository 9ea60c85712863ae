"""Both real 金沢市中央卸売市場 files through csv_market and shipments_v1; a monthly 和暦 layout too."""

from __future__ import annotations

import pytest
from realfiles import real

from miryoku.conform.shipments import conform_table
from miryoku.sources import market
from miryoku.sources.base import FetchContext
from miryoku.sources.tabular import staged_dir

DT = "2026-11-20"
KANAZAWA = {"market": "金沢市中央卸売市場",
            "columns": {"item": "品名", "origin": "産地", "period": "販売年", "quantity": "数量（Kg）", "amount": "金額（円）"}}


def load(lake, files: dict[str, bytes], options: dict, name="mk"):
    for file_name, data in files.items():
        lake.write_bytes(f"landing/files/{name}/dt={DT}/{file_name}", data)
    ctx = FetchContext(DT, "run-mk")
    stats = market.ingest(lake, ctx, name, options)
    bronze = lake.read_parquet(staged_dir(ctx, "shipments_raw_v1", name))
    silver, rejected = conform_table(bronze)
    return stats, bronze.to_pylist(), silver.to_pylist(), rejected


def find(rows, **kw):
    return [r for r in rows if all(r[k] == v for k, v in kw.items())]


def test_reitougyo_mixed_quoting_separators_and_negative_corrections(lake):
    rel = "market/kanazawa_chuo_oroshi_suisan_reitougyo_by_origin_annual.csv"
    stats, bronze, silver, rejected = load(lake, {"reitougyo.csv": real(rel)}, KANAZAWA)
    assert stats["rows_out"] == 10962 and not rejected
    assert bronze[0]["quantity"] == "833" and bronze[0]["amount"] == "1,656,355"  # as written (quoted in file)
    assert bronze[0]["encoding"] == "utf-8-sig" and bronze[0]["unit"] == "kg"
    first = silver[0]
    assert (first["item"], first["origin"], first["pref_code"], first["year"], first["month"]) == (
        "冷凍まぐろ", "宮城", "04", 2000, None)
    assert (first["quantity"], first["amount"], first["unit"], first["grain"]) == (833.0, 1656355.0, "kg", "year")
    bare = find(silver, year=2000, item="冷凍まぐろ", origin="新潟")[0]  # `9` unquoted in the same column
    assert (bare["quantity"], bare["amount"]) == (9.0, 12285.0)
    tai = find(silver, year=2013, item="冷凍たい", origin="鹿児島")[0]
    assert (tai["quantity"], tai["amount"], tai["note_flag"]) == (-252.0, -169743.0, "negative")
    last = silver[-1]
    assert (last["item"], last["origin"], last["pref_code"], last["quantity"]) == ("その他\u3000冷凍魚", "佐賀", "41",
                                                                                  19930.0)
    assert {r["pref_code"] for r in silver} <= {f"{i:02d}" for i in range(1, 48)}
    assert None not in {r["pref_code"] for r in silver}


def test_enkan_sign_inconsistencies_are_kept_and_flagged(lake):
    rel = "market/kanazawa_chuo_oroshi_suisan_enkan_by_origin_annual.csv"
    stats, _, silver, rejected = load(lake, {"enkan.csv": real(rel)}, KANAZAWA)
    assert stats["rows_out"] == 14912 and not rejected
    first = silver[0]
    assert (first["item"], first["origin"], first["pref_code"], first["quantity"], first["amount"]) == (
        "塩さけ", "北海道", "01", 560948.0, 330107094.0)
    taduk = find(silver, year=2002, item="たづくり", origin="兵庫")[0]
    assert (taduk["quantity"], taduk["amount"], taduk["note_flag"], taduk["pref_code"]) == (-64.0, 60900.0,
                                                                                          "negative", "28")
    assert sum(1 for r in silver if r["note_flag"] == "negative") == 5
    tokyo = find(silver, origin="東京")
    assert tokyo and {r["pref_code"] for r in tokyo} == {"13"}
    assert {r["pref_code"] for r in find(silver, origin="京都")} == {"26"}


MONTHLY = """品目,産地,年月,数量(t)
いちご,栃木県,令和元年5月,"1,234"
いちご,福岡,令和元年6月,x
いちご,佐賀県,平成31年4月,△12
いちご,全国,令和元年5月,"5,000"
いちご,外国,令和元年5月,3
いちご,茨城,平成31年5月,10
,栃木,令和元年5月,1
"""


def test_monthly_wareki_layout_with_marks(lake):
    options = {"columns": {"item": "品目", "origin": "産地", "period": "年月", "quantity": "数量(t)"},
               "market": "synthetic test layout"}
    stats, _, silver, rejected = load(lake, {"ichigo.csv": MONTHLY.encode("cp932")}, options)
    assert stats["rows_out"] == 7
    got = [(r["pref_code"], r["month"], r["quantity"], r["note_flag"], r["unit"]) for r in silver]
    assert got == [("09", "2019-05", 1_234_000.0, None, "kg"), ("40", "2019-06", None, "x", "kg"),
                   ("41", "2019-04", -12_000.0, "negative", "kg"), ("00", "2019-05", 5_000_000.0, None, "kg"),
                   (None, "2019-05", 3000.0, None, "kg")]  # tonnes as kg: one unit per item in silver
    assert {(r["unit_raw"], r["unit_factor"]) for r in silver} == {("t", 1000.0)}
    assert silver[0]["quantity_raw"] == "1,234"
    assert sorted(r.reason for r in rejected) == ["bad_period", "missing_item"]  # 平成31年5月 does not exist


def test_missing_column_configuration_and_unexpected_header(lake):
    with pytest.raises(ValueError, match="columns must name"):
        load(lake, {"a.csv": b"a,b\n1,2\n"}, {"columns": {"item": "a"}})
    stats, _, silver, _ = load(lake, {"b.csv": b"x,y\n1,2\n"}, KANAZAWA, name="mk2")
    assert silver == [] and stats["quarantine_reasons"] == {"unexpected_header": 1}
