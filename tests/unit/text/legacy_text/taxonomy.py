"""The leaflet's keyword tables: what a post is about (``categories_of``) and disaster words (``disaster_of``).

Data (analyst-edited CSV, one keyword per row, same columns in both files):

- ``data/taxonomy.csv``: 情報の種類 (``category``: 気付き・観光・雇用・くらす) × 細別
  (``subcategory``: おどろく, 見る, 食べる …) × 検索に用いる言葉 (``keyword``, as the leaflet prints it);
- ``data/disaster.csv``: ``category`` 状況を示す / 感情を示す, ``subcategory`` the word reported
  (土砂崩(れ) is reported as 土砂崩れ), ``keyword`` as printed.

``origin`` is ``leaflet`` for the leaflet's words and ``addition`` for words added here (English
words for foreign visitors' posts, 冠水). ``lang`` is ``ja`` or ``en``.

Match rule — a keyword is found in a post when any of:

1. ``surface``: a regular expression (Python syntax; a plain word is a valid one) found in the
   normalised text. For ``en`` rows it is matched case-insensitively as whole words (``rain`` does
   not match ``train``). Dictionary names (places, products) are blanked out first, so ホワイト雪ロール
   is not snow and 音更町 is not a sound;
2. ``terms``: ``|``-separated written base forms, equal to a post term's ``term`` (良かった → 良い);
3. ``lemmas``: ``|``-separated UniDic lemmas, equal to a post term's ``lemma`` (すげー → 凄い,
   なつかしい → 懐かしい).

The term and lemma columns are what make inflections count: 驚いた, 驚き and 驚く all have lemma
驚く or 驚き; the surface column catches forms MeCab splits or tags as other parts of speech
(はじめて is an adverb, 素敵 a 形状詞). Keywords are matched independently, so overlapping words all
count. A stop word (``data/stopwords.txt``) never reaches the terms, so keep taxonomy terms out of it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

TAXONOMY_FILE = "taxonomy.csv"
DISASTER_FILE = "disaster.csv"
COLUMNS = ("category", "subcategory", "keyword", "lang", "surface", "terms", "lemmas", "origin")
SITUATION, EMOTION = "状況を示す", "感情を示す"
MASK = " "
LATIN_RE = re.compile("[A-Za-z]")


@dataclass(frozen=True)
class Keyword:
    category: str
    subcategory: str
    keyword: str
    lang: str
    surface: str
    terms: tuple[str, ...]
    lemmas: tuple[str, ...]
    origin: str

    @property
    def label(self) -> str:
        return f"{self.category}/{self.subcategory}"


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split("|") if v.strip())


@cache
def keywords(name: str) -> tuple[Keyword, ...]:
    """The rows of one keyword file (``taxonomy.csv`` or ``disaster.csv``), validated."""
    text = resources.files("miryoku.text.data").joinpath(name).read_text("utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    out = []
    for n, row in enumerate(csv.DictReader(io.StringIO("\n".join(lines))), start=2):
        if any(c not in row for c in COLUMNS):
            raise ValueError(f"{name}: columns must be {', '.join(COLUMNS)}")
        row = {k: unicodedata.normalize("NFKC", v or "").strip() for k, v in row.items() if k}
        kw = Keyword(row["category"], row["subcategory"], row["keyword"], row["lang"] or "ja", row["surface"],
                     _split(row["terms"]), _split(row["lemmas"]), row["origin"] or "addition")
        if not kw.category or not kw.subcategory:
            raise ValueError(f"{name} line {n}: category and subcategory are required")
        if kw.lang not in ("ja", "en"):
            raise ValueError(f"{name} line {n}: lang must be ja or en, not {kw.lang!r}")
        if not (kw.surface or kw.terms or kw.lemmas):
            raise ValueError(f"{name} line {n}: a keyword needs a surface, terms or lemmas")
        if kw.surface:
            try:
                re.compile(kw.surface)
            except re.error as exc:
                raise ValueError(f"{name} line {n}: surface is not a valid regular expression: {exc}") from exc
        out.append(kw)
    return tuple(out)


REGEX_SPECIAL = set(".^$*+?{}[]()|\\")


def literal_prefixes(surface: str) -> list[str] | None:
    """The literal text each top-level alternative of ``surface`` starts with, or None when one
    starts with something else (a class, a group): 安[いかくっ] → [安]; wow+ → [wo]."""
    alternatives, depth, in_class, current, escaped = [], 0, False, [], False
    for ch in surface:
        if escaped:
            current.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            alternatives.append("".join(current))
            current = []
            continue
        current.append(ch)
    alternatives.append("".join(current))
    prefixes = []
    for alt in alternatives:
        run: list[str] = []
        for ch in alt:
            if ch in REGEX_SPECIAL:
                if ch in "?*{" and run:
                    run.pop()  # the character before an optional quantifier may be absent
                break
            run.append(ch)
        if not run:
            return None
        prefixes.append("".join(run))
    return prefixes


@dataclass(frozen=True)
class _Side:
    """Keywords of one script: a trie of their literal prefixes finds where one may start, then
    each candidate keyword's own regex is tried there."""
    prefix_re: re.Pattern | None
    by_prefix: dict[str, tuple[tuple[re.Pattern, str], ...]]  # prefix → keywords whose prefix starts it
    always: tuple[tuple[re.Pattern, str], ...]                # keywords without a literal prefix


