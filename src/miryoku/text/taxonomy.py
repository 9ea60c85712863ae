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


FILES = (TAXONOMY_FILE, DISASTER_FILE)
_Keyword = tuple[re.Pattern, int, str]  # (regex, index in FILES, label)


@dataclass(frozen=True)
class _Side:
    """Keywords of one script: an automaton finds every place where a keyword's literal prefix
    occurs (overlapping), then each keyword with that prefix is tried there with its own regex."""
    automaton: object                          # gazetteer.Automaton over the prefixes, overlapping
    by_prefix: list[tuple[_Keyword, ...]]      # per prefix of the automaton
    always: tuple[_Keyword, ...]               # keywords without a literal prefix


def _side(entries: list[tuple[str, int, str]], english: bool) -> _Side:
    from miryoku.text.gazetteer import Automaton

    own: dict[str, list[_Keyword]] = {}
    always = []
    for surface, file_index, label in entries:
        regex = re.compile(f"(?:{surface})(?![a-z])", re.IGNORECASE) if english else re.compile(surface)
        prefixes = literal_prefixes(surface)
        if prefixes is None:
            always.append((regex, file_index, label))
            continue
        for prefix in prefixes:
            own.setdefault(prefix.lower() if english else prefix, []).append((regex, file_index, label))
    automaton = Automaton(own, overlapping=True)
    return _Side(automaton, [tuple(own[p]) for p in automaton.names], tuple(always))


@dataclass(frozen=True)
class _Matcher:
    japanese: _Side  # searched in the masked text
    english: _Side   # searched in the lower-cased masked text of posts with Latin letters
    by_term: dict[str, tuple[tuple[int, str], ...]]
    by_lemma: dict[str, tuple[tuple[int, str], ...]]


@cache
def _matcher() -> _Matcher:
    """Both keyword files in one matcher: labels carry the index of their file in ``FILES``."""
    ja, en = [], []
    by_term: dict[str, set[tuple[int, str]]] = {}
    by_lemma: dict[str, set[tuple[int, str]]] = {}
    for file_index, name in enumerate(FILES):
        for kw in keywords(name):
            if kw.surface:
                (ja if kw.lang == "ja" else en).append((kw.surface, file_index, kw.label))
            for term in kw.terms:
                by_term.setdefault(term if kw.lang == "ja" else term.lower(), set()).add((file_index, kw.label))
            for lemma in kw.lemmas:
                by_lemma.setdefault(lemma if kw.lang == "ja" else lemma.lower(), set()).add((file_index, kw.label))
    return _Matcher(_side(ja, False), _side(en, True),
                    {k: tuple(v) for k, v in by_term.items()}, {k: tuple(v) for k, v in by_lemma.items()})


def _search(side: _Side, text: str, found: tuple[set[str], set[str]], english: bool = False) -> None:
    """Every keyword of ``side`` in ``text``; keywords may overlap (すごい楽しい, 大雨)."""
    for i, start, _ in side.automaton.find(text):
        if english and start > 0 and "a" <= text[start - 1] <= "z":
            continue  # not the start of a word
        for regex, file_index, label in side.by_prefix[i]:
            labels = found[file_index]
            if label not in labels and regex.match(text, start):
                labels.add(label)
    for regex, file_index, label in side.always:
        labels = found[file_index]
        if label in labels:
            continue
        for m in regex.finditer(text):
            if not english or m.start() == 0 or not "a" <= text[m.start() - 1] <= "z":
                labels.add(label)
                break


def masked(text_norm: str, spans) -> str:
    """The text with dictionary names (``tokenizer.protected_spans``) blanked out, same length."""
    if not spans:
        return text_norm
    parts, pos = [], 0
    for start, end, _ in spans:
        parts += [text_norm[pos:start], MASK * (end - start)]
        pos = end
    parts.append(text_norm[pos:])
    return "".join(parts)


def keyword_labels(text_norm: str, terms, spans) -> tuple[set[str], set[str]]:
    """(taxonomy labels, disaster labels) of a post from its text, its terms and its dictionary names."""
    m = _matcher()
    found: tuple[set[str], set[str]] = (set(), set())
    if text_norm:
        text = masked(text_norm, spans)
        _search(m.japanese, text, found)
        if LATIN_RE.search(text):
            _search(m.english, text.lower(), found, english=True)
    by_term, by_lemma = m.by_term, m.by_lemma
    for term, lemma, *_ in terms:
        for file_index, label in by_term.get(term, ()):
            found[file_index].add(label)
        for file_index, label in by_lemma.get(lemma, ()):
            found[file_index].add(label)
    return found


def disaster_lists(labels: set[str]) -> tuple[list[str], list[str]]:
    """(situations, emotions), each sorted, of the disaster labels of a post."""
    situations, emotions = [], []
    for label in sorted(labels):
        category, word = label.split("/", 1)
        (situations if category == SITUATION else emotions).append(word)
    return situations, emotions


def _labels(name: str, text_norm: str, terms) -> set[str]:
    from miryoku.text.tokenizer import protected_spans, terms_of

    text_norm = text_norm or ""
    if terms is None:
        terms = terms_of(text_norm)
    return keyword_labels(text_norm, terms, protected_spans(text_norm))[FILES.index(name)]


def categories_of(text_norm: str, terms: list[tuple[str, str, str, int]] | None = None) -> list[str]:
    """Sorted "category/subcategory" labels (観光/食べる) the post's words fall into.

    ``terms``: the post's ``terms_of`` result when the caller has it (tokenized again otherwise).
    """
    return sorted(_labels(TAXONOMY_FILE, text_norm, terms))


def disaster_of(text_norm: str, terms: list[tuple[str, str, str, int]] | None = None) -> dict[str, list[str]]:
    """{"situations": [雨, 浸水 …], "emotions": [大丈夫 …]}: the leaflet's disaster words in the post, sorted."""
    situations, emotions = disaster_lists(_labels(DISASTER_FILE, text_norm, terms))
    return {"situations": situations, "emotions": emotions}


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
