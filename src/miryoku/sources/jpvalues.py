"""Numbers and dates as Japanese statistics write them, parsed without losing what was written.

Numbers: full-width digits and separators are NFKC-folded (only for parsing: callers keep the raw
text), thousands separators dropped, kanji numerals (一万二千三百, 十五) read, ``△``/``▲`` and the
minus signs U+2212/U+FF0D mean negative, and the suppression marks of Japanese tables (``-``, ``x``,
``X``, ``…``, ``***``, ``*``) become ``None`` with a flag naming the mark, because "not published" is
not zero. Dates: 和暦 (令和元年5月1日, H31.4.30, 昭和64年1月7日) with the era boundaries checked to the
day, plus the western and e-Stat forms (2015/12/17, 2024年1月, time code 2024000101).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

# marks that stand for a value that is not published / not applicable / not surveyed
SUPPRESSION_MARKS = ("***", "**", "*", "…", "...", "‥", "-", "‐", "―", "—", "–", "x", "X", "ｘ", "Ｘ")
NEGATIVE_MARKS = ("△", "▲")
MINUS_SIGNS = ("\u2212", "\uff0d", "\u2010", "-")
KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
KANJI_SMALL = {"十": 10, "百": 100, "千": 1000}
KANJI_LARGE = {"万": 10**4, "億": 10**8, "兆": 10**12}
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class NumberError(ValueError):
    """The text is neither a number nor a known suppression mark."""


@dataclass(frozen=True)
class Number:
    value: float | None
    flag: str | None  # the suppression mark as written (stripped), or None for a plain number
    raw: str


def kanji_to_int(text: str) -> int:
    """一万二千三百四十五 → 12345, 十五 → 15, 二〇二四 → 2024, 1万2千 → 12000."""
    tokens = re.findall(r"\d+|.", text)
    if not tokens or any(not t.isdigit() and t not in KANJI_DIGITS and t not in KANJI_SMALL
                         and t not in KANJI_LARGE for t in tokens):
        raise NumberError(f"not a kanji numeral: {text!r}")
    if all(t in KANJI_DIGITS for t in tokens):
        return int("".join(str(KANJI_DIGITS[t]) for t in tokens))
    total, section, digit = 0, 0, None
    for t in tokens:
        if t.isdigit() or t in KANJI_DIGITS:
            digit = int(t) if t.isdigit() else KANJI_DIGITS[t]
        elif t in KANJI_SMALL:
            section += (1 if digit is None else digit) * KANJI_SMALL[t]
            digit = None
        else:
            total += (section + (digit or 0) or 1) * KANJI_LARGE[t]
            section, digit = 0, None
    return total + section + (digit or 0)


def parse_number(raw: str | None, marks: tuple[str, ...] = SUPPRESSION_MARKS) -> Number:
    """Parse a numeric cell; empty → ``Number(None, None)``, a mark → ``Number(None, mark)``.

    ``marks`` can add the markers a table declares (e-Stat ``DATA_INF.NOTE``). Raises ``NumberError``.
    """
    text = "" if raw is None else str(raw)
    s = text.strip().replace("\u3000", "")
    if s == "":
        return Number(None, None, text)
    if s in marks or s in SUPPRESSION_MARKS:
        return Number(None, s, text)
    sign = 1
    if s[0] in NEGATIVE_MARKS or s[0] in MINUS_SIGNS:
        sign, s = -1, s[1:].strip()
    elif s[0] == "+":
        s = s[1:]
    folded = unicodedata.normalize("NFKC", s).replace(",", "").replace("_", "").replace(" ", "")
    if NUMBER_RE.match(folded):
        return Number(sign * float(folded), None, text)
    try:
        return Number(sign * float(kanji_to_int(folded)), None, text)
    except NumberError:
        pass
    raise NumberError(f"not a number: {text!r}")


# era name, abbreviation, Gregorian year of 元年, first day, last day. 明治 dates before 明治6年 were
# lunar-calendar dates; they are refused rather than read as if Gregorian.
ERAS = [
    ("令和", "R", 2019, dt.date(2019, 5, 1), None),
    ("平成", "H", 1989, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    ("昭和", "S", 1926, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    ("大正", "T", 1912, dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    ("明治", "M", 1868, dt.date(1873, 1, 1), dt.date(1912, 7, 29)),
]
ERA_BY_NAME = {name: e for e in ERAS for name in (e[0], e[1])}
WAREKI_RE = re.compile(
    r"^(令和|平成|昭和|大正|明治|[RHSTM])\s*(元|\d{1,2})\s*(?:年|[./-])\s*(?:(\d{1,2})\s*(?:月|[./-])?\s*"
    r"(?:(\d{1,2})\s*日?)?)?$"
)
WESTERN_RE = re.compile(r"^(\d{4})\s*(?:年|[./-])?\s*(?:(\d{1,2})\s*(?:月|[./-])?\s*(?:(\d{1,2})\s*日?)?)?$")
ESTAT_TIME_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})$")


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


def parse_date(raw: str | None) -> str | None:
    """A date, month or year as ISO text ('2019-05-01', '2019-05', '2019'); empty → None.

    Reads 和暦 (full names, 元年, one-letter abbreviations), western forms with /, -, . or 年月日,
    and e-Stat time codes (2024000101 = 2024-01, 2015000000 = 2015). Full-width digits are folded.
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
    if m := WAREKI_RE.match(s):
        era, year, month, day = m.groups()
        return wareki_to_iso(era, 1 if year == "元" else int(year),
                             int(month) if month else None, int(day) if day else None)
    if m := WESTERN_RE.match(s):
        year, month, day = m.groups()
        return _iso(int(year), int(month) if month else None, int(day) if day else None)
    raise DateError(f"not a date: {raw!r}")
