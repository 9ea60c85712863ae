"""The committed gazetteer is reproducible from the official code list in the fixtures."""

from pathlib import Path

import pytest

from miryoku.text import build_gazetteer as bg
from miryoku.text.prefectures import PREFECTURES

GEO = Path(__file__).resolve().parents[2] / "fixtures" / "realdata" / "geo"
COMMITTED = Path(bg.__file__).with_name("data") / "gazetteer.tsv"


def test_committed_file_is_what_the_generator_writes(tmp_path):
    out = bg.build(GEO / "nojimage_cities.json", tmp_path / "gazetteer.tsv")
    assert out.read_text("utf-8") == COMMITTED.read_text("utf-8")


def test_the_soumu_csv_gives_the_same_rows(tmp_path):
    out = bg.build(GEO / "soumu_dantai_code_multiline_header.csv", tmp_path / "gazetteer.tsv")
    rows = [line for line in out.read_text("utf-8").splitlines() if not line.startswith("#")]
    committed = [line for line in COMMITTED.read_text("utf-8").splitlines() if not line.startswith("#")]
    assert rows == committed


def test_romanization():
    assert bg.romanize("とうきょう") == "Tokyo"
    assert bg.romanize("おおさか") == "Osaka"
    assert bg.romanize("ほっかいどう") == "Hokkaido"
    assert bg.romanize("ひょうご") == "Hyogo"
    assert bg.romanize("さっぽろ") == "Sapporo"
    assert bg.romanize("はっちょうぼり") == "Hatchobori"
    assert bg.romanize("ﾋﾛｻｷ") == "Hirosaki"


def test_prefecture_english_names_match_the_prefecture_list():
    rows = bg.build_rows(bg.read_source(GEO / "nojimage_cities.json"))
    prefs = {r["pref_code"]: (r["name"], r["english"]) for r in rows if r["kind"] == "pref"}
    assert prefs == {code: (name, english) for code, name, english in PREFECTURES}


def test_wrong_check_digit_stops_the_build():
    with pytest.raises(ValueError, match="check digit"):
        bg.verify_code("011003")
    assert bg.verify_code("011002") == "011002"


def test_short_forms():
    assert bg.strip_suffix("弘前市", "ひろさきし", "city") == ("弘前", "ひろさき")
    assert bg.strip_suffix("箱根町", "はこねまち", "town") == ("箱根", "はこね")
    assert bg.strip_suffix("北海道", "ほっかいどう", "pref") == ("北海道", "ほっかいどう")
    assert bg.strip_suffix("東京都", "とうきょうと", "pref") == ("東京", "とうきょう")
