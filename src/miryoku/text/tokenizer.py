"""MeCab + UniDic (unidic-lite) tokenization into the terms an analyst sees.

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
from functools import cache
from importlib import resources

CONTENT_POS = ("名詞", "動詞", "形容詞")
SKIP_POS2 = ("数詞",)
PUNCT_RE = re.compile(r"^[\W_]+$")
GLOSS_RE = re.compile(r"-[A-Za-z][A-Za-z .'-]*$")

# Custom output format: surface, orthBase, lemma, pos1, pos2 (tab separated, one node per line).
# unidic-lite's dicrc sets output-format-type=unidic, so -F would be ignored: an rc file is needed.
_RC = (
    "node-format-miryoku = %m\\t%f[10]\\t%f[7]\\t%f[0]\\t%f[1]\\n\n"
    "unk-format-miryoku = %m\\t%m\\t%m\\t%f[0]\\t%f[1]\\n\n"
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


def tokens(text: str) -> list[tuple[str, str, str]]:
    """(term, lemma, pos) for every content word of ``text``, in order, repeats kept."""
    out = []
    stop = stopwords()
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
    return out


def terms_of(text: str) -> list[tuple[str, str, str, int]]:
    """One (term, lemma, pos, n) per distinct term: n counts its occurrences in the text."""
    counts: Counter[str] = Counter()
    first: dict[str, tuple[str, str]] = {}
    for term, lemma, pos in tokens(text):
        counts[term] += 1
        first.setdefault(term, (lemma, pos))
    return [(term, *first[term], n) for term, n in counts.items()]
