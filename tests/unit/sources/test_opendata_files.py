"""Every real open-data and code-master CSV through the opendata connector and its silver schema.

Expected values are read by hand from the files (row numbers count the header as 1).
"""

from __future__ import annotations

import json

import pytest
from realfiles import real

from miryoku.conform.opendata import conform_table
from miryoku.sources import opendata
from miryoku.sources.base import FetchContext
from miryoku.sources.tabular import staged_dir

DT = "2026-11-20"
POSTAL_COLUMNS = ["全国地方公共団体コード", "旧郵便番号", "郵便番号", "都道府県名カナ", "市区町村名カナ", "町域名カナ",
                  "都道府県名", "市区町村名", "町域名", "flag1", "flag2", "flag3", "flag4", "flag5", "flag6"]


def load(lake, rel, dataset, **options):
    name = "od"
    lake.write_bytes(f"landing/files/{name}/dt={DT}/{rel.rsplit('/', 1)[1]}", real(rel))
    ctx = FetchContext(DT, "run-od")
    stats = opendata.ingest(lake, ctx, name, {"dataset": dataset, **options})
    bronze = lake.read_parquet(staged_dir(ctx, f"opendata_{dataset}_v1", name))
    silver, rejected = conform_table(dataset, bronze)
    return stats, bronze.to_pylist(), silver.to_pylist(), rejected


def by(rows, key, value):
    return next(r for r in rows if r[key] == value)


def test_handa_tourism(lake):
    stats, bronze, silver, rejected = load(lake, "opendata/handa_232050_kanko.csv", "tourism")
    assert stats["rows_out"] == 27 and not rejected
    assert bronze[0]["encoding"] == "utf-8" and bronze[0]["line_ending"] == "CRLF" and len(bronze[0]["checksum"]) == 64
    akarenga = silver[0]
    assert (akarenga["muni_code"], akarenga["record_id"], akarenga["name"]) == ("232050", "KN0001", "半田赤レンガ建物")
    assert (akarenga["lat"], akarenga["lon"]) == (34.901626, 136.928439)
    assert akarenga["image"] == "https://s3-ap-northeast-1.amazonaws.com/hnd-kanko/1_akarenga.JPG"
    assert json.loads(akarenga["attributes"])["郵便番号"] == "4750867"
    teien = by(silver, "record_id", "KN0005")  # U+2010 hyphens in the phone number
    assert teien["phone"] == "0569‐84‐0689" and teien["phone_norm"] == "0569-84-0689"
    kn20 = by(silver, "record_id", "KN0020")  # full-width hyphens
    assert kn20["phone"] == "0569－47－8015" and kn20["phone_norm"] == "0569-47-8015"
    assert "KN0009" not in {r["record_id"] for r in silver}


def test_komae_aed_old_layout(lake):
    stats, _, silver, rejected = load(lake, "opendata/komae_132195_aed.csv", "aed")
    assert stats["rows_out"] == 57 and not rejected
    first = silver[0]
    assert (first["muni_code"], first["name"], first["name_kana"]) == ("132195", "狛江市役所", "ｺﾏｴｼﾔｸｼｮ")
    assert first["address"] == "狛江市和泉本町１丁目１番5号"  # text kept as written
    assert first["url"] == "https://www.city.komae.tokyo.jp/index.cfm/42,73691,328,2043,html"  # quoted commas
    assert first["extension"] == "2442・2421"
    typo = by(silver, "name", "狛江市立狛江第四中学校")
    assert typo["address"] == "狛氏東野川４丁目1番1号"  # a real typo, not "fixed"
    last = by(silver, "name", "和泉多摩川地区センター")
    assert last["phone"] == "なし" and last["phone_norm"] is None and last["open_days"] == "全日・全時間帯使用可"


def test_tokyo_covid_patients(lake):
    stats, bronze, silver, rejected = load(lake, "opendata/tokyo_130001_covid19_patients_bom.csv", "covid19_patients")
    assert stats["rows_out"] == 891 and not rejected and bronze[0]["encoding"] == "utf-8-sig"
    assert (silver[0]["muni_code"], silver[0]["announced_date"], silver[0]["residence"]) == (
        "130001", "2020-01-24", "湖北省武漢市")
    residences = [r["residence"] for r in silver]
    assert residences.count("調査中") == 202 and residences.count(None) == 18
    assert (residences.count("-"), residences.count("‐"), residences.count("―")) == (4, 3, 2)
    assert by(silver, "record_id", "665")["sex"] == "男"
    assert silver[3]["discharged"] is None and silver[0]["discharged"] == "1"


