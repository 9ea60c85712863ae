"""Typed companions of text columns: ``<column>_yen`` beside a fee, ``<column>_date`` beside a note.

The text stays as written (``料金（基本）`` = ``大人500円、子ども250円`` is information an analyst wants);
the companion is the one value a person would read out of it, or null with a flag saying why not:

- ``yen_of``: ``３２０円``, ``600円``, ``¥1,000``, ``千円``, ``1万円``, ``500円（税込）`` or a bare ``600`` in a
  fee column → the integer amount; ``無料``/``0円`` → 0. Flags: ``no_amount`` (``有料``, ``要問合せ``),
  ``several_amounts`` (two different amounts, or 無料 beside an amount: which is *the* fee is not for
  a parser to guess), ``unreadable`` (an amount written in a way ``kanji_to_int`` refuses).
- ``date_of``: the first complete 和暦/西暦 date inside the text (``令和元年5月1日更新`` → 2019-05-01),
  flag ``no_date`` when the text holds none.
"""

from __future__ import annotations

import re
import unicodedata

from miryoku.sources.jpvalues import NumberError, first_date, kanji_to_int

FREE_WORDS = ("無料", "無償", "タダ", "free", "Free", "FREE")
AMOUNT_RE = re.compile(r"(?:[¥￥]\s*(?P<pre>[0-9][0-9,]*))|(?P<num>[0-9][0-9,]*|[0-9〇一二三四五六七八九十百千万億]+)\s*円")
BARE_RE = re.compile(r"^\s*[0-9][0-9,]*\s*$")


def yen_of(text: str | None) -> tuple[int | None, str | None]:
    """(amount in yen, flag) of a fee cell; empty → (None, None)."""
    if text is None or not str(text).strip():
        return None, None
    s = unicodedata.normalize("NFKC", str(text))
    if BARE_RE.match(s):
        return int(s.replace(",", "").strip()), None
    amounts: list[int] = []
    for m in AMOUNT_RE.finditer(s):
        digits = (m.group("pre") or m.group("num")).replace(",", "")
        try:
            amounts.append(int(digits) if digits.isdigit() else kanji_to_int(digits))
        except NumberError:
            return None, "unreadable"
    if any(word in s for word in FREE_WORDS):
        amounts.append(0)
    distinct = set(amounts)
    if not distinct:
        return None, "no_amount"
    if len(distinct) > 1:
        return None, "several_amounts"
    return amounts[0], None


def date_of(text: str | None) -> tuple[str | None, str | None]:
    """(ISO date, flag) of the first date inside a text cell; empty → (None, None)."""
    if text is None or not str(text).strip():
        return None, None
    found = first_date(text)
    return (found, None) if found else (None, "no_date")
