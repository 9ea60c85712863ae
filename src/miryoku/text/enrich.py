"""Everything silver derives from a post's text, for a batch of posts, in one pass per post.

``enrich_batch(texts, langs)`` returns the columns ``posts_v1`` needs — ``text_norm``, ``lang``,
``pref_codes``, ``muni_codes``, ``is_repost``, ``terms``, ``categories``, ``products``,
``disaster_situations``, ``disaster_emotions`` — with the same values as the per-post functions
(``normalize_text``, ``detect_lang``, ``gazetteer.detect_places``, ``is_repost``,
``tokenizer.terms_of``, ``taxonomy.categories_of`` / ``disaster_of``, ``products.products_of``),
which are thin wrappers over the same core. Per post:

- one NFKC pass (``normalize_post``: text_norm and the repost flag; ``detect_lang`` on it);
- every dictionary is an Aho-Corasick automaton (``ahocorasick-rs``) searched once: place names
  (leftmost-longest, as the old regular-expression tries matched), protected names for the
  tokenizer (places + products), product names, and the keywords' literal prefixes (overlapping);
- the protected spans are computed once and serve both the tokenizer and the keyword masking;
- MeCab runs once per text between protected names; each line of its output is looked up in a
  bounded dictionary (line → token), so a word seen before costs one dict lookup, no split;
- English words are looked up in a bounded word → token cache.

Measured with ``python -m miryoku.text.throughput 20000 --legacy`` (one process, CPU time, best of
5 interleaved repeats; 20,000 varied posts, median 59 characters, 8 % English; a 2-core machine
shared with other work, so runs vary): raw MeCab with the custom format 15k–22.5k posts/s;
``enrich_batch`` 0.59–0.90x of it over seven runs (0.75x and 0.90x in the last two); the per-post functions
before this module 0.20–0.26x (3.9k–4.5k posts/s). MeCab alone would be 1.0x by definition: the
tokenization phase here is ~0.9x; places, products and keywords take the rest.
"""

from __future__ import annotations

import gc

from miryoku.text.english import tokens as english_tokens
from miryoku.text.gazetteer import detect_places
from miryoku.text.normalize import normalize_post, post_language
from miryoku.text.products import products_of
from miryoku.text.taxonomy import disaster_lists, keyword_labels
from miryoku.text.tokenizer import count_terms, is_english, japanese_tokens, protected_spans

COLUMNS = ("text_norm", "lang", "pref_codes", "muni_codes", "is_repost", "terms", "categories", "products",
           "disaster_situations", "disaster_emotions")


def enrich_batch(texts: list[str | None], langs: list[str | None]) -> dict[str, list]:
    """Column name → one value per post, in input order.

    ``langs``: the source's language tag per post ('ja', 'en-US', 'ja-JP' …, reduced to silver's codes
    by ``post_language``) or None/'' to detect it from the script of the normalised text. ``terms`` holds one (term, lemma, pos, n) tuple per
    distinct term; ``categories`` the taxonomy labels; the list columns are sorted as the
    per-post functions sort them.
    """
    if len(texts) != len(langs):
        raise ValueError(f"enrich_batch: {len(texts)} texts but {len(langs)} langs")
    # Everything built here is acyclic (strings, tuples, lists of them) and freed by reference
    # counting; the cyclic collector would only re-scan the dictionaries' millions of objects.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _enrich(texts, langs)
    finally:
        if enabled:
            gc.enable()


def _enrich(texts: list[str | None], langs: list[str | None]) -> dict[str, list]:
    normalized = [normalize_post(text) for text in texts]
    norms = [norm for norm, _ in normalized]
    langs = [post_language(lang, norm) for lang, norm in zip(langs, norms, strict=True)]
    # One phase per dictionary over the whole batch: each phase's tables (MeCab's dictionary, an
    # automaton, the keyword regexes) stay in the CPU cache; interleaving them per post was ~1.5x slower.
    spans = [protected_spans(norm) for norm in norms]
    terms = [count_terms(english_tokens(norm) if is_english(norm, lang) else japanese_tokens(norm, sp))
             for norm, lang, sp in zip(norms, langs, spans, strict=True)]
    places = [detect_places(norm) for norm in norms]
    labels = [keyword_labels(norm, t, sp) for norm, t, sp in zip(norms, terms, spans, strict=True)]
    disaster = [disaster_lists(d) if d else ([], []) for _, d in labels]
    return {
        "text_norm": norms,
        "lang": langs,
        "pref_codes": [p for p, _ in places],
        "muni_codes": [m for _, m in places],
        "is_repost": [repost for _, repost in normalized],
        "terms": terms,
        "categories": [sorted(t) for t, _ in labels],
        "products": [products_of(norm) for norm in norms],
        "disaster_situations": [s for s, _ in disaster],
        "disaster_emotions": [e for _, e in disaster],
    }
