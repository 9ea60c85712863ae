"""English posts: lower-case terms, light lemmas, Universal Dependencies tags (never UniDic's 名詞)."""

import pytest

from miryoku.text.english import lemma_of, tokens
from miryoku.text.tokenizer import terms_of


@pytest.mark.parametrize("word, lemma", [
    ("strawberries", "strawberry"), ("apples", "apple"), ("cities", "city"), ("peaches", "peach"),
    ("buses", "bus"), ("people", "person"), ("delicious", "delicious"), ("news", "news"),
    ("loved", "love"), ("visited", "visit"), ("stopped", "stop"), ("surprised", "surprise"),
    ("closed", "close"), ("flooding", "flood"), ("driving", "drive"), ("delayed", "delay"),
    ("agreed", "agree"), ("tried", "try"), ("morning", "morning"), ("amazing", "amazing"),
])
def test_lemmas(word, lemma):
    assert lemma_of(word)[0] == lemma


def test_pos_is_a_universal_dependencies_tag():
    got = {t: (lemma, pos) for t, lemma, pos in tokens("We visited Aomori, the apples were delicious and beautiful")}
    assert got["visited"] == ("visit", "VERB")
    assert got["apples"] == ("林檎", "NOUN")  # a product name: the Japanese post's lemma
    assert got["delicious"][1] == "ADJ"
    assert got["beautiful"][1] == "ADJ"
    assert got["aomori"] == ("aomori", "PROPN")
    assert "the" not in got and "we" not in got
    rest = {t: (lemma, pos) for t, lemma, pos in tokens("Highly recommend these temples")}
    assert rest == {"highly": ("highly", "X"), "recommend": ("recommend", "X"), "temples": ("temple", "NOUN")}


def test_dictionary_phrases_are_one_term():
    got = [t for t, _, _ in tokens("Loved the Roll Cakes and soft serve!")]
    assert "roll cakes" in got and "soft serve" in got
    assert "roll" not in got and "cake" not in got
    assert tokens("roll cakes") == [("roll cakes", "ロールケーキ", "NOUN")]
    assert tokens("soft serve") == [("soft serve", "ソフトクリーム", "NOUN")]  # products.csv: ソフトクリーム


def test_an_exclude_phrase_is_plain_words():
    assert [t for t, _, _ in tokens("my apple watch")] == ["apple", "watch"]
    assert dict((t, lemma) for t, lemma, _ in tokens("my apple watch"))["apple"] == "apple"


def test_possessives_numbers_and_single_letters():
    got = [t for t, _, _ in tokens("Kyoto's 2026 trip: a b c great")]
    assert got == ["kyoto", "trip", "great"]


def test_lang_parameter_routes_the_post():
    assert {t for t, *_ in terms_of("Visited Hirosaki", "en")} == {"visited", "hirosaki"}
    assert {t for t, *_ in terms_of("Visited Hirosaki")} == {"visited", "hirosaki"}  # detected by script
    # Japanese script is tokenized by MeCab whatever the source said
    assert ("りんご", "林檎", "名詞", 1) in terms_of("青森のりんご", "en")
    assert ("りんご", "林檎", "名詞", 1) in terms_of("青森のりんご", "ja")


def test_counts_per_post():
    assert ("apples", "林檎", "NOUN", 2) in terms_of("apples, apples everywhere")