def test_hamamatsu_shelters_bad_check_digit_is_quarantined(lake):
    stats, bronze, silver, rejected = load(lake, "opendata/hamamatsu_221390_hinanjo_bom.csv", "shelters")
    assert stats["rows_out"] == 182 and len(bronze) == 182
    assert silver == [] and len(rejected) == 182
    assert {r.reason for r in rejected} == {"bad_muni_code"}
    assert "check digit 0 is wrong (expected 2)" in rejected[0].detail
    assert json.loads(rejected[0].raw)["避難所名称"] == "浜松中部学園"


def test_hamamatsu_rows_load_when_the_code_is_right(lake):
    data = real("opendata/hamamatsu_221390_hinanjo_bom.csv").replace(b"\n221390,", b"\n221309,")
    lake.write_bytes(f"landing/files/hm/dt={DT}/hinanjo.csv", data)
    ctx = FetchContext(DT, "run-hm")
    opendata.ingest(lake, ctx, "hm", {"dataset": "shelters"})
    silver, rejected = conform_table("shelters", lake.read_parquet(staged_dir(ctx, "opendata_shelters_v1", "hm")))
    rows = silver.to_pylist()
    assert len(rows) == 182 and not rejected
    assert (rows[0]["record_id"], rows[0]["name"], rows[0]["capacity"], rows[0]["ward"]) == ("001", "浜松中部学園",
                                                                                            1136.0, "中央区")
    assert by(rows, "name", "（旧）北小学校")["phone"] == "-" and by(rows, "name", "（旧）北小学校")["phone_norm"] is None
    assert rows[0]["phone_norm"] == "053-454-6406"


def test_minato_wifi_footer_is_quarantined(lake):
    stats, _, silver, rejected = load(lake, "opendata/minato_131032_public_wireless_lan_EXCERPT.csv", "wifi")
    assert stats["rows_out"] == 8 and stats["quarantine_reasons"] == {"footer_row": 1} and not rejected
    assert [r["record_id"][-3:] for r in silver] == ["001", "002", "003", "131", "132", "029", "154", "040"]
    assert silver[0]["name"] == "虎ノ門駅９番口" and silver[1]["name"] == "内幸町駅Ａ４番口"
    assert by(silver, "record_id", "EE0000000029")["name_en"] == "Shirokanedai Station Exit 1"
    assert silver[0]["ssid"] == "Minato_City_Wi-Fi" and silver[0]["lat"] == 35.669865
    footer = lake.read_bytes(f"quarantine/opendata_wifi_v1/dt={DT}/od.jsonl").decode()
    assert "Ver202403" in footer


def test_sabae_event_without_code_uses_the_configured_one(lake):
    stats, _, silver, rejected = load(lake, "opendata/sabae_182079_event_774_bom.csv", "events", muni_code="182079")
    assert stats["rows_out"] == 823 and not rejected
    first = silver[0]
    assert (first["name"], first["start_date"], first["venue"]) == ("新横江地区\u3000クリスマス会", "2015-12-17",
                                                                    "鯖江市新横江公民館")
    assert first["muni_code"] == "182079" and first["lat"] == 35.942024
    nijiiro = by(silver, "name", "子育て支援センタ−\u3000にじいろ一周年記念\u3000あそびの広場")
    assert nijiiro["schedule"] == "9:20〜12：00\u3000\u300013:30〜16:00"  # stripped, otherwise as written
    assert nijiiro["lat"] is None and nijiiro["start_date"] == "2022-04-23"


def test_sabae_event_without_any_code_is_quarantined(lake):
    _, _, silver, rejected = load(lake, "opendata/sabae_182079_event_774_bom.csv", "events")
    assert silver == [] and {r.reason for r in rejected} == {"missing_muni_code"}


def test_sabae_shops_lod_uri_and_mixed_width_phones(lake):
    stats, _, silver, rejected = load(lake, "opendata/sabae_182079_shops_898_bom.csv", "shops")
    assert stats["rows_out"] == 72 and not rejected
    office = silver[0]
    assert (office["muni_code"], office["name"], office["address"]) == ("182079", "鯖江市役所", "西山町１３−１")
    assert office["phone"] == "0778-51-２２00" and office["phone_norm"] == "0778-51-2200"
    assert by(silver, "name", "佐野蕎麦 塩だけで食べる異次元そば")["phone_norm"] == "090-8262-8833"
    assert by(silver, "name", "佐野蕎麦 塩だけで食べる異次元そば")["url"] == "https://sanosoba.com/"


