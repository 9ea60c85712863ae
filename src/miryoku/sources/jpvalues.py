"""Numbers and dates as Japanese statistics write them, parsed without losing what was written.

Numbers: full-width digits and separators are NFKC-folded (only for parsing: callers keep the raw
text), thousands separators dropped, kanji numerals (一万二千三百, 十五) read, ``△``/``▲`` and the
minus signs U+2212/U+FF0D mean negative, and the suppression marks of Japanese tables (``-``, ``x``,
``X``, ``…``, ``***``, ``*``) become ``None`` with a flag naming the mark, because "not published" is
not zero. Kanji numerals follow ``kanjinum``'s strict rules; dates (和暦, 西暦, e-Stat codes) are
``jpdates``' and re-exported here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from miryoku.sources.jpdates import DateError, first_date, parse_date, wareki_to_iso
from miryoku.sources.kanjinum import NumberError, kanji_to_int

__all__ = ["DateError", "Number", "NumberError", "first_date", "kanji_to_int", "parse_date", "parse_number",
           "wareki_to_iso"]

# marks that stand for a value that is not published / not applicable / not surveyed
SUPPRESSION_MARKS = ("***", "**", "*", "…", "...", "‥", "-", "‐", "―", "—", "–", "x", "X", "ｘ", "Ｘ")
NEGATIVE_MARKS = ("△", "▲")
MINUS_SIGNS = ("\u2212", "\uff0d", "\u2010", "-")
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class Number:
    value: float | None
    flag: str | None  # the suppression mark as written (stripped), or None for a plain number
    raw: str


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
