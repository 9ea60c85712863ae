"""Encoding detection, line endings and CSV layout quirks, on the real files."""

from __future__ import annotations

import pytest
from realfiles import real

from miryoku.sources.jpdata import EncodingError, combine_headers, decode_bytes, parse_csv

# file → (encoding detected, line endings) as the file's SOURCES.md describes it
ENCODINGS = {
    "estat/estat_FEH_00200524_jinkou_suikei_by_pref_sjis.csv": ("shift_jis", "CRLF"),
    "estat/estat_getSimpleStatsData_0003005798_roudouryoku_extracted.csv": ("utf-8", "LF"),
    "geo/japanpost_13TOKYO_sjis.csv": ("shift_jis", "CRLF"),
    "geo/localgovjp_20200104_sjis.csv": ("shift_jis", "CRLF"),
    "geo/localgovjp_prefjp_20200104_bom_cr.csv": ("utf-8-sig", "CR"),
    "geo/soumu_dantai_code_multiline_header.csv": ("utf-8", "LF"),
    "market/kanazawa_chuo_oroshi_suisan_enkan_by_origin_annual.csv": ("utf-8-sig", "CRLF"),
    "market/kanazawa_chuo_oroshi_suisan_reitougyo_by_origin_annual.csv": ("utf-8-sig", "CRLF"),
    "opendata/hamamatsu_221390_hinanjo_bom.csv": ("utf-8-sig", "CRLF"),
    "opendata/handa_232050_kanko.csv": ("utf-8", "CRLF"),
    "opendata/komae_132195_aed.csv": ("utf-8", "CRLF"),
    "opendata/minato_131032_public_wireless_lan_EXCERPT.csv": ("utf-8", "LF"),
    "opendata/sabae_182079_event_774_bom.csv": ("utf-8-sig", "LF"),
    "opendata/sabae_182079_shops_898_bom.csv": ("utf-8-sig", "LF"),
    "opendata/sabae_182079_shoukasen_200_sjis.csv": ("shift_jis", "LF"),
    "opendata/tokyo_130001_covid19_patients_bom.csv": ("utf-8-sig", "LF"),
}


@pytest.mark.parametrize("rel", sorted(ENCODINGS))
def test_every_real_csv_is_detected_and_recorded(rel):
    decoded = decode_bytes(real(rel))
    assert (decoded.encoding, decoded.line_ending) == ENCODINGS[rel]
    assert "\ufeff" not in decoded.text[:1]


def test_shift_jis_text_is_read_as_written():
    decoded = decode_bytes(real("estat/estat_FEH_00200524_jinkou_suikei_by_pref_sjis.csv"))
    assert decoded.text.startswith('"表章項目","男女別","人口","全国・都道府県","/時間軸（年）","2015年"')


def test_cp932_extensions_are_recorded_as_cp932_and_wave_dash_is_windows():
    data = "①㈱髙橋,～\r\n".encode("cp932")
    decoded = decode_bytes(data)
    assert decoded.encoding == "cp932" and decoded.text == "①㈱髙橋,～\r\n"
    assert decode_bytes("～".encode("cp932")).text == "～"  # 0x8160 is U+FF5E, as Windows wrote it


def test_undecodable_bytes_are_an_error_not_a_guess():
    with pytest.raises(EncodingError):
        decode_bytes(b"\xff\xfe\x00g\x00a\x00")  # UTF-16
    with pytest.raises(EncodingError):
        decode_bytes(b"abc\x80\xfd\xa0")  # only Python's cp932 catch-all mappings would read this
    with pytest.raises(EncodingError):
        decode_bytes(b"\xef\xbb\xbf\x82\xa0")  # a BOM, then Shift_JIS bytes
    with pytest.raises(EncodingError, match="not valid shift_jis"):
        decode_bytes("鯖江".encode() + b"\xff", declared="shift_jis")


