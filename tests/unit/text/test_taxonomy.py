"""The leaflet's keyword tables, transcribed, and how posts fall into them."""

import pytest

from miryoku.sources.sample import PHRASES
from miryoku.text.taxonomy import (
    DISASTER_FILE,
    TAXONOMY_FILE,
    categories_of,
    disaster_of,
    keywords,
    literal_prefixes,
    subcategories,
    taxonomy_table,
)
from miryoku.text.tokenizer import stopwords, terms_of

# 情報の種類 / 細別 / 検索に用いる言葉, as the leaflet prints them.
LEAFLET = {
    ("気付き", "おどろく"): ["びっくり", "驚い(た)", "発見", "なつかし(い)", "はじめて", "素敵(すてき)", "忘れ", "ないの(?)"],
    ("観光", "見る"): ["サイコー", "良か(った)", "すばらし(い)", "見たこと"],
    ("観光", "食べる"): ["うま(い)", "おいしい", "やば(い)", "やす(い)"],
    ("観光", "体験する"): ["楽し(い)", "すご(い)", "土産", "特産"],
    ("観光", "訪れる"): ["こんな", "トコ", "いい(ね)", "気持ち"],
    ("雇用", "はたらく"): ["仕事", "必要", "求(む)", "技術"],
    ("雇用", "交通"): ["便利", "近い", "整備", "渋滞", "バス", "電車", "遅れ", "不便"],
    ("雇用", "まなぶ"): ["学校", "ならう", "支援", "費用"],
    ("雇用", "雇用"): ["募集", "給料", "勤務", "職場"],
    ("くらす", "まち"): ["物価", "家賃", "ことば", "ひと"],
    ("くらす", "環境"): ["寒い", "暑い", "ルール", "音"],
    ("くらす", "制度"): ["子育て", "医療", "給食", "高齢者"],
    ("くらす", "施設"): ["充実", "設備", "利用", "使え"],
}
DISASTER = {
    ("状況を示す", "雨"): ["雨"], ("状況を示す", "雷"): ["雷"], ("状況を示す", "雪"): ["雪"],
    ("状況を示す", "竜巻"): ["竜巻"], ("状況を示す", "土砂崩れ"): ["土砂崩(れ)"], ("状況を示す", "浸水"): ["浸水"],
    ("状況を示す", "通行止"): ["通行止"], ("状況を示す", "停電"): ["停電"],
    ("感情を示す", "大丈夫"): ["大丈夫"], ("感情を示す", "やば"): ["やば"], ("感情を示す", "すご"): ["すご"],
}


def leaflet_rows(name):
    out = {}
    for kw in keywords(name):
        if kw.origin == "leaflet":
            out.setdefault((kw.category, kw.subcategory), []).append(kw.keyword)
    return out


def test_keyword_table_is_the_leaflets():
    assert leaflet_rows(TAXONOMY_FILE) == LEAFLET
    assert subcategories()[:2] == ["気付き/おどろく", "観光/見る"]
    assert len(subcategories()) == 13


def test_disaster_table_is_the_leaflets():
    assert leaflet_rows(DISASTER_FILE) == DISASTER


def test_additions_are_marked():
    for name in (TAXONOMY_FILE, DISASTER_FILE):
        rows = keywords(name)
        assert all(kw.origin in ("leaflet", "addition") for kw in rows)
        assert all(kw.origin == "addition" for kw in rows if kw.lang == "en")
        assert {kw.lang for kw in rows} == {"ja", "en"}
    english = {(k.category, k.subcategory) for k in keywords(TAXONOMY_FILE) if k.lang == "en"}
    assert english == set(LEAFLET)  # every subcategory has English words too


def test_keyword_terms_are_not_stopwords():
    stop = stopwords()
    for name in (TAXONOMY_FILE, DISASTER_FILE):
        for kw in keywords(name):
            assert not (set(kw.terms) | set(kw.lemmas)) & stop, kw


def test_example_from_the_brief():
    assert "観光/食べる" in categories_of("佐賀のいちごがうまかった")


