"""Products, their competitor groups and the goods made from them (``data/products.csv``).

The file is edited by analysts (any spreadsheet tool, saved as UTF-8 CSV). One row per product:

- ``product``: the canonical name reported in ``posts_v1.products`` and the gold tables;
- ``product_group``: the competitor group (いちご, ロールケーキ) — for ``derived`` rows the product
  the goods are made from (牛乳 for カステラ), which is the anchor of the co-occurrence view;
- ``origin_pref_code``: JIS code of the producing prefecture ('09' とちおとめ), empty for a group's
  own word and for derived goods;
- ``aliases``: other spellings, ``|`` separated (トチオトメ|tochiotome);
- ``kind``: ``product`` (a named product of one region), ``generic`` (the group's own word:
  いちご, ロールケーキ) or ``derived`` (goods made from the group's product: ソフトクリーム, カステラ);
- ``exclude`` (optional): longer words that contain a name but are something else
  (ソフトバンク for ソフト, プリンター for プリン), ``|`` separated;
- ``note`` (optional): free text.

Matching: names and aliases are searched in the normalised text (NFKC), longest first and
non-overlapping, so とちおとめ never also counts as a shorter name inside it; Latin-script names
are whole words, case-insensitive (``strawberries``, ``Roll Cake``). A match that is the start of
an ``exclude`` word does not count. Both searches are Aho-Corasick automata (``gazetteer.Automaton``)
that give the matches the regular expression ``_latin_regex`` gives, in one pass.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import cache
from importlib import resources

from miryoku.text.gazetteer import trie_pattern

DATA_FILE = "products.csv"
COLUMNS = ("product", "product_group", "origin_pref_code", "aliases", "kind")
KINDS = ("product", "generic", "derived")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _split(value: str | None) -> list[str]:
    return [_norm(v) for v in (value or "").split("|") if _norm(v)]


@cache
def _rows() -> tuple[dict, ...]:
    text = resources.files("miryoku.text.data").joinpath(DATA_FILE).read_text("utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    rows = []
    for n, row in enumerate(csv.DictReader(io.StringIO("\n".join(lines))), start=2):
        missing = [c for c in COLUMNS if c not in row]
        if missing:
            raise ValueError(f"{DATA_FILE}: columns missing: {missing}")
        clean = {k: _norm(v) if isinstance(v, str) else "" for k, v in row.items() if k}
        if not clean["product"] or not clean["product_group"]:
            raise ValueError(f"{DATA_FILE} line {n}: product and product_group are required")
        if clean["kind"] not in KINDS:
            raise ValueError(f"{DATA_FILE} line {n}: kind must be one of {KINDS}, not {clean['kind']!r}")
        code = clean["origin_pref_code"]
        if code and not (len(code) == 2 and code.isdigit() and 1 <= int(code) <= 47):
            raise ValueError(f"{DATA_FILE} line {n}: origin_pref_code must be '01'…'47' or empty, not {code!r}")
        rows.append(clean)
    return tuple(rows)


def product_table() -> list[dict]:
    """The rows of ``products.csv`` (values NFKC-normalised; ``aliases`` still ``|`` separated)."""
    return [dict(r) for r in _rows()]


@cache
def _names() -> tuple[dict[str, str | None], dict[str, str | None]]:
    """(Japanese-script name → canonical, lower-case Latin name → canonical); exclude words → None."""
    ja: dict[str, str | None] = {}
    en: dict[str, str | None] = {}
    for row in _rows():
        for name in [row["product"], *_split(row["aliases"])]:
            index, key = (en, name.lower()) if name.isascii() else (ja, name)
            if index.get(key, row["product"]) != row["product"]:
                raise ValueError(f"{DATA_FILE}: {name!r} names both {index[key]!r} and {row['product']!r}")
            index[key] = row["product"]
    for row in _rows():
        for word in _split(row.get("exclude")):
            index, key = (en, word.lower()) if word.isascii() else (ja, word)
            index.setdefault(key, None)
    return ja, en


@cache
def _matchers():
    """(Japanese names: leftmost-longest automaton and canonical per name,
    Latin names: overlapping automaton over the lower-cased text and canonical per name)."""
    from miryoku.text.gazetteer import Automaton

    ja, en = _names()
    ja_ac, en_ac = Automaton(ja), Automaton(en, overlapping=True)
    return ja_ac, [ja[n] for n in ja_ac.names], en_ac, [en[n] for n in en_ac.names]


def latin_spans(lowered: str) -> list[tuple[int, int, str | None]]:
    """(start, end, canonical or None for an exclude word) of Latin names in a lower-cased text:
    at each word start, the longest name that ends a word; non-overlapping, in order."""
    _, _, automaton, names = _matchers()
    size = len(lowered)
    valid = sorted(
        (start, -end, i) for i, start, end in automaton.find(lowered)
        if not (start > 0 and "a" <= lowered[start - 1] <= "z") and not (end < size and "a" <= lowered[end] <= "z")
    )
    out, pos = [], 0
    for start, neg_end, i in valid:
        if start >= pos:
            out.append((start, -neg_end, names[i]))
            pos = -neg_end
    return out


def _latin_matches(text_norm: str) -> list[str | None]:
    lowered = text_norm.lower()
    if len(lowered) != len(text_norm):  # a letter whose lower case is longer: the slow, exact path
        en = _names()[1]
        return [en.get(m.group(1).lower()) for m in _latin_regex().finditer(text_norm)]
    return [canonical for _, _, canonical in latin_spans(lowered)]


@cache
def _latin_regex() -> re.Pattern:
    return re.compile("(?i:(?<![a-z])(" + trie_pattern(_names()[1]) + ")(?![a-z]))")


LATIN_RE = re.compile("[A-Za-z]")


def products_of(text_norm: str) -> list[str]:
    """Canonical names of the products (any kind) a normalised post names, sorted, without repeats."""
    if not text_norm:
        return []
    ja_ac, ja_names, _, _ = _matchers()
    found = {ja_names[i] for i, _, _ in ja_ac.find(text_norm)}
    if LATIN_RE.search(text_norm):
        found.update(_latin_matches(text_norm))
    found.discard(None)
    return sorted(found)


def derived_terms() -> dict[str, list[str]]:
    """Anchor (product group) → the terms of goods made from it, canonical names first, then aliases.

    Terms as the tokenizer writes them (ソフト as well as ソフトクリーム, Latin names lower-case), so
    the co-occurrence view can join them on ``post_terms_v1.term``.
    """
    out: dict[str, list[str]] = {}
    for row in _rows():
        if row["kind"] != "derived":
            continue
        terms = out.setdefault(row["product_group"], [])
        for name in [row["product"], *_split(row["aliases"])]:
            term = name.lower() if name.isascii() else name
            if term not in terms:
                terms.append(term)
    return out


@cache
def protected_names() -> dict[str, str | None]:
    """Japanese-script names a tokenizer keeps whole → canonical name (``None``: an exclude word)."""
    return dict(_names()[0])


@cache
def english_phrases() -> dict[str, str]:
    """Latin-script names of more than one word (roll cake) → canonical name."""
    return {k: v for k, v in _names()[1].items() if v is not None and " " in k}