def test_cr_only_file_is_47_rows_not_one_line():
    table = parse_csv(real("geo/localgovjp_prefjp_20200104_bom_cr.csv"))
    assert table.columns == ["pid", "pref", "url"]
    assert len(table.rows) == 47
    assert table.rows[0] == (2, ["1", "北海道", "http://www.pref.hokkaido.lg.jp/"])
    assert table.rows[-1] == (48, ["47", "沖縄県", "http://www.pref.okinawa.lg.jp/"])


def test_header_cells_spanning_lines_become_one_name():
    table = parse_csv(real("geo/soumu_dantai_code_multiline_header.csv"))
    assert table.columns == ["団体コード", "都道府県名（漢字）", "市区町村名（漢字）", "都道府県名（カナ）", "市区町村名（カナ）"]
    assert len(table.rows) == 1794
    assert table.rows[0][1] == ["010006", "北海道", "", "ﾎｯｶｲﾄﾞｳ", ""]
    assert table.rows[-1][1] == ["473821", "沖縄県", "与那国町", "ｵｷﾅﾜｹﾝ", "ﾖﾅｸﾞﾆﾁｮｳ"]


def test_merged_two_row_header_is_carried_right():
    assert combine_headers([["地域", "人口", "", "世帯"], ["", "男", "女", ""]]) == ["地域", "人口_男", "人口_女", "世帯"]
    assert combine_headers([["a", "", "a"]]) == ["a", "_col2", "a_2"]
    table = parse_csv("地域,人口,,世帯\n,男,女,\n青森,"
                      "\"1,200\",\"1,300\",900\n".encode("cp932"), header_rows=2)
    assert table.records() == [(3, {"地域": "青森", "人口_男": "1,200", "人口_女": "1,300", "世帯": "900"})]


def test_trailing_comma_header_and_no_final_newline():
    table = parse_csv(real("opendata/handa_232050_kanko.csv"))
    assert table.columns[-1] == "_col15" and len(table.rows) == 27
    last = dict(zip(table.columns, table.rows[-1][1], strict=True))
    assert last["識別子"] == "KN0029" and last["名称"] == "半田運動公園"
    assert last["_col15"] == "https://s3-ap-northeast-1.amazonaws.com/hnd-kanko/sorry.png"


def test_footer_after_blank_line_is_set_aside_not_data():
    table = parse_csv(real("opendata/minato_131032_public_wireless_lan_EXCERPT.csv"))
    assert [cells[2] for _, cells in table.rows] == [
        "EE0000000001", "EE0000000002", "EE0000000003", "EE0000000131", "EE0000000132",
        "EE0000000029", "EE0000000154", "EE0000000040"]
    assert [(n, reason, cells[:2]) for n, reason, cells in table.set_aside] == [
        (11, "footer_row", ["公衆無線LANアクセスポイント一覧（Minato_City_Wi-Fi）", "Ver202403"])]


def test_short_rows_are_padded_and_shifted_rows_set_aside():
    table = parse_csv(b"a,b,c\n1,2\n3,4,5,\n6,7,8,9\n")
    assert table.rows == [(2, ["1", "2", ""]), (3, ["3", "4", "5"])]
    assert table.set_aside == [(4, "too_many_fields", ["6", "7", "8", "9"])]


def test_headerless_file_with_configured_names():
    names = ["code", "old_zip", "zip"] + [f"c{i}" for i in range(12)]
    table = parse_csv(real("geo/japanpost_13TOKYO_sjis.csv"), has_header=False, columns=names)
    first = dict(zip(names, table.rows[0][1], strict=True))
    assert (first["code"], first["old_zip"], first["zip"], first["c5"]) == ("13101", "100  ", "1000000",
                                                                            "以下に掲載がない場合")
    assert len(table.rows) == 4046
    shared = [cells for _, cells in table.rows if cells[2] == "1900100"]
    assert sorted(c[7] for c in shared) == ["あきる野市", "西多摩郡日の出町"]