def _side(entries: list[tuple[str, str]], english: bool) -> _Side:
    from legacy_text.gazetteer import trie_pattern

    own: dict[str, list[tuple[re.Pattern, str]]] = {}
    always = []
    for surface, label in entries:
        regex = re.compile(f"(?:{surface})(?![a-z])", re.IGNORECASE) if english else re.compile(surface)
        prefixes = literal_prefixes(surface)
        if prefixes is None:
            always.append((regex, label))
            continue
        for prefix in prefixes:
            own.setdefault(prefix.lower() if english else prefix, []).append((regex, label))
    by_prefix = {
        prefix: tuple(kw for other, kws in own.items() if prefix.startswith(other) for kw in kws)
        for prefix in own
    }
    return _Side(re.compile(trie_pattern(own)) if own else None, by_prefix, tuple(always))


@dataclass(frozen=True)
class _Matcher:
    japanese: _Side  # searched in the masked text
    english: _Side   # searched in the lower-cased masked text of posts with Latin letters
    by_term: dict[str, frozenset[str]]
    by_lemma: dict[str, frozenset[str]]


@cache
def _matcher(name: str) -> _Matcher:
    ja, en = [], []
    by_term: dict[str, set[str]] = {}
    by_lemma: dict[str, set[str]] = {}
    for kw in keywords(name):
        if kw.surface:
            (ja if kw.lang == "ja" else en).append((kw.surface, kw.label))
        for term in kw.terms:
            by_term.setdefault(term if kw.lang == "ja" else term.lower(), set()).add(kw.label)
        for lemma in kw.lemmas:
            by_lemma.setdefault(lemma if kw.lang == "ja" else lemma.lower(), set()).add(kw.label)
    return _Matcher(_side(ja, False), _side(en, True),
                    {k: frozenset(v) for k, v in by_term.items()}, {k: frozenset(v) for k, v in by_lemma.items()})


def _search(side: _Side, text: str, found: set[str], english: bool = False) -> None:
    """Every keyword of ``side`` in ``text``; keywords may overlap (すごい楽しい, 大雨)."""
    if side.prefix_re is not None:
        pos = 0
        while (hit := side.prefix_re.search(text, pos)) is not None:
            start = hit.start()
            pos = start + 1
            if english and start > 0 and "a" <= text[start - 1] <= "z":
                continue  # not the start of a word
            for regex, label in side.by_prefix[hit.group()]:
                if label not in found and regex.match(text, start):
                    found.add(label)
    for regex, label in side.always:
        if label in found:
            continue
        for m in regex.finditer(text):
            if not english or m.start() == 0 or not "a" <= text[m.start() - 1] <= "z":
                found.add(label)
                break


def _masked(text_norm: str) -> str:
    """The text with dictionary names (places, products) blanked out, same length."""
    from legacy_text.tokenizer import protected_spans

    spans = protected_spans(text_norm)
    if not spans:
        return text_norm
    parts, pos = [], 0
    for start, end, _ in spans:
        parts += [text_norm[pos:start], MASK * (end - start)]
        pos = end
    parts.append(text_norm[pos:])
    return "".join(parts)


def _labels(name: str, text_norm: str, terms) -> set[str]:
    m = _matcher(name)
    found: set[str] = set()
    text_norm = text_norm or ""
    if text_norm:
        masked = _masked(text_norm)
        _search(m.japanese, masked, found)
        if LATIN_RE.search(masked):
            _search(m.english, masked.lower(), found, english=True)
    if terms is None:
        from legacy_text.tokenizer import terms_of

        terms = terms_of(text_norm)
    for term, lemma, *_ in terms:
        found |= m.by_term.get(term, frozenset())
        found |= m.by_lemma.get(lemma, frozenset())
    return found


def categories_of(text_norm: str, terms: list[tuple[str, str, str, int]] | None = None) -> list[str]:
    """Sorted "category/subcategory" labels (観光/食べる) the post's words fall into.

    ``terms``: the post's ``terms_of`` result when the caller has it (tokenized again otherwise).
    """
    return sorted(_labels(TAXONOMY_FILE, text_norm, terms))


def disaster_of(text_norm: str, terms: list[tuple[str, str, str, int]] | None = None) -> dict[str, list[str]]:
    """{"situations": [雨, 浸水 …], "emotions": [大丈夫 …]}: the leaflet's disaster words in the post, sorted."""
    found = _labels(DISASTER_FILE, text_norm, terms)
    out: dict[str, list[str]] = {"situations": [], "emotions": []}
    for label in sorted(found):
        category, word = label.split("/", 1)
        out["situations" if category == SITUATION else "emotions"].append(word)
    return out


def taxonomy_table() -> list[dict]:
    """The keyword rows of ``taxonomy.csv`` as dicts (terms and lemmas ``|`` joined)."""
    return [
        {"category": k.category, "subcategory": k.subcategory, "keyword": k.keyword, "lang": k.lang,
         "surface": k.surface, "terms": "|".join(k.terms), "lemmas": "|".join(k.lemmas), "origin": k.origin}
        for k in keywords(TAXONOMY_FILE)
    ]


def subcategories() -> list[str]:
    """Every "category/subcategory" label of the taxonomy, in file order."""
    return list(dict.fromkeys(k.label for k in keywords(TAXONOMY_FILE)))
