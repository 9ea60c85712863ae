"""Kanji numerals read the way a person reads them, or refused — never a plausible wrong number.

Two notations exist and both are read:

- **position notation** (位取り記数法): digits only, read digit by digit — ``一九九二`` → 1992,
  ``二〇二六`` → 2026 — also inside a 万/億/兆 group (``九〇〇七兆一九九二億…``);
- **unit notation** (命数法): ``[coefficient] 千 [c] 百 [c] 十 [digit]`` groups of less than 10,000,
  each followed by a strictly smaller 万 / 億 / 兆 / 京: ``五千八百七万六千九十九`` → 58,076,099.
  Arabic digits may stand for a group or a coefficient (``223兆4千億4256万6千``, ``2千2十5``); ``〇``
  between units marks an empty place (``二千〇五`` → 2005, ``千〇十`` → 1010); the 大字 of legal
  amounts (壱 弐 参 拾 阡 萬 …) are the same digits and units.

Everything else is malformed and raises ``NumberError``: a unit repeated or out of order (``1万0万``,
``百千``), a coefficient of more than one digit (``三五十``, ``1万10千``), several digits after a unit
(``千二三四``, ``千二百三四``), an Arabic tail as large as the unit before it (``1千1000``), a large unit
with no coefficient (``万1千234``), decimals (``1.5億``: out of scope), and any other character.
"""

from __future__ import annotations

import re

DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
          "壱": 1, "壹": 1, "弐": 2, "貳": 2, "参": 3, "參": 3, "伍": 5}
SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "陌": 100, "千": 1000, "阡": 1000, "仟": 1000}
LARGE = {"万": 10**4, "萬": 10**4, "億": 10**8, "兆": 10**12, "京": 10**16}
TOKEN_RE = re.compile(r"[0-9]+|.", re.S)


class NumberError(ValueError):
    """The text is neither a number nor a known suppression mark."""


def is_kanji_numeral_char(ch: str) -> bool:
    return ch in DIGITS or ch in SMALL or ch in LARGE


def _digit(token: str) -> int | None:
    """A single digit (kanji or one Arabic digit), else None."""
    if token in DIGITS:
        return DIGITS[token]
    return int(token) if token.isdigit() and len(token) == 1 else None


def _group(tokens: list[str], text: str, bounded: bool) -> int:
    """The value of one group (below 10,000 when ``bounded``: the number has large units)."""
    if not tokens:
        raise NumberError(f"a large unit without a number before it in {text!r}")
    if not any(t in SMALL for t in tokens):  # position notation: digits only
        if len(tokens) == 1 and tokens[0].isdigit():
            value = int(tokens[0])
        elif all(t in DIGITS for t in tokens):
            value = int("".join(str(DIGITS[t]) for t in tokens))
        else:
            raise NumberError(f"mixed kanji and Arabic digits in {text!r}")
        if bounded and value > 9999:
            raise NumberError(f"more than four digits in one 万 group of {text!r}")
        return value
    total, last_unit, i = 0, 10**4, 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("〇", "零") and i + 1 < len(tokens):  # an empty place: 二千〇五
            if not (tokens[i - 1] in SMALL if i else False):
                raise NumberError(f"〇 must follow a unit in {text!r}")
            i += 1
            continue
        coef = _digit(token)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if token in SMALL:
            coef, unit, i = 1, SMALL[token], i + 1
        elif coef is not None and nxt in SMALL:
            if coef == 0:
                raise NumberError(f"zero coefficient in {text!r}")
            unit, i = SMALL[nxt], i + 2
        else:  # the tail: one kanji digit, or Arabic digits smaller than the last unit
            if i != len(tokens) - 1:
                raise NumberError(f"digits without a unit in {text!r}")
            if token.isdigit():
                if token.startswith("0") or int(token) >= last_unit:
                    raise NumberError(f"{token!r} does not fit below the unit before it in {text!r}")
                return total + int(token)
            if coef is None or coef == 0:
                raise NumberError(f"not a kanji numeral: {text!r}")
            return total + coef
        if unit >= last_unit:
            raise NumberError(f"units out of order in {text!r}")
        total, last_unit = total + coef * unit, unit
    return total


def kanji_to_int(text: str) -> int:
    """一万二千三百四十五 → 12345, 十五 → 15, 二〇二四 → 2024, 1万2千 → 12000; raises ``NumberError``."""
    tokens = TOKEN_RE.findall(text)
    if not tokens or any(not t.isdigit() and not is_kanji_numeral_char(t) for t in tokens):
        raise NumberError(f"not a kanji numeral: {text!r}")
    if len(tokens) == 1 and tokens[0].isdigit():
        return int(tokens[0])
    total, last_large, group = 0, None, []
    for token in tokens:
        if token in LARGE:
            unit = LARGE[token]
            if last_large is not None and unit >= last_large:
                raise NumberError(f"large units out of order in {text!r}")
            value = _group(group, text, True)
            if value == 0:
                raise NumberError(f"zero before {token} in {text!r}")
            total, last_large, group = total + value * unit, unit, []
        else:
            group.append(token)
    if group:
        total += _group(group, text, last_large is not None)
    return total
