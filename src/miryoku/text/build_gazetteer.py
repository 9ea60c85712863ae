"""Build ``data/gazetteer.tsv`` (the runtime gazetteer) from a 全国地方公共団体コード list.

    python -m miryoku.text.build_gazetteer tests/fixtures/realdata/geo/nojimage_cities.json
    python -m miryoku.text.build_gazetteer 都道府県コード.csv      # 総務省's list saved as CSV

Inputs understood:
- ``cities.json`` of nojimage/local-gov-code-jp (``city_code``, ``city_name``, ``city_kana`` in
  hiragana, ``pref_code``, ``pref_name``, ``pref_kana``);
- 総務省's 「都道府県コード及び市区町村コード」 saved as CSV (団体コード, 都道府県名（漢字）,
  市区町村名（漢字）, 都道府県名（カナ）, 市区町村名（カナ）; the header may span several lines,
  kana may be half-width; prefecture rows have an empty 市区町村名).

Every code's check digit is verified; a wrong one stops the build. The output has one row per
prefecture and per municipality: the 6-digit code, the two-digit JIS prefecture code, the kind
(pref / city / ward / town / village), the official name, its reading in hiragana, the short form
(the name without 市・区・町・村, or without 都・府・県) and a romanised short form (Hepburn without
macrons: とうきょう → Tokyo, おおさか → Osaka). Which of these forms may match a post is decided at
run time by ``gazetteer_rules.tsv``, so matching rules change without rebuilding this file.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
import unicodedata
from pathlib import Path

OUTPUT = Path(__file__).with_name("data") / "gazetteer.tsv"
COLUMNS = ["code", "pref_code", "kind", "name", "kana", "short", "english"]
KIND_BY_SUFFIX = {"市": "city", "区": "ward", "町": "town", "村": "village"}
KANA_SUFFIXES = {
    "city": ("し",), "ward": ("く",), "town": ("ちょう", "まち"), "village": ("むら", "そん"),
    "pref": ("けん", "ふ", "と"),
}

_ROMAJI = {
    "あ": "a", "い": "i", "う": "u", "え": "e", "お": "o",
    "か": "ka", "き": "ki", "く": "ku", "け": "ke", "こ": "ko",
    "さ": "sa", "し": "shi", "す": "su", "せ": "se", "そ": "so",
    "た": "ta", "ち": "chi", "つ": "tsu", "て": "te", "と": "to",
    "な": "na", "に": "ni", "ぬ": "nu", "ね": "ne", "の": "no",
    "は": "ha", "ひ": "hi", "ふ": "fu", "へ": "he", "ほ": "ho",
    "ま": "ma", "み": "mi", "む": "mu", "め": "me", "も": "mo",
    "や": "ya", "ゆ": "yu", "よ": "yo",
    "ら": "ra", "り": "ri", "る": "ru", "れ": "re", "ろ": "ro",
    "わ": "wa", "ゐ": "i", "ゑ": "e", "を": "o", "ん": "n",
    "が": "ga", "ぎ": "gi", "ぐ": "gu", "げ": "ge", "ご": "go",
    "ざ": "za", "じ": "ji", "ず": "zu", "ぜ": "ze", "ぞ": "zo",
    "だ": "da", "ぢ": "ji", "づ": "zu", "で": "de", "ど": "do",
    "ば": "ba", "び": "bi", "ぶ": "bu", "べ": "be", "ぼ": "bo",
    "ぱ": "pa", "ぴ": "pi", "ぷ": "pu", "ぺ": "pe", "ぽ": "po",
    "ゔ": "vu", "ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o",
}
_YOON = {"ゃ": "a", "ゅ": "u", "ょ": "o"}


def check_digit(code5: str) -> str:
    """全国地方公共団体コード check digit: weights 6,5,4,3,2; (11 - sum mod 11) mod 10."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def verify_code(code: str) -> str:
    if len(code) != 6 or not code.isdigit() or check_digit(code[:5]) != code[5]:
        raise ValueError(f"not a 6-digit 全国地方公共団体コード with a valid check digit: {code!r}")
    return code


