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
matches count 代名詞 as 名詞 and 助動詞 as 動詞. Content words are 名詞, 動詞, 形容詞 and 形状詞 (素敵,
きれい, 有名: the leaflet's evaluation words). A word in Latin letters inside a Japanese post gets the
English rules (``miryoku.text.english.word_token``: UD tags, not 名詞).

Speed: MeCab prints only surface, context ids and cost per node (``_FAST_RC``); cutting feature
fields out of UniDic's CSV is most of MeCab's formatting time. Each such line is looked up in a
bounded dictionary of tokens; a line not seen yet in the process sends its text through the full
format once (``_fill``). Dictionary names are found with one Aho-Corasick pass (``protected_spans``).

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
from typing import NamedTuple

CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞")
# every pos post_terms_v1 can hold: UniDic's for Japanese words, UD tags for English ones (english.ENGLISH_POS)
ALL_POS = (*CONTENT_POS, "ADJ", "VERB", "NOUN", "PROPN", "X")
SKIP_POS2 = ("数詞",)
PUNCT_RE = re.compile(r"^[\W_]+$")
ASCII_LETTER_RE = re.compile("[a-z]")
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


# The fast format: surface, left and right context ids, word cost — no feature field, which MeCab
# would have to cut out of the feature CSV for every node (each %f[n] costs about as much as the
# rest of the output). Together they name one dictionary entry; its features come from the full
# format above the first time an entry is seen in a process (``_NodeCache``).
_FAST_RC = (
    "node-format-miryokufast = %m\\t%phl\\t%phr\\t%c\\n\n"
    "unk-format-miryokufast = %m\\t%phl\\t%phr\\t%c\\tunk\\n\n"
    "bos-format-miryokufast = \n"
    "eos-format-miryokufast = \n"
    "output-format-type = miryokufast\n"
)


def _new_tagger(rc_text: str):
    try:
        import MeCab
    except ImportError as exc:
        raise TokenizerUnavailable("MeCab missing: install mecab-python3 (make venv)") from exc
    dicdir = dictionary_dir()
    rc = os.path.join(tempfile.mkdtemp(prefix="miryoku-mecab-"), "mecabrc")
    with open(rc, "w", encoding="utf-8") as fh:
        fh.write(rc_text)
    return MeCab.Tagger(f"-r {rc} -d {dicdir}")


@cache
def tagger():
    """One Tagger per process (never pickled, never per row): surface, orthBase, lemma, pos1, pos2."""
    return _new_tagger(_RC)


@cache
def fast_tagger():
    """The same model with the fast output format: the same nodes, one line each, in the same order."""
    return _new_tagger(_FAST_RC)


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
NODE_CACHE_SIZE = 200_000  # fast-format lines → token; cleared when full (unknown words are unbounded)


class _Protected(NamedTuple):
    automaton: object              # gazetteer.Automaton over every protected name
    canonical: list[str | None]    # per name: canonical name, None for an exclude word
    weak: list[bool]               # per name: a place's short form (kanji-run rule applies)


@cache
def _protected() -> _Protected:
    from miryoku.text.gazetteer import Automaton
    from miryoku.text.gazetteer import protected_names as place_names
    from miryoku.text.products import protected_names as product_names

    names: dict[str, tuple[str | None, bool]] = dict(place_names())
    for name, canonical in product_names().items():
        names.setdefault(name, (canonical, False))
    automaton = Automaton(names)
    return _Protected(automaton, [names[n][0] for n in automaton.names], [names[n][1] for n in automaton.names])


def protected_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, canonical name) of each dictionary name in ``text``, in order, not overlapping."""
    if not text:
        return ()
    automaton, canonicals, weaks = _protected()
    spans = []
    prev_end = -1
    for i, start, end in automaton.find(text):
        after_name = start == prev_end
        prev_end = end
        canonical = canonicals[i]
        if canonical is None:
            continue
        if (weaks[i] and start > 0 and not after_name and KANJI_RE.match(text, start)
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


def _node_token(line: str, stop: frozenset[str]) -> tuple[str, str, str] | None:
    """(term, lemma, pos) of one line of MeCab output, None when it is not a content word."""
    fields = line.split("\t")
    if len(fields) < 4:
        return None
    surface, base, lemma, pos1 = fields[0], fields[1], fields[2], fields[3]
    pos2 = fields[4] if len(fields) > 4 else ""
    if pos1 not in CONTENT_POS or pos2 in SKIP_POS2:
        return None
    term = base if base and base != "*" else surface
    if term.isascii():
        term = term.lower()
        if ASCII_LETTER_RE.search(term):  # an English word in a Japanese post: the English rules
            from miryoku.text.english import word_token

            return word_token(term, stop)
        lemma = term
    if len(term) < 2 and term.isascii() or PUNCT_RE.match(term) or term in stop:
        return None
    return term, clean_lemma(lemma) if lemma and lemma != "*" else term, pos1


_nodes: dict[str, tuple[str, str, str] | None] = {}  # fast-format line → token (None: not a content word)


def _fill(text: str, lines: list[str]) -> list[tuple[str, str, str]]:
    """Tokens of ``text`` from the full format; its fast-format ``lines`` are cached for next time."""
    full = tagger().parse(text).splitlines()
    stop = stopwords()
    toks = [_node_token(line, stop) for line in full]
    if len(full) == len(lines):
        if len(_nodes) + len(lines) > NODE_CACHE_SIZE:
            _nodes.clear()
        _nodes.update(zip(lines, toks, strict=True))
    return [tok for tok in toks if tok is not None]


def _mecab_tokens(text: str) -> list[tuple[str, str, str]]:
    """Content words of ``text``: MeCab once with the fast format, each line looked up in ``_nodes``."""
    lines = fast_tagger().parse(text).splitlines()
    try:
        return list(filter(None, map(_nodes.__getitem__, lines)))
    except KeyError:  # an entry not seen yet in this process
        return _fill(text, lines)


def japanese_tokens(text: str, spans: tuple[tuple[int, int, str], ...]) -> list[tuple[str, str, str]]:
    """(term, lemma, pos) of ``text`` whose dictionary names are ``spans`` (``protected_spans(text)``)."""
    if not spans:
        return _mecab_tokens(text) if text else []
    out: list[tuple[str, str, str]] = []
    stop = stopwords()
    pos = 0
    for start, end, canonical in spans:
        if start > pos:
            out += _mecab_tokens(text[pos:start])
        name = text[start:end]
        if name not in stop:
            out.append((name, _name_lemma(name, canonical), "名詞"))
        pos = end
    if pos < len(text):
        out += _mecab_tokens(text[pos:])
    return out


def is_english(text: str, lang: str | None = None) -> bool:
    """English tokenization for ``lang`` 'en…' without Japanese script; by script when lang is None."""
    if lang is None:
        from miryoku.text.normalize import detect_lang

        return detect_lang(text) == "en"
    return lang.lower().startswith("en") and not JAPANESE_SCRIPT_RE.search(text)


def tokens(text: str, lang: str | None = None) -> list[tuple[str, str, str]]:
    """(term, lemma, pos) for every content word of ``text``, in order, repeats kept."""
    text = text or ""
    if is_english(text, lang):
        from miryoku.text.english import tokens as english_tokens

        return english_tokens(text)
    return japanese_tokens(text, protected_spans(text))


def count_terms(toks: list[tuple[str, str, str]]) -> list[tuple[str, str, str, int]]:
    """One (term, lemma, pos, n) per distinct term, in order of first occurrence; the first lemma and pos win."""
    counts = Counter(toks)  # counted in C; the same term with another lemma or pos is merged below
    if len(counts) == len({tok[0] for tok in counts}):
        return [(term, lemma, pos, n) for (term, lemma, pos), n in counts.items()]
    merged: dict[str, list] = {}
    for (term, lemma, pos), n in counts.items():
        if term in merged:
            merged[term][3] += n
        else:
            merged[term] = [term, lemma, pos, n]
    return [tuple(row) for row in merged.values()]


def terms_of(text: str, lang: str | None = None) -> list[tuple[str, str, str, int]]:
    """One (term, lemma, pos, n) per distinct term: n counts its occurrences in the text.

    ``lang``: the post's language when the source says ('en' → the English tokenizer, unless the
    text is in Japanese script); None decides by script (``miryoku.text.normalize.detect_lang``).
    """
    return count_terms(tokens(text, lang))
