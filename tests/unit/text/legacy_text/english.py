"""Tokenization of English posts (foreign visitors) into the same (term, lemma, pos) triples as MeCab's.

- ``term`` is the word as written, lower-cased (``strawberries``); a dictionary phrase of several
  words (``roll cake``, ``soft serve``, see ``products.csv``) is one term;
- ``lemma`` is a light normalisation, no dictionary: plural ``-s``/``-es``/``-ies`` removed
  (strawberries → strawberry, buses → bus), ``-ed``/``-ing`` removed with the usual spelling repairs
  (loved → love, stopped → stop, visiting → visit), a few irregular nouns (people → person);
- ``pos`` is one of the three the silver tables allow: 形容詞 for the adjectives listed in
  ``ADJECTIVES`` and words ending in -ful, -ous, -less, -able, -ible; 動詞 for words whose lemma
  came from removing -ed or -ing; 名詞 for everything else (nouns, and words this rule cannot tell);
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


def pos_of(word: str, lemma: str, verb_form: bool) -> str:
    if word in ADJECTIVES or lemma in ADJECTIVES or word.endswith(ADJECTIVE_SUFFIXES):
        return "形容詞"
    return "動詞" if verb_form else "名詞"


@cache
def _phrases() -> tuple[re.Pattern | None, dict[str, str]]:
    from legacy_text.gazetteer import trie_pattern
    from legacy_text.products import english_phrases

    phrases = english_phrases()
    if not phrases:
        return None, {}
    return re.compile(r"(?<![a-z])(" + trie_pattern(phrases) + r")(?![a-z])"), phrases


def _word_tokens(text: str, stop: frozenset[str]) -> list[tuple[str, str, str]]:
    out = []
    for word in WORD_RE.findall(text):
        word = POSSESSIVE_RE.sub("", word).replace("’", "'")
        if len(word) < 2 or word in stop:
            continue
        lemma, verb_form = lemma_of(word)
        if lemma in stop:
            continue
        out.append((word, lemma, pos_of(word, lemma, verb_form)))
    return out


def tokens(text: str) -> list[tuple[str, str, str]]:
    """(term, lemma, pos) for every content word of an English ``text``, in order, repeats kept."""
    from legacy_text.tokenizer import stopwords

    stop = stopwords()
    lowered = (text or "").lower()
    pattern, phrases = _phrases()
    if pattern is None:
        return _word_tokens(lowered, stop)
    out: list[tuple[str, str, str]] = []
    pos = 0
    for m in pattern.finditer(lowered):
        out += _word_tokens(lowered[pos : m.start()], stop)
        phrase = m.group(1)
        words = phrase.split()
        last, _ = lemma_of(words[-1])
        out.append((phrase, " ".join([*words[:-1], last]), "名詞"))
        pos = m.end()
    out += _word_tokens(lowered[pos:], stop)
    return out
