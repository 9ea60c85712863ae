"""``enrich_batch`` gives what the per-post functions gave before it, apart from the listed fixes.

The oracle is ``legacy_text``, a frozen copy of the text functions before the batch rewrite.
Deliberate differences, each tested by hand elsewhere (test_counting_fixes.py):
- text_norm masks e-mail addresses and phone numbers — the oracle's downstream functions are
  therefore fed the new text_norm, and text_norm itself is compared on posts without either;
- 形状詞 terms (素敵, きれい) are new: they are left out before comparing;
- English words carry UD tags (ADJ/VERB/NOUN/PROPN/X) instead of 形容詞/動詞/名詞, and lemmas of
  product names are the product's Japanese lemma: for words in Latin letters (term, n) must agree
  and the old tag must map to the new one.
"""

from __future__ import annotations

import re

import pytest
from legacy_text import gazetteer as old_gazetteer
from legacy_text import normalize as old_normalize
from legacy_text import products as old_products
from legacy_text import taxonomy as old_taxonomy
from legacy_text import tokenizer as old_tokenizer

from miryoku.sources.sample import generate
from miryoku.text.enrich import enrich_batch
from miryoku.text.throughput import corpus

LATIN = re.compile("[a-z]")
POS_MAP = {"形容詞": {"ADJ"}, "動詞": {"VERB"}, "名詞": {"NOUN", "PROPN", "X"}}
EDGE_CASES = [
    None, "", "   ", "😀😀", "#", "@someone", "RT @travel_jp: 青森のりんご https://example.com/a?b=1 最高 @friend_1 #青森旅",
    "qt @x 佐賀市で大雨、停電。やばい！", "ＩＣＨＩＧＯ　２０２６年の栃木県", "東京都府中市と広島県府中市", "府中市",
    "鎌ケ谷と鎌ヶ谷市の梨", "松本さんと松本市", "第一関門を突破", "青森弘前の桜", "東北上陸", "大分は寒い、大分県の温泉",
    "ソフトバンクのソフトクリーム", "プリンターとプリン", "Apple Watch and apple pie in Aomori", "İstanbul apples and Roll Cakes",
    "Visited Hirosaki\tand\nSapporo", "北海道\u3000牛乳\u00a0カステラ", "ホワイト雪ロールと音更町", "音がうるさい騒音",
    "Heavy rain and flooding in Saga city, roads closed", "didn't know Kyoto's temples were this stunning!!",
    "すごい楽しい大雨、すげー雪", "連絡は info@example.jp まで、電話 03-3581-3856", "mail abc@example の件",
    "2026-01-09 の 090-1234-5678 と 0120-123-456 と +81 3 1234 5678", "価格は05000円、12345678901",
    "みちのく銀河ロールとゆきどけロール", "hokkaido milk soft serve was yummy", "中央区と東京都中央区", "伊達市と福島県伊達市",
    "いちごいちごいちご、苺、イチゴ", "素敵な景色、きれいで有名、静かで便利。大丈夫", "www.example.com/x を見て",
]


def _posts():
    texts, langs = [], []
    for day in ("2026-01-09", "2026-02-14", "2026-07-20", "2026-10-03"):
        for post in generate(day, 400):
            texts.append(post["text"])
            langs.append(post["lang"])
    more, more_langs = corpus(2500, seed=12)
    return [*texts, *more, *EDGE_CASES], [*langs, *more_langs, *[None] * len(EDGE_CASES)]


@pytest.fixture(scope="module")
def batch():
    texts, langs = _posts()
    return texts, langs, enrich_batch(texts, langs)


def _comparable_terms(old, new):
    old_rows = [t for t in old]
    new_rows = [t for t in new if t[2] != "形状詞"]
    assert len(old_rows) == len(new_rows), (old, new)
    for o, n in zip(old_rows, new_rows, strict=True):
        if LATIN.search(o[0]):
            assert (o[0], o[3]) == (n[0], n[3]), (old, new)
            assert n[2] in POS_MAP[o[2]], (o, n)
        else:
            assert o == n, (old, new)


def test_enough_variety(batch):
    texts, _, out = batch
    assert len(set(texts)) > 3000
    assert sum(1 for t in out["lang"] if t == "en") > 200
    assert sum(1 for m in out["muni_codes"] if m) > 300


def test_every_column_agrees_with_the_per_post_functions(batch):
    texts, langs, out = batch
    for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        norm = out["text_norm"][i]
        old_norm = old_normalize.normalize_text(text)
        if "@" not in old_norm and not re.search(r"\d{3}", old_norm):
            assert norm == old_norm, text
        assert out["lang"][i] == (lang or old_normalize.detect_lang(norm)), text
        assert out["is_repost"][i] == old_normalize.is_repost(text), text
        prefs, munis = old_gazetteer.detect_places(norm)
        assert (out["pref_codes"][i], out["muni_codes"][i]) == (prefs, munis), text
        old_terms = old_tokenizer.terms_of(norm, out["lang"][i])
        _comparable_terms(old_terms, out["terms"][i])
        assert out["products"][i] == old_products.products_of(norm), text
        new_terms = out["terms"][i]
        assert out["categories"][i] == old_taxonomy.categories_of(norm, new_terms), text
        disaster = old_taxonomy.disaster_of(norm, new_terms)
        assert out["disaster_situations"][i] == disaster["situations"], text
        assert out["disaster_emotions"][i] == disaster["emotions"], text


def test_one_value_per_post_in_every_column(batch):
    texts, _, out = batch
    assert sorted(out) == sorted(["text_norm", "lang", "pref_codes", "muni_codes", "is_repost", "terms",
                                  "categories", "products", "disaster_situations", "disaster_emotions"])
    assert all(len(column) == len(texts) for column in out.values())


def test_lengths_must_match():
    with pytest.raises(ValueError):
        enrich_batch(["a"], [])
