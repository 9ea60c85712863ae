"""Tokenization of English posts (foreign visitors) into the same (term, lemma, pos) triples as MeCab's.

- ``term`` is the word as written, lower-cased (``strawberries``);
- ``lemma`` is a light normalisation, no dictionary: plural ``-s``/``-es``/``-ies`` removed
  (strawberries → strawberry, buses → bus), ``-ed``/``-ing`` removed with the usual spelling repairs
  (loved → love, stopped → stop, visiting → visit), a few irregular nouns (people → person);
- ``pos`` is a Universal Dependencies tag, never UniDic's (English words must not count as 名詞):
  ADJ for the adjectives listed in ``ADJECTIVES`` and words ending in -ful, -ous, -less, -able,
  -ible; VERB for words whose lemma came from removing -ed or -ing (or an irregular past); PROPN
  for English place names of the gazetteer; NOUN for plurals and product names; X for any other
  word (the rules cannot tell);
- a product name of ``products.csv`` in Latin letters (strawberries, roll cake) is one term, NOUN,
  with the lemma its Japanese name gets (苺, ロールケーキ), so lemma counts join both languages;
- stop words (``data/stopwords.txt``, shared with Japanese), numbers and one-letter words are dropped.
"""

from __future__ import annotations

import re
from functools import cache

LETTERS = "a-zà-öø-ÿ"
WORD_RE = re.compile(f"[{LETTERS}][{LETTERS}'’]*[{LETTERS}]|[{LETTERS}]")
POSSESSIVE_RE = re.compile(r"['’]s$")

ADJECTIVES = frozenset("""
amazing awesome beautiful best better big busy cheap clean cold comfortable convenient cool crowded cute
delicious expensive famous fantastic fine fresh friendly fun good gorgeous great happy hot huge incredible
inconvenient kind large little local lovely new nice nostalgic old perfect popular pretty quiet rainy
safe scary small snowy special spicy stunning sweet tasty terrible tiny traditional unique warm
wonderful worst yummy
""".split())
ADJECTIVE_SUFFIXES = ("ful", "ous", "less", "able", "ible")
IRREGULAR_NOUNS = {
    "people": "person", "children": "child", "men": "man", "women": "woman", "feet": "foot",
    "teeth": "tooth", "mice": "mouse", "geese": "goose", "leaves": "leaf", "knives": "knife",
    "lives": "life", "buses": "bus",
}
IRREGULAR_VERBS = {
    "went": "go", "ate": "eat", "eaten": "eat", "saw": "see", "seen": "see", "bought": "buy",
    "took": "take", "taken": "take", "came": "come", "felt": "feel", "made": "make",
}
# Words that look inflected but are not (a morning is not a "morn"; news is not a plural).
KEEP = frozenset("""
morning evening thing nothing something anything everything ceiling wedding pudding dumpling
ring king spring string wing sing bring during ping swing sling sibling darling shilling
news series species bus gas yes this his its was has does goes always perhaps
red bed shed need seed feed speed weed breed hundred bred sled fled wed
""".split())
VOWELS = set("aeiou")


def _has_vowel(stem: str) -> bool:
    return any(c in VOWELS for c in stem) or "y" in stem[1:]


def _repair(stem: str) -> str:
    """Spelling repairs after removing -ed/-ing: stopp → stop, lov → love, amaz → amaze."""
    if len(stem) >= 2 and stem[-1] == stem[-2] and stem[-1] not in VOWELS | {"l", "s", "z"}:
        return stem[:-1]
    if stem.endswith(("at", "bl", "iz", "v", "us", "uc", "nc", "rs", "dg")):
        return stem + "e"
    if stem[-1:] in "sz" and stem[-2:-1] in VOWELS:
        return stem + "e"
    # short consonant-vowel-consonant stems took a silent e (lov-ed, clos-ed, driv-ing)
    if (len(stem) >= 3 and stem[-1] not in VOWELS | {"w", "x", "y"} and stem[-2] in VOWELS
            and stem[-3] not in VOWELS and sum(c in VOWELS for c in stem) == 1):
        return stem + "e"
    return stem