def to_hiragana(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").replace(" ", "").replace("\u3000", "")
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def romanize(kana: str) -> str:
    """Hepburn without macrons, as place names are written in English (Hyogo, Oita, Kochi)."""
    syllables: list[str] = []
    double = False
    for ch in to_hiragana(kana):
        if ch == "っ":
            double = True
            continue
        if ch in _YOON and syllables:
            prev = syllables[-1]
            root = prev[:-1] if prev.endswith(("shi", "chi", "ji")) else prev[:-1] + "y"
            syllables[-1] = root + _YOON[ch]
            continue
        if ch == "ー":
            continue
        roman = _ROMAJI.get(ch)
        if roman is None:
            continue
        if double:
            roman = ("t" + roman) if roman.startswith("ch") else roman[0] + roman
            double = False
        syllables.append(roman)
    out = "".join(syllables)
    # Readings written with full-size ゃゅょ after じ (ほんじよう for 本庄) are read as じょう.
    for written, spoken in (("jiy", "j"), ("ou", "o"), ("oo", "o"), ("uu", "u")):
        out = out.replace(written, spoken)
    return out.capitalize()


def strip_suffix(name: str, kana: str, kind: str) -> tuple[str, str]:
    """(short name, short reading): 弘前市/ひろさきし → 弘前/ひろさき; 北海道 stays whole."""
    if name == "北海道":
        return name, kana
    short = name[:-1]
    for suffix in KANA_SUFFIXES[kind]:
        if kana.endswith(suffix) and len(kana) > len(suffix):
            return short, kana[: -len(suffix)]
    return short, kana


def kind_of(name: str) -> str:
    try:
        return KIND_BY_SUFFIX[name[-1]]
    except KeyError:
        raise ValueError(f"municipality name without 市・区・町・村: {name!r}") from None


def read_source(path: Path) -> list[dict]:
    """Records (code, name, kana, pref_code6, pref_name, pref_kana) from either supported source."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    records: list[dict] = []
    if text.lstrip().startswith("["):
        for row in json.loads(text):
            records.append({
                "code": row["city_code"], "name": row["city_name"], "kana": row["city_kana"],
                "pref_code6": row["pref_code"], "pref_name": row["pref_name"], "pref_kana": row["pref_kana"],
            })
        return records
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    if not header or "コード" not in header[0]:
        raise ValueError(f"{path}: neither nojimage cities.json nor 総務省's code list CSV")
    prefs: dict[str, tuple[str, str, str]] = {}
    rows = [r for r in reader if r and r[0].strip()]
    for r in rows:
        code, pref_name, muni, pref_kana = r[0].strip(), r[1].strip(), r[2].strip(), r[3].strip()
        if not muni:
            prefs[code[:2]] = (code, pref_name, pref_kana)
    for r in rows:
        code, muni = r[0].strip(), r[2].strip()
        if muni:
            pref6, pref_name, pref_kana = prefs[code[:2]]
            records.append({"code": code, "name": muni, "kana": r[4].strip(), "pref_code6": pref6,
                            "pref_name": pref_name, "pref_kana": pref_kana})
    return records


def build_rows(records: list[dict]) -> list[dict]:
    prefs: dict[str, dict] = {}
    munis: list[dict] = []
    for rec in records:
        code = verify_code(rec["code"].strip())
        pref6 = verify_code(rec["pref_code6"].strip())
        if code[:2] != pref6[:2]:
            raise ValueError(f"{code} {rec['name']}: prefecture code {pref6} does not match")
        pref_name = unicodedata.normalize("NFKC", rec["pref_name"]).strip()
        pref_kana = to_hiragana(rec["pref_kana"])
        if pref6 not in prefs:
            short, short_kana = strip_suffix(pref_name, pref_kana, "pref")
            prefs[pref6] = {"code": pref6, "pref_code": pref6[:2], "kind": "pref", "name": pref_name,
                            "kana": pref_kana, "short": short, "english": romanize(short_kana)}
        name = unicodedata.normalize("NFKC", rec["name"]).strip()
        kana = to_hiragana(rec["kana"])
        kind = kind_of(name)
        short, short_kana = strip_suffix(name, kana, kind)
        munis.append({"code": code, "pref_code": code[:2], "kind": kind, "name": name, "kana": kana,
                      "short": short, "english": romanize(short_kana)})
    if len(prefs) != 47:
        raise ValueError(f"expected 47 prefectures, found {len(prefs)}")
    codes = [m["code"] for m in munis]
    if len(set(codes)) != len(codes):
        raise ValueError("a municipality code appears twice")
    return sorted(prefs.values(), key=lambda r: r["code"]) + sorted(munis, key=lambda r: r["code"])


def render(rows: list[dict], source_name: str, digest: str) -> str:
    municipalities = sum(1 for r in rows if r["kind"] != "pref")
    out = io.StringIO()
    out.write(f"# Gazetteer of 全国地方公共団体コード, generated by "
              f"`python -m miryoku.text.build_gazetteer {source_name}` (source sha256 {digest[:16]}).\n")
    out.write(f"# {len(rows) - municipalities} prefectures, {municipalities} municipalities. "
              "Do not edit: rebuild from a newer list; matching rules live in gazetteer_rules.tsv.\n")
    out.write("\t".join(COLUMNS) + "\n")
    for r in rows:
        out.write("\t".join(r[c] for c in COLUMNS) + "\n")
    return out.getvalue()


def build(source: Path, output: Path = OUTPUT) -> Path:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    output.write_text(render(build_rows(read_source(source)), source.name, digest), encoding="utf-8")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m miryoku.text.build_gazetteer", description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="nojimage cities.json or 総務省's code list as CSV")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    args = parser.parse_args(argv)
    out = build(args.source, args.output)
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
