"""Prefecture names ↔ JIS X 0401 codes, and 6-digit 全国地方公共団体コード with their check digit.

Files name prefectures every way: 青森県, 青森 (market statistics drop 都/府/県), 東京, ``2``,
``02`` or the 6-digit prefecture code ``020001``. Municipality codes arrive as 6 digits (with the
check digit), 5 digits (標準地域コード, no check digit), unpadded (``1100`` for 札幌市 01100) or as
a LOD URI (``http://statdb.nstac.go.jp/lod/sac/C18207``). A 5-digit code gets its check digit
computed — that is the code's definition. A 6-digit code whose check digit is wrong is *rejected*,
never "fixed": the wrong digit may be a typo in any position.
"""

from __future__ import annotations

import re
import unicodedata

from miryoku.text.prefectures import CODE_BY_NAME, NAME_BY_CODE

WEIGHTS = (6, 5, 4, 3, 2)
LOD_RE = re.compile(r"/lod/sac/C(\d{5})(?:[-/].*)?$")


class CodeError(ValueError):
    """Not a valid prefecture or municipality code; the message says why."""


def _short(full: str) -> str:
    return full if full == "北海道" else full[:-1]


PREF_BY_ANY_NAME: dict[str, str] = {
    **CODE_BY_NAME,
    **{_short(name): code for name, code in CODE_BY_NAME.items()},
}


def pref_code(value: str | int | None) -> str | None:
    """The JIS two-digit code for a prefecture name or code in any common form; None if not one.

    '青森県', '青森', ' 東京 ', '2', '02', '020001' → '02' / '13' / '02'; '全国' and '外国' → None.
    """
    if value is None:
        return None
    s = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    if s in PREF_BY_ANY_NAME:
        return PREF_BY_ANY_NAME[s]
    if s.isdigit():
        if len(s) <= 2 and f"{int(s):02d}" in NAME_BY_CODE:
            return f"{int(s):02d}"
        if len(s) == 6 and s[2:5] == "000" and s[:2] in NAME_BY_CODE and is_valid_muni_code(s):
            return s[:2]
        if len(s) == 5 and s[2:] == "000" and s[:2] in NAME_BY_CODE:
            return s[:2]  # e-Stat area codes: 02000 = 青森県
    return None


def check_digit(five: str) -> str:
    """The check digit of a 5-digit code: (11 − Σ dᵢ·wᵢ mod 11) mod 10 with weights 6,5,4,3,2."""
    if len(five) != 5 or not five.isdigit():
        raise CodeError(f"{five!r} is not 5 digits")
    total = sum(int(d) * w for d, w in zip(five, WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def is_valid_muni_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit() and check_digit(code[:5]) == code[5] and code[:2] in NAME_BY_CODE


def muni_code(value: str | int | None, *, unpadded: bool = False) -> str | None:
    """A 6-digit 全国地方公共団体コード from the forms files use; empty → None.

    6 digits: verified (``CodeError`` if the check digit or the prefecture part is wrong).
    5 digits or a LOD URI: the check digit is computed. ``unpadded=True`` also accepts codes whose
    leading zero was lost (``1100`` → ``011002``), for files known to store them as numbers.
    """
    if value is None:
        return None
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if not s:
        return None
    if m := LOD_RE.search(s):
        s = m.group(1)
    if not s.isdigit():
        raise CodeError(f"{value!r} is not a municipality code")
    if unpadded and len(s) in (3, 4):
        s = s.zfill(5)
    if len(s) == 5:
        if s[:2] not in NAME_BY_CODE:
            raise CodeError(f"{value!r}: {s[:2]} is not a prefecture code")
        return s + check_digit(s)
    if len(s) == 6:
        if s[:2] not in NAME_BY_CODE:
            raise CodeError(f"{value!r}: {s[:2]} is not a prefecture code")
        if check_digit(s[:5]) != s[5]:
            raise CodeError(f"{s}: check digit {s[5]} is wrong (expected {check_digit(s[:5])})")
        return s
    raise CodeError(f"{value!r} has {len(s)} digits; a municipality code has 5 or 6")
