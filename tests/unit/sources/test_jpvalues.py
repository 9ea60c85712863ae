"""Numbers and 和暦 dates as Japanese tables write them."""

from __future__ import annotations

import pytest

from miryoku.sources.jpvalues import DateError, Number, NumberError, kanji_to_int, parse_date, parse_number


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
