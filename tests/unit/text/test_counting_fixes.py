"""Issue 12's counting fixes in the text layer, with hand-written expected values."""

from miryoku.text.enrich import enrich_batch
from miryoku.text.normalize import normalize_text
from miryoku.text.tokenizer import terms_of


def as_dict(text, lang=None):
    return {term: (lemma, pos, n) for term, lemma, pos, n in terms_of(text, lang)}


def test_keiyodoshi_are_terms_with_their_written_form():
    terms = as_dict("素敵な景色、きれいで有名、静かで便利。大丈夫")
    assert terms["素敵"] == ("素敵", "形状詞", 1)
    assert terms["きれい"] == ("奇麗", "形状詞", 1)
    assert terms["有名"] == ("有名", "形状詞", 1)
    assert terms["静か"] == ("静か", "形状詞", 1)
    assert terms["大丈夫"] == ("大丈夫", "形状詞", 1)
    assert terms["便利"] == ("便利", "名詞", 1)  # UniDic: 名詞 (サ変形状詞可能)


def test_suteki_is_counted_in_the_batch_path():
    out = enrich_batch(["素敵だった、また行きたい", "素敵素敵"], ["ja", "ja"])
    assert ("素敵", "素敵", "形状詞", 1) in out["terms"][0]
    assert ("素敵", "素敵", "形状詞", 2) in out["terms"][1]


def test_adjective_stems_the_leaflet_uses_that_mecab_reads_as_adjectives():
    assert as_dict("すごっ")["すごい"] == ("凄い", "形容詞", 1)
    assert as_dict("なつかし")["なつかしい"] == ("懐かしい", "形容詞", 1)
    assert as_dict("すばらし！")["すばらし"] == ("素晴らしい", "形容詞", 1)


def test_an_english_strawberry_post_names_the_strawberry_product():
    out = enrich_batch(["Loved the strawberries in Tochigi!", "栃木のいちご、おいしい"], ["en", "ja"])
    assert out["products"] == [["いちご"], ["いちご"]]
    english = {t: (lemma, pos) for t, lemma, pos, _ in out["terms"][0]}
    japanese = {t: (lemma, pos) for t, lemma, pos, _ in out["terms"][1]}
    assert english["strawberries"] == ("苺", "NOUN")
    assert japanese["いちご"] == ("苺", "名詞")  # the same lemma: one group
    assert out["pref_codes"] == [["09"], ["09"]]


def test_english_words_are_never_tagged_meishi():
    out = enrich_batch(["The view from Hirosaki castle was stunning", "青森でapple pieとcoffee"], ["en", "ja"])
    for terms in out["terms"]:
        for term, _, pos, _ in terms:
            if term.isascii():
                assert pos in ("ADJ", "VERB", "NOUN", "PROPN", "X"), (term, pos)
    english = {t: pos for t, _, pos, _ in out["terms"][0]}
    assert english == {"view": "X", "hirosaki": "PROPN", "castle": "X", "stunning": "ADJ"}
    assert out["products"][1] == ["アップルパイ"]


def test_email_addresses_and_phone_numbers_are_masked():
    assert normalize_text("連絡は info@example.jp まで、電話 03-3581-3856") == "連絡は まで、電話"
    assert normalize_text("携帯090-1234-5678、フリーダイヤル0120-123-456") == "携帯 、フリーダイヤル"
    assert normalize_text("call +81 3 1234 5678 now") == "call now"
    assert normalize_text("2026-01-09 は 05000円、会員番号 12345678901") == "2026-01-09 は 05000円、会員番号 12345678901"
    assert normalize_text("mail abc@example の件") == "mail abc@example の件"  # no domain: not an address


def test_mentions_and_repost_prefixes_stay_removed():
    out = enrich_batch(["RT @travel_jp: 佐賀の月夜ロール @friend_1 最高 a.b@mail.example.com"], [None])
    assert out["text_norm"] == ["佐賀の月夜ロール 最高"]
    assert out["is_repost"] == [True]
    assert "@" not in out["text_norm"][0] and "travel_jp" not in out["text_norm"][0]


def test_every_pos_is_declared():
    from miryoku.text.english import ENGLISH_POS
    from miryoku.text.tokenizer import ALL_POS

    assert set(ALL_POS) == {"名詞", "動詞", "形容詞", "形状詞", "ADJ", "VERB", "NOUN", "PROPN", "X"}
    assert set(ENGLISH_POS) <= set(ALL_POS)
    out = enrich_batch(["Visited Hirosaki, the apples were delicious", "弘前のりんご、素敵だった"], ["en", "ja"])
    assert {pos for terms in out["terms"] for _, _, pos, _ in terms} <= set(ALL_POS)