def lemma_of(word: str) -> tuple[str, bool]:
    """(lemma, was a verb form) of a lower-case word."""
    if word in IRREGULAR_NOUNS:
        return IRREGULAR_NOUNS[word], False
    if word in IRREGULAR_VERBS:
        return IRREGULAR_VERBS[word], True
    if word in KEEP or word in ADJECTIVES or len(word) <= 3:
        return word, False
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y", False
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2], False
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        return word[:-1], False
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y", True
    if word.endswith("eed"):
        return word[:-1], True
    for suffix in ("ed", "ing"):
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            if len(stem) >= 2 and _has_vowel(stem):
                return _repair(stem), True
    return word, False


# Universal Dependencies part-of-speech tags (https://universaldependencies.org/u/pos/): English
# words never carry UniDic's Japanese tags, so they do not mix into 名詞 / 形容詞 rankings.
ADJ, VERB, NOUN, PROPN, OTHER = "ADJ", "VERB", "NOUN", "PROPN", "X"
ENGLISH_POS = (ADJ, VERB, NOUN, PROPN, OTHER)
WORD_CACHE_SIZE = 50_000


def pos_of(word: str, lemma: str, verb_form: bool) -> str:
    if word in ADJECTIVES or lemma in ADJECTIVES or word.endswith(ADJECTIVE_SUFFIXES):
        return ADJ
    if verb_form:
        return VERB
    if word in _place_names():
        return PROPN
    if lemma != word or word in IRREGULAR_NOUNS:
        return NOUN  # a plural: strawberries, people
    return OTHER


@cache
def _place_names() -> frozenset[str]:
    """English names of prefectures and municipalities (aomori, hirosaki), lower case."""
    from miryoku.text.gazetteer import _index

    return frozenset(name for name in _index()[1] if " " not in name)


@cache
def _product_lemma(canonical: str) -> str:
    """The lemma a Japanese post's product name gets (いちご → 苺), so English and Japanese posts group."""
    from miryoku.text.tokenizer import _name_lemma

    return _name_lemma(canonical, canonical)


_words: dict[str, tuple[str, str, str] | None] = {}


def word_token(word: str, stop: frozenset[str]) -> tuple[str, str, str] | None:
    """(term, lemma, pos) of one lower-case word, None for a stop word or a one-letter word."""
    tok = _words.get(word, _words)
    if tok is not _words:
        return tok
    if len(_words) >= WORD_CACHE_SIZE:
        _words.clear()
    clean = POSSESSIVE_RE.sub("", word).replace("’", "'")
    tok = None
    if len(clean) >= 2 and clean not in stop:
        lemma, verb_form = lemma_of(clean)
        if lemma not in stop:
            tok = (clean, lemma, pos_of(clean, lemma, verb_form))
    _words[word] = tok
    return tok


def _word_tokens(text: str, stop: frozenset[str], out: list[tuple[str, str, str]]) -> None:
    for word in WORD_RE.findall(text):
        tok = word_token(word, stop)
        if tok is not None:
            out.append(tok)


def tokens(text: str) -> list[tuple[str, str, str]]:
    """(term, lemma, pos) for every content word of an English ``text``, in order, repeats kept.

    A product name of the dictionary (``strawberries``, ``roll cake``) is one term, pos NOUN,
    whose lemma is the Japanese one of its product (苺, ロールケーキ); an exclude phrase
    (``apple watch``) is tokenized as plain words.
    """
    from miryoku.text.products import latin_spans
    from miryoku.text.tokenizer import stopwords

    stop = stopwords()
    lowered = (text or "").lower()
    out: list[tuple[str, str, str]] = []
    pos = 0
    for start, end, canonical in latin_spans(lowered):
        if canonical is None:
            continue
        _word_tokens(lowered[pos:start], stop, out)
        out.append((lowered[start:end], _product_lemma(canonical), NOUN))
        pos = end
    _word_tokens(lowered[pos:], stop, out)
    return out
