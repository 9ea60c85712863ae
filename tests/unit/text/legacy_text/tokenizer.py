"""MeCab + UniDic (unidic-lite) tokenization into the terms an analyst sees.

Dictionary names stay whole: place names of the gazetteer (佐賀市, 弘前) and product names and
aliases of ``data/products.csv`` (ロールケーキ, とちおとめ) are found first, longest first, and each
becomes one term (pos 名詞) written as in the text; MeCab tokenizes the text between them. Its
lemma is MeCab's own when MeCab knows the name as a single noun (青森 → アオモリ, ソフト → ソフト),
otherwise the canonical name (佐賀市 → 佐賀市, トチオトメ → とちおとめ, 弘前 short for 弘前市 keeps
ヒロサキ). A municipality's short form is not protected where it starts inside a run of kanji, as
in the gazetteer. English posts go to ``miryoku.text.english``.

``term`` is UniDic's written base form (orthBase): 青森 stays 青森, 食べた → 食べる, いちご stays いちご.
``lemma`` is UniDic's lemma without its English gloss (ソフト-soft → ソフト) and groups spelling
variants (いちご / イチゴ / 苺 → 苺). POS is compared exactly on the first field, because suffix
matches count 代名詞 as 名詞 and 助動詞 as 動詞.

A Tagger cannot be pickled, so each process builds its own, once, on first use (``tagger()``);
Spark jobs call ``terms_of`` inside mapInArrow so the cache lives in the Python worker.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from functools import cache, lru_cache
from importlib import resources

CONTENT_POS = ("名詞", "動詞", "形容詞")
SKIP_POS2 = ("数詞",)
PUNCT_RE = re.compile(r"^[\W_]+$")
GLOSS_RE = re.compile(r"-[A-Za-z][A-Za-z .'-]*$")

# Custom output format: surface, orthBase, lemma, pos1, pos2 (tab separated, one node per line);
# unknown words carry a sixth field "unk".
# unidic-lite's dicrc sets output-format-type=unidic, so -F would be ignored: an rc file is needed.
_RC = (
    "node-format-miryoku = %m\\t%f[10]\\t%f[7]\\t%f[0]\\t%f[1]\\n\n"
    "unk-format-miryoku = %m\\t%m\\t%m\\t%f[0]\\t%f[1]\\tunk\\n\n"
    "bos-format-miryoku = \n"
    "eos-format-miryoku = \n"
    "output-format-type = miryoku\n"
)


class TokenizerUnavailable(RuntimeError):
    """MeCab or its dictionary is missing; the message says what to install."""


def dictionary_dir() -> str:
    try:
        import unidic_lite
    except ImportError as exc:  # pragma: no cover - exercised by the environment check
        raise TokenizerUnavailable(
            "MeCab dictionary missing: install unidic-lite (make venv installs it from requirements.lock)"
        ) from exc
    if not os.path.exists(os.path.join(unidic_lite.DICDIR, "sys.dic")):
        raise TokenizerUnavailable(f"MeCab dictionary incomplete at {unidic_lite.DICDIR}: reinstall unidic-lite")
    return unidic_lite.DICDIR


@cache
def tagger():
    """One Tagger per process (never pickled, never per row)."""
    try:
        import MeCab
    except ImportError as exc:
        raise TokenizerUnavailable("MeCab missing: install mecab-python3 (make venv)") from exc
    dicdir = dictionary_dir()
    rc_dir = tempfile.mkdtemp(prefix="miryoku-mecab-")
    rc = os.path.join(rc_dir, "mecabrc")
    with open(rc, "w", encoding="utf-8") as fh:
        fh.write(_RC)
    return MeCab.Tagger(f"-r {rc} -d {dicdir}")


@cache
def stopwords() -> frozenset[str]:
    text = resources.files("miryoku.text.data").joinpath("stopwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def clean_lemma(lemma: str) -> str:
    return GLOSS_RE.sub("", lemma) or lemma


JAPANESE_SCRIPT_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
KANJI_RE = re.compile(r"[\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@cache
def _protected() -> tuple[re.Pattern | None, dict[str, tuple[str | None, bool]]]:
    """(pattern, name → (canonical name or None for an exclude word, is a place's short form))."""
    from legacy_text.gazetteer import protected_names as place_names
    from legacy_text.gazetteer import trie_pattern
    from legacy_text.products import protected_names as product_names

    names: dict[str, tuple[str | None, bool]] = dict(place_names())
    for name, canonical in product_names().items():
        names.setdefault(name, (canonical, False))
    if not names:
        return None, names
    return re.compile(trie_pattern(names)), names


@lru_cache(maxsize=4096)
def protected_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, canonical name) of each dictionary name in ``text``, in order, not overlapping."""
    pattern, names = _protected()
    if pattern is None or not text:
        return ()
    spans = []
    prev_end = -1
    for m in pattern.finditer(text):
        start, end = m.span()
        after_name = start == prev_end
        prev_end = end
        canonical, weak = names[m.group()]
        if canonical is None:
            continue
        if (weak and start > 0 and not after_name and KANJI_RE.match(text, start)
                and KANJI_RE.match(text, start - 1)):
            continue
        spans.append((start, end, canonical))
    return tuple(spans)


@lru_cache(maxsize=8192)
def _name_lemma(name: str, canonical: str) -> str:
    """MeCab's lemma when it knows ``name`` as one noun, else the dictionary's canonical name."""
    nodes = [line.split("\t") for line in tagger().parse(name).splitlines()]
    if len(nodes) == 1 and len(nodes[0]) == 5 and nodes[0][3] == "名詞" and nodes[0][2] not in ("", "*"):
        return clean_lemma(nodes[0][2])
    return canonical


def _mecab_tokens(text: str, stop: frozenset[str], out: list[tuple[str, str, str]]) -> None:
    for line in tagger().parse(text).splitlines():
        fields = line.split("\t")
        if len(fields) < 4:
            continue
        surface, base, lemma, pos1 = fields[0], fields[1], fields[2], fields[3]
        pos2 = fields[4] if len(fields) > 4 else ""
        if pos1 not in CONTENT_POS or pos2 in SKIP_POS2:
            continue
        term = base if base and base != "*" else surface
        if term.isascii():
            term = term.lower()
            lemma = term
        if len(term) < 2 and term.isascii() or PUNCT_RE.match(term) or term in stop:
            continue
        out.append((term, clean_lemma(lemma) if lemma and lemma != "*" else term, pos1))


def is_english(text: str, lang: str | None = None) -> bool:
    """English tokenization for ``lang`` 'en…' without Japanese script; by script when lang is None."""
    if lang is None:
        from legacy_text.normalize import detect_lang

        return detect_lang(text) == "en"
    return lang.lower().startswith("en") and not JAPANESE_SCRIPT_RE.search(text)


def tokens(text: str, lang: str | None = None) -> list[tuple[str, str, str]]:
    """(term, lemma, pos) for every content word of ``text``, in order, repeats kept."""
    text = text or ""
    if is_english(text, lang):
        from legacy_text.english import tokens as english_tokens

        return english_tokens(text)
    out: list[tuple[str, str, str]] = []
    stop = stopwords()
    pos = 0
    for start, end, canonical in protected_spans(text):
        if start > pos:
            _mecab_tokens(text[pos:start], stop, out)
        name = text[start:end]
        if name not in stop:
            out.append((name, _name_lemma(name, canonical), "名詞"))
        pos = end
    if pos < len(text):
        _mecab_tokens(text[pos:], stop, out)
    return out


def terms_of(text: str, lang: str | None = None) -> list[tuple[str, str, str, int]]:
    """One (term, lemma, pos, n) per distinct term: n counts its occurrences in the text.

    ``lang``: the post's language when the source says ('en' → the English tokenizer, unless the
    text is in Japanese script); None decides by script (``miryoku.text.normalize.detect_lang``).
    """
    counts: Counter[str] = Counter()
    first: dict[str, tuple[str, str]] = {}
    for term, lemma, pos in tokens(text, lang):
        counts[term] += 1
        first.setdefault(term, (lemma, pos))
    return [(term, *first[term], n) for term, n in counts.items()]