@pytest.mark.parametrize("text", ["驚いた", "驚き", "驚く", "びっくりした", "なつかしー", "はじめて見た", "知らないの？"])
def test_inflections_count_for_surprise(text):
    assert "気付き/おどろく" in categories_of(text)


@pytest.mark.parametrize("text, label", [
    ("良かった", "観光/見る"), ("よかった", "観光/見る"), ("良い景色", "観光/見る"), ("最高", "観光/見る"),
    ("うまい", "観光/食べる"), ("うまっ", "観光/食べる"), ("うまかった", "観光/食べる"), ("安かった", "観光/食べる"),
    ("楽しかった", "観光/体験する"), ("すげー", "観光/体験する"), ("すごかった", "観光/体験する"),
    ("いいね", "観光/訪れる"), ("いい所", "観光/訪れる"), ("気持ちいい", "観光/訪れる"),
    ("求めている", "雇用/はたらく"), ("電車が遅れて", "雇用/交通"), ("習った", "雇用/まなぶ"),
    ("地元のひとが優しい", "くらす/まち"), ("寒さ", "くらす/環境"), ("使えない", "くらす/施設"),
])
def test_inflections_and_variants(text, label):
    assert label in categories_of(text)


@pytest.mark.parametrize("text, label", [
    ("うまくいかない", "観光/食べる"),        # うまく = skilfully
    ("子育てしやすい", "観光/食べる"),        # やすい = easy to
    ("知らないのに", "気付き/おどろく"),
    ("いい天気", "観光/見る"),                # いい is 訪れる's いい(ね), not 良か(った)
    ("バスタオル", "雇用/交通"),
    ("かわいい", "観光/訪れる"),
])
def test_near_misses_do_not_count(text, label):
    assert label not in categories_of(text)


def test_sample_phrases_fall_into_their_category():
    for category, phrases in PHRASES.items():
        for phrase in phrases:
            assert any(c.startswith(category + "/") for c in categories_of(phrase)), phrase


def test_english_posts():
    text = "The strawberries were delicious and cheap, and the view was amazing! Loved it"
    assert categories_of(text) == ["観光/見る", "観光/訪れる", "観光/食べる"]
    assert categories_of("I was SURPRISED") == ["気付き/おどろく"]
    assert categories_of("strain and funny") == []  # whole words only


def test_terms_given_or_not_give_the_same_labels():
    for text in ("驚いた。電車が遅れて不便", "The train was delayed", "いい所"):
        assert categories_of(text, terms_of(text)) == categories_of(text)


def test_labels_are_sorted_unique_and_known():
    labels = categories_of("すごい、すごい、楽しい！サイコー、良かった、仕事も")
    assert labels == sorted(set(labels))
    assert set(labels) <= set(subcategories())


def test_dictionary_names_are_not_keywords():
    assert disaster_of("ホワイト雪ロールを買った")["situations"] == []
    assert disaster_of("雪が積もった")["situations"] == ["雪"]


def test_disaster_words():
    found = disaster_of("大雨で浸水、通行止めだ")
    assert {"雨", "浸水", "通行止"} <= set(found["situations"])
    assert found["emotions"] == []
    assert disaster_of("土砂崩れで停電、大丈夫？") == {"situations": ["停電", "土砂崩れ"], "emotions": ["大丈夫"]}
    assert disaster_of("雷がやばい")["emotions"] == ["やば"]
    assert disaster_of("Heavy rain and flooding, road closed. Are you OK?") == {
        "situations": ["浸水", "通行止", "雨"], "emotions": ["大丈夫"]}
    assert disaster_of("") == {"situations": [], "emotions": []}


def test_literal_prefixes():
    assert literal_prefixes("安[いかくっ]") == ["安"]
    assert literal_prefixes("うま[いかっ]|旨[いか]") == ["うま", "旨"]
    assert literal_prefixes("child ?care|parenting") == ["child", "parenting"]
    assert literal_prefixes("(?:a|b)c") is None


def test_table_export():
    rows = taxonomy_table()
    assert rows[0]["category"] == "気付き" and rows[0]["keyword"] == "びっくり"
