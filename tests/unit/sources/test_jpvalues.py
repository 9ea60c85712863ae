"""Numbers and 和暦 dates as Japanese tables write them."""

from __future__ import annotations

import pytest

from miryoku.sources.jpvalues import (
    DateError,
    Number,
    NumberError,
    first_date,
    kanji_to_int,
    parse_date,
    parse_number,
)


@pytest.mark.parametrize(("raw", "value"), [
    ("1,234", 1234.0), ("１，２３４", 1234.0), ('"127,095"'.strip('"'), 127095.0), (" 588 ", 588.0),
    ("△12", -12.0), ("▲3.5", -3.5), ("−5", -5.0), ("－７", -7.0), ("-169,743", -169743.0),
    ("一万二千三百四十五", 12345.0), ("十五", 15.0), ("二〇二四", 2024.0), ("1万2千", 12000.0), ("0.5", 0.5),
])
def test_numbers(raw, value):
    parsed = parse_number(raw)
    assert parsed.value == value and parsed.flag is None and parsed.raw == raw


@pytest.mark.parametrize("mark", ["-", "x", "X", "…", "***", "*", "‐", "―"])
def test_suppression_marks_are_null_with_a_flag(mark):
    assert parse_number(mark) == Number(None, mark, mark)


def test_empty_is_null_without_flag_and_declared_marks_are_honoured():
    assert parse_number("") == Number(None, None, "")
    assert parse_number("0", marks=("0",)).flag == "0"
    assert parse_number("0").value == 0.0


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "12kg", "1.5万"])
def test_not_numbers_raise(raw):
    with pytest.raises(NumberError):
        parse_number(raw)


def test_kanji_numerals():
    assert kanji_to_int("三百") == 300 and kanji_to_int("千") == 1000 and kanji_to_int("二億") == 200_000_000


@pytest.mark.parametrize(("raw", "iso"), [
    ("令和元年5月1日", "2019-05-01"), ("平成31年4月30日", "2019-04-30"), ("H31.4.30", "2019-04-30"),
    ("R1.5.1", "2019-05-01"), ("昭和64年1月7日", "1989-01-07"), ("平成元年1月8日", "1989-01-08"),
    ("令和１年５月", "2019-05"), ("令和元年", "2019"), ("平成31年", "2019"), ("大正元年7月30日", "1912-07-30"),
    ("明治45年7月29日", "1912-07-29"), ("S20.8.15", "1945-08-15"), ("2015/12/17", "2015-12-17"),
    ("2020-01-24", "2020-01-24"), ("２０２０－０１－２４", "2020-01-24"), ("2024年1月", "2024-01"),
    ("2015年", "2015"), ("2024000101", "2024-01"), ("2015000000", "2015"), ("2024000103", "2024-01/2024-03"),
    ("", None),
])
def test_dates(raw, iso):
    assert parse_date(raw) == iso


@pytest.mark.parametrize("raw", [
    "平成31年5月1日", "令和元年4月30日", "昭和64年1月8日", "平成元年1月7日", "平成31年5月", "令和元年4月",
    "大正元年7月29日", "明治元年", "R2.2.30", "2024年13月", "そのうち",
])
def test_dates_outside_their_era_or_unreadable_raise(raw):
    with pytest.raises(DateError):
        parse_date(raw)


@pytest.mark.parametrize("raw", ["千〇十", "千二三四", "千二百三四", "1千1000", "1万10千", "万1千234", "1万0万", "三五十"])
def test_malformed_kanji_numerals_are_errors_or_their_real_value(raw):
    if raw == "千〇十":  # 〇 marks the empty hundreds
        assert parse_number(raw).value == 1010.0
    else:
        with pytest.raises(NumberError):
            parse_number(raw)


def test_position_notation_reads_digit_by_digit():
    assert parse_number("九〇〇七兆一九九二億五四七四万九九一").value == 9007199254740991.0
    assert parse_number("△一九九二").value == -1992.0


@pytest.mark.parametrize(("raw", "iso"), [
    ("昭和六十四年一月七日", "1989-01-07"), ("令和元年五月一日", "2019-05-01"), ("令和2年元日", "2020-01-01"),
    ("平成28年6月14日（火）", "2016-06-14"), ("R2.4.1 更新", "2020-04-01"), ("令和５年１０月１日現在", "2023-10-01"),
    ("2024年12月25日(水・祝)", "2024-12-25"),
])
def test_dates_as_a_person_reads_them(raw, iso):
    assert parse_date(raw) == iso


@pytest.mark.parametrize("raw", ["2015年度", "令和2年4月1日～令和3年3月31日", "2024年1月から3月", "2015 人口", "令和元年十三月"])
def test_cells_that_are_not_one_date_raise(raw):
    with pytest.raises(DateError):
        parse_date(raw)


@pytest.mark.parametrize(("text", "iso"), [
    ("備考: 令和元年5月1日更新", "2019-05-01"), ("平成元年1月8日開園", "1989-01-08"), ("電話 03-1234-5678", None),
    ("2024/1/5に改装", "2024-01-05"), ("平成31年5月1日は誤り、令和元年5月2日", "2019-05-02"),
    ("昭和六十年三月開館", None), ("最大5年3月1日まで", None), ("", None),
])
def test_first_date_in_free_text(text, iso):
    assert first_date(text) == iso
