"""e-Stat: the real getStatsData JSON (incl. single-object CLASS), and both real CSV layouts."""

from __future__ import annotations

import copy
import json

import pyarrow as pa
import pytest
from realfiles import real

from miryoku.conform.stats import conform_table
from miryoku.sources import estat_csv
from miryoku.sources.base import FetchContext
from miryoku.sources.estat import EstatError, as_list, parse_response
from miryoku.sources.tabular import staged_dir

DT = "2026-11-20"
BODY = json.loads(real("estat/estat_getStatsData_0003005798_roudouryoku_extracted.json"))


def test_real_response_codes_names_units_and_notes():
    rows, next_key, info = parse_response(BODY, "0003005798")
    assert len(rows) == 15 and next_key is None
    assert info["class_names"]["cat02"] == "就業状態"
    assert [r["value"] for r in rows[:3]] == ["10993", "5311", "5682"]
    assert json.loads(rows[0]["cat_names"]) == {"cat01": "全産業", "cat02": "15歳以上人口", "cat03": "総数"}
    assert json.loads(rows[14]["cat_names"])["cat02"] == "非労働力人口" and rows[14]["value"] == "2575"
    assert (rows[0]["tab_name"], rows[0]["unit"], rows[0]["area_code"], rows[0]["time_code"]) == (
        "実数(人口)", "万人", "00000", "2024000101")
    assert rows[0]["stat_name"] == "労働力調査" and rows[0]["title"] == "就業状態別15歳以上人口（2000年1月～）"
    assert set(json.loads(rows[0]["notes"])) == {"*", "***", "0", "…"}


def test_single_object_note_and_class_list_variants():
    body = copy.deepcopy(BODY)
    inf = body["GET_STATS_DATA"]["STATISTICAL_DATA"]
    inf["DATA_INF"]["NOTE"] = {"@char": "x", "$": "秘匿"}
    inf["DATA_INF"]["VALUE"] = dict(inf["DATA_INF"]["VALUE"][0], **{"$": "x"})
    inf["CLASS_INF"]["CLASS_OBJ"] = inf["CLASS_INF"]["CLASS_OBJ"][0]  # one CLASS_OBJ, itself one CLASS
    rows, _, _ = parse_response(body, "id")
    assert len(rows) == 1 and rows[0]["tab_name"] == "実数(人口)" and json.loads(rows[0]["notes"]) == {"x": "秘匿"}
    assert as_list(None) == [] and as_list({"a": 1}) == [{"a": 1}]


def test_status_errors_and_missing_root():
    with pytest.raises(EstatError, match="STATUS 103.*データが存在しません"):
        parse_response({"GET_STATS_DATA": {"RESULT": {"STATUS": "103", "ERROR_MSG": "指定された統計表データが存在しません。"}}},
                       "x")
    with pytest.raises(EstatError, match="no GET_STATS_DATA"):
        parse_response({"GET_STATS_LIST": {}}, "x")
    assert parse_response({"GET_STATS_DATA": {"RESULT": {"STATUS": 1}}}, "x") == ([], None, {})


def ingest(lake, rel, **options):
    lake.write_bytes(f"landing/files/ef/dt={DT}/{rel.rsplit('/', 1)[1]}", real(rel))
    ctx = FetchContext(DT, "run-ef")
    stats = estat_csv.ingest(lake, ctx, "ef", options)
    bronze = lake.read_parquet(staged_dir(ctx, "stat_values_v1", "ef"))
    silver, rejected = conform_table(bronze)
    return stats, bronze.to_pylist(), silver.to_pylist(), rejected


def test_db_download_wide_shift_jis(lake):
    stats, bronze, silver, rejected = ingest(lake, "estat/estat_FEH_00200524_jinkou_suikei_by_pref_sjis.csv",
                                             dataset_id="00200524-jinkou")
    assert stats["rows_out"] == 48 * 5 and not rejected
    assert bronze[0]["encoding"] == "shift_jis" and bronze[0]["value"] == "127,095"
    national = [r for r in silver if r["area_name"] == "全国"]
    assert [(r["period"], r["value"]) for r in national] == [
        ("2015", 127095.0), ("2016", 126933.0), ("2017", 126706.0), ("2018", 126443.0), ("2019", 126167.0)]
    assert {r["pref_code"] for r in national} == {"00"} and national[0]["unit"] == "千人"
    aomori = [r for r in silver if r["area_name"] == "青森県"]
    assert [r["value"] for r in aomori] == [1308.0, 1293.0, 1278.0, 1263.0, 1246.0] and aomori[0]["pref_code"] == "02"
    okinawa = [r for r in silver if r["area_name"] == "沖縄県"]
    assert okinawa[-1]["value"] == 1453.0 and okinawa[-1]["pref_code"] == "47"
    assert json.loads(national[0]["cat_names"]) == {"男女別": "男女計", "人口": "総人口"}
    assert len({r["pref_code"] for r in silver}) == 48


def test_api_csv_long_layout(lake):
    stats, bronze, silver, rejected = ingest(
        lake, "estat/estat_getSimpleStatsData_0003005798_roudouryoku_extracted.csv", dataset_id="0003005798")
    assert stats["rows_out"] == 15 and not rejected
    first = silver[0]
    assert (first["tab_code"], first["area_code"], first["time_code"], first["period"]) == (
        "01", "00000", "2024000101", "2024-01")
    assert (first["value"], first["unit"], first["pref_code"]) == (10993.0, "万人", "00")
    assert json.loads(first["cat_codes"]) == {"cat01": "000", "cat02": "00", "cat03": "0"}
    assert json.loads(first["cat_names"])["cat03"] == "総数"
    assert [r["value"] for r in silver][-3:] == [4109.0, 1534.0, 2575.0]


def test_api_csv_with_section_header_and_annotation(lake):
    text = ('"RESULT"\n"STATUS","0"\n"ERROR_MSG","正常に終了しました。"\n\n"VALUE"\n'
            '"tab_code","表章項目","area_code","地域","time_code","時間軸（年次）","unit","value","annotation"\n'
            '"01","人口","02000","青森県","2020000000","2020年","人","1237984",""\n'
            '"01","人口","02201","青森市","2020000000","2020年","人","x","秘匿"\n')
    lake.write_bytes(f"landing/files/ef2/dt={DT}/sec.csv", text.encode("utf-8"))
    ctx = FetchContext(DT, "run-ef2")
    estat_csv.ingest(lake, ctx, "ef2", {})
    silver, rejected = conform_table(lake.read_parquet(staged_dir(ctx, "stat_values_v1", "ef2")))
    rows = silver.to_pylist()
    assert [(r["pref_code"], r["muni_code"], r["value"], r["note_flag"], r["period"]) for r in rows] == [
        ("02", None, 1237984.0, None, "2020"), ("02", "022012", None, "x", "2020")]
    assert rows[1]["annotation"] == "秘匿"


def test_unparseable_value_is_quarantined():
    table = pa.Table.from_pylist([{"source": "s", "dataset_id": "d", "value": "12a", "time_name": "2020年",
                                   "source_url": "u", "row_no": 3, "notes": None}])
    silver, rejected = conform_table(table)
    assert silver.num_rows == 0 and rejected[0].reason == "bad_number" and rejected[0].location == "u:3"
