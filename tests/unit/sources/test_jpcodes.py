"""Prefecture codes and 全国地方公共団体コード check digits, against the real code masters."""

from __future__ import annotations

import json

import pytest
from realfiles import real

from miryoku.sources.jpcodes import CodeError, check_digit, is_valid_muni_code, muni_code, pref_code
from miryoku.sources.jpdata import parse_csv

CITIES = json.loads(real("geo/nojimage_cities.json"))
PREFS = json.loads(real("geo/nojimage_prefectures.json"))


def test_every_code_in_the_national_master_passes_the_check_digit():
    assert len(CITIES) == 1747 and len(PREFS) == 47
    assert all(is_valid_muni_code(c["code"]) for c in CITIES + PREFS)
    assert [p["code"] for p in PREFS][:2] == ["010006", "020001"] and PREFS[-1]["code"] == "470007"
    assert all(pref_code(p["code"]) == p["code"][:2] for p in PREFS)


def test_every_municipality_differs_in_its_check_digit_from_a_wrong_one():
    for c in CITIES:
        wrong = c["code"][:5] + str((int(c["code"][5]) + 1) % 10)
        with pytest.raises(CodeError, match="check digit"):
            muni_code(wrong)


def test_hamamatsu_file_code_is_rejected_not_fixed():
    with pytest.raises(CodeError, match="check digit 0 is wrong"):
        muni_code("221390")
    assert muni_code("221309") == "221309"  # 浜松市


def test_five_digit_codes_and_lod_uris_get_their_check_digit():
    by_code = {c["code"]: c["city_name"] for c in CITIES}
    assert check_digit("13101") == "6" and by_code["131016"] == "千代田区"
    assert muni_code("http://statdb.nstac.go.jp/lod/sac/C18207") == "182079" and by_code["182079"] == "鯖江市"
    assert muni_code("1100", unpadded=True) == "011002" and by_code["011002"] == "札幌市"
    with pytest.raises(CodeError):
        muni_code("1100")  # without the option, a lost zero is not guessed
    with pytest.raises(CodeError):
        muni_code("99999")


def test_japan_post_five_digit_codes_all_resolve_to_master_codes():
    table = parse_csv(real("geo/japanpost_13TOKYO_sjis.csv"), has_header=False)
    master = {c["code"]: c["city_name"] for c in CITIES}
    codes = {(cells[0], cells[7]) for _, cells in table.rows}
    assert len(codes) == 62
    for five, name in codes:  # Japan Post writes 郡 before town names: 西多摩郡奥多摩町
        assert name.endswith(master[muni_code(five)])


def test_localgovjp_unpadded_codes_match_the_master_by_name():
    table = parse_csv(real("geo/localgovjp_20200104_sjis.csv"))
    master = {c["code"]: c["city_name"] for c in CITIES}
    # read by hand from the two files: a 2019 rename and a variant kanji between the 2020 and 2024 lists
    renamed = {("282219", "篠山市"): "丹波篠山市", ("394050", "檮原町"): "梼原町"}
    matched = 0
    for _, cells in table.rows:
        code = muni_code(cells[2], unpadded=True)
        if code in master:  # wards (札幌市 中央区) are not in cities.json
            matched += 1
            name = renamed.get((code, cells[3]), cells[3])
            assert master[code].replace("ヶ", "ケ") == name.replace("ヶ", "ケ")  # 七ヶ宿町 / 七ケ宿町
    assert matched == 1740


@pytest.mark.parametrize(("value", "code"), [
    ("青森県", "02"), ("青森", "02"), (" 東京 ", "13"), ("東京都", "13"), ("京都", "26"), ("大阪", "27"),
    ("北海道", "01"), ("鹿児島", "46"), ("2", "02"), ("02", "02"), ("47", "47"), ("020001", "02"),
    ("02000", "02"), ("全国", None), ("外国", None), ("48", None), ("", None), (None, None),
])
def test_prefecture_names_and_codes(value, code):
    assert pref_code(value) == code


def test_every_prefecture_name_of_the_geo_list_resolves():
    table = parse_csv(real("geo/localgovjp_prefjp_20200104_bom_cr.csv"))
    assert [pref_code(cells[1]) for _, cells in table.rows] == [f"{i:02d}" for i in range(1, 48)]
    assert [pref_code(cells[0]) for _, cells in table.rows] == [f"{i:02d}" for i in range(1, 48)]
