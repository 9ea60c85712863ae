"""Dates as Japanese files write them: 和暦 and 西暦, Arabic or kanji numerals, in a cell or in a sentence.

``parse_date`` reads a cell that *is* a date, the way a person reads it: 令和元年5月1日, 昭和六十四年一月七日,
H31.4.30, R2.4.1, 令5年10月30日, 令和2年元日 (元日/元旦 = 1 January), 二〇二六年一月五日, 2015/12/17, e-Stat time codes
(2024000101), with a weekday after it (``平成28年6月14日（火）``) and trailing words (``R2.4.1 更新``).
Trailing text may not hold digits (a second date or a range is not one date) and may not start with
度 (``2015年度`` is a fiscal year, not the year 2015). Era boundaries are checked to the day:
平成31年5月1日 does not exist. ``first_date`` finds the first complete date inside free text
(``備考: 令和元年5月1日更新`` → 2019-05-01). Unreadable cells raise ``DateError``; nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from miryoku.sources.kanjinum import NumberError, is_kanji_numeral_char, kanji_to_int

# era name, abbreviation, Gregorian year of 元年, first day, last day. 明治 dates before 明治6年 were
# lunar-calendar dates; they are refused rather than read as if Gregorian.
ERAS = [
    ("令和", "R", 2019, dt.date(2019, 5, 1), None),
    ("平成", "H", 1989, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    ("昭和", "S", 1926, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    ("大正", "T", 1912, dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    ("明治", "M", 1868, dt.date(1873, 1, 1), dt.date(1912, 7, 29)),
]
ERA_BY_NAME = {name: e for e in ERAS for name in (e[0], e[1], e[0][0])}

_K = "〇一二三四五六七八九十"
NUM = rf"(?:\d{{1,2}}|[{_K}]{{1,4}})"  # a month, a day or an era year
_KANJI_MD = rf"\s*年\s*(?:(?P<@gan>元日|元旦)|(?P<@m>{NUM})\s*月\s*(?:(?P<@d>{NUM})\s*日)?)?"
_SEP_MD = r"\s*[./-]\s*(?P<@m2>\d{1,2})(?:\s*[./-]\s*(?P<@d2>\d{1,2}))?"
WAREKI = (rf"(?P<era>令和|平成|昭和|大正|明治|(?<![A-Za-z])[RHSTM]@ONE)\s*(?P<wy>元|{NUM})"
          rf"(?:{_KANJI_MD.replace('@', 'w')}|{_SEP_MD.replace('@', 'w')})")
WESTERN = (rf"(?<![0-9〇一二三四五六七八九])(?P<y>\d{{4}}|[〇一二三四五六七八九]{{4}})"
           rf"(?:{_KANJI_MD.replace('@', 'g')}|{_SEP_MD.replace('@', 'g')})?")
# a cell may abbreviate the era to its first kanji (令5年, 平30年); free text may not (最大5年…)
DATE_RE = re.compile(rf"(?:{WAREKI.replace('@ONE', '|[令平昭大明]')})|(?:{WESTERN})")
TEXT_DATE_RE = re.compile(rf"(?:{WAREKI.replace('@ONE', '')})|(?:{WESTERN})")
ESTAT_TIME_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})$")
WEEKDAY_RE = re.compile(r"^\s*(?:[(（]\s*[月火水木金土日](?:曜日?)?\s*(?:[・･]?\s*祝日?)?\s*[)）]|[月火水木金土日]曜日?)")


class DateError(ValueError):
    """Unreadable date, or a 和暦 date outside its era (平成31年5月1日, 令和元年4月30日)."""


def _iso(year: int, month: int | None, day: int | None) -> str:
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        raise DateError(f"month {month} out of range")
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError as exc:
        raise DateError(str(exc)) from None


def wareki_to_iso(era: str, year: int, month: int | None = None, day: int | None = None) -> str:
    """令和1年5月1日 → '2019-05-01'; a period that does not overlap the era raises ``DateError``."""
    name, _, base, first, last = ERA_BY_NAME[era]
    if year < 1:
        raise DateError(f"{name}{year}年 does not exist")
    gregorian = base + year - 1
    iso = _iso(gregorian, month, day)
    lo = dt.date(gregorian, month or 1, day or 1)
    if month is None:
        hi = dt.date(gregorian, 12, 31)
    elif day is None:
        hi = (dt.date(gregorian + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
    else:
        hi = lo
    if hi < first or (last is not None and lo > last):
        span = f"{first.isoformat()}–{last.isoformat() if last else ''}"
        raise DateError(f"{name}{year}年{month or ''}{'月' if month else ''}{day or ''}{'日' if day else ''} "
                        f"is outside the {name} era ({span})")
    return iso


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return kanji_to_int(text)
    except NumberError as exc:
        raise DateError(str(exc)) from None


def _from_match(m: re.Match) -> tuple[str, bool]:
    """(ISO text, whether the match names a day) of a ``DATE_RE`` match; raises ``DateError``."""
    w = m.group("era") is not None
    p = "w" if w else "g"
    month = _int(m.group(f"{p}m") or m.group(f"{p}m2"))
    day = _int(m.group(f"{p}d") or m.group(f"{p}d2"))
    if m.group(f"{p}gan"):
        month, day = 1, 1
    if w:
        year = 1 if m.group("wy") == "元" else _int(m.group("wy"))
        return wareki_to_iso(m.group("era"), year, month, day), day is not None
    return _iso(_int(m.group("y")), month, day), day is not None


def _check_rest(rest: str, raw: str) -> None:
    rest = WEEKDAY_RE.sub("", rest, count=1).strip()
    if not rest:
        return
    if rest.startswith("度"):
        raise DateError(f"{raw!r} is a fiscal year (年度), not a calendar date")
    if any(ch.isdigit() for ch in rest) or is_kanji_numeral_char(rest[0]):
        raise DateError(f"not one date: {raw!r} (more numbers follow the date)")


def parse_date(raw: str | None) -> str | None:
    """A date, month or year as ISO text ('2019-05-01', '2019-05', '2019'); empty → None.

    Reads 和暦 (full names, 元年, 元日, one-letter abbreviations), kanji numerals, western forms with
    /, -, . or 年月日, a weekday and trailing words after the date, and e-Stat time codes
    (2024000101 = 2024-01, 2015000000 = 2015). Full-width digits are folded.
    """
    if raw is None or not str(raw).strip():
        return None
    s = unicodedata.normalize("NFKC", str(raw)).strip()
    if m := ESTAT_TIME_RE.match(s):  # YYYY, kind (00 calendar, 10 fiscal …), from-month, to-month
        year, _, first, last = (int(g) for g in m.groups())
        if first == 0 and last == 0:
            return _iso(year, None, None)
        if first == last:
            return _iso(year, first, None)
        return f"{_iso(year, first, None)}/{_iso(year, last, None)}"
    m = DATE_RE.match(s)
    if m is None or m.end() == 0:
        raise DateError(f"not a date: {raw!r}")
    if m.group("era") is None and "年" not in m.group(0) and m.group("gm2") is None and s[m.end():].strip():
        raise DateError(f"not a date: {raw!r}")  # a bare 4-digit number followed by words is not a year
    _check_rest(s[m.end():], str(raw))
    return _from_match(m)[0]


def first_date(text: str | None) -> str | None:
    """The first complete date (year, month and day) inside free text, as ISO; None if there is none.

    Candidates that are not real dates (平成31年5月1日, 2月30日) are passed over, not guessed at.
    """
    if not text:
        return None
    s = unicodedata.normalize("NFKC", str(text))
    for m in TEXT_DATE_RE.finditer(s):
        if s[m.end():m.end() + 1].isdigit():
            continue
        try:
            iso, has_day = _from_match(m)
        except DateError:
            continue
        if has_day:
            return iso
    return None