def test_sabae_fire_hydrants_shift_jis(lake):
    stats, bronze, silver, rejected = load(lake, "opendata/sabae_182079_shoukasen_200_sjis.csv", "fire_hydrants")
    assert stats["rows_out"] == 2568 and not rejected and bronze[0]["encoding"] == "shift_jis"
    first, last = silver[0], silver[-1]
    assert (first["kind"], first["brigade"], first["pipe_mm"], first["volume_t"]) == ("消火栓", "鯖江第1分団", 300.0, None)
    assert (last["kind"], last["address"], last["pipe_mm"], last["volume_t"]) == ("防火水槽", "鳥羽町7-1", None, 40.0)
    assert {r["muni_code"] for r in silver} == {"182079"}
    assert [r["kind"] for r in silver].count("防火水槽") == 550


def test_soumu_code_master_multiline_header(lake):
    stats, _, silver, rejected = load(lake, "geo/soumu_dantai_code_multiline_header.csv", "municipalities")
    assert stats["rows_out"] == 1794 and not rejected
    assert (silver[0]["muni_code"], silver[0]["pref_name"], silver[0]["muni_name"]) == ("010006", "北海道", None)
    assert (silver[-1]["muni_code"], silver[-1]["muni_name"], silver[-1]["name_kana"]) == ("473821", "与那国町",
                                                                                          "ﾖﾅｸﾞﾆﾁｮｳ")


def test_localgovjp_unpadded_codes(lake):
    stats, bronze, silver, rejected = load(lake, "geo/localgovjp_20200104_sjis.csv", "municipalities")
    assert stats["rows_out"] == 1916 and not rejected and bronze[0]["encoding"] == "shift_jis"
    sapporo, chuo = silver[0], silver[1]
    assert (sapporo["muni_code"], sapporo["muni_name"], sapporo["lat"]) == ("011002", "札幌市", 43.06208877)
    assert (chuo["muni_code"], chuo["muni_name"]) == ("011011", "札幌市 中央区")
    assert silver[-1]["slogan"] == "日本最西端の島 与那国町\u3000健やかな自然・人・生活を育む島 ドゥナン"


def test_prefecture_list_cr_only(lake):
    stats, bronze, silver, rejected = load(lake, "geo/localgovjp_prefjp_20200104_bom_cr.csv", "prefectures")
    assert stats["rows_out"] == 47 and not rejected and bronze[0]["line_ending"] == "CR"
    assert [(r["muni_code"], r["pref_name"]) for r in (silver[0], silver[12], silver[-1])] == [
        ("010006", "北海道"), ("130001", "東京都"), ("470007", "沖縄県")]


def test_japan_post_headerless(lake):
    stats, _, silver, rejected = load(lake, "geo/japanpost_13TOKYO_sjis.csv", "postal_codes", header=False,
                                      columns=POSTAL_COLUMNS)
    assert stats["rows_out"] == 4046 and not rejected
    first = silver[0]
    assert (first["muni_code"], first["postal_code"], first["muni_name"], first["town"]) == (
        "131016", "1000000", "千代田区", "以下に掲載がない場合")
    assert silver[-1]["town"] == "母島" and silver[-1]["muni_code"] == "134210"


def test_undecodable_file_is_quarantined_and_the_source_continues(lake):
    lake.write_bytes(f"landing/files/bad/dt={DT}/a.csv", b"\x00\x01binary")
    lake.write_bytes(f"landing/files/bad/dt={DT}/b.csv", real("opendata/handa_232050_kanko.csv"))
    stats = opendata.ingest(lake, FetchContext(DT, "run-bad"), "bad", {"dataset": "tourism"})
    assert stats["rows_out"] == 27 and stats["quarantine_reasons"] == {"undecodable_file": 1}


def test_unknown_dataset_is_a_configuration_error(lake):
    with pytest.raises(opendata.ConfigError, match="not a known standard dataset"):
        opendata.ingest(lake, FetchContext(DT, "r"), "x", {"dataset": "bogus"})
