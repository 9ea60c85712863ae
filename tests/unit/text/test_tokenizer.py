"""The terms an analyst sees: written base forms, lemmas grouping variants, exact POS."""

from miryoku.text.tokenizer import terms_of, tokens


def as_dict(text):
    return {term: (lemma, pos, n) for term, lemma, pos, n in terms_of(text)}


def test_place_names_keep_their_written_form_and_lemma_is_separate():
    terms = as_dict("青森のりんご")
    assert terms["青森"] == ("アオモリ", "名詞", 1)
    assert terms["りんご"] == ("林檎", "名詞", 1)


def test_verbs_and_adjectives_use_the_base_form():
    terms = as_dict("いちごを食べた。良かった")
    assert terms["食べる"] == ("食べる", "動詞", 1)
    assert terms["良い"][1] == "形容詞"
    assert "た" not in terms  # 助動詞 is not a verb


def test_spelling_variants_share_a_lemma():
    terms = as_dict("いちごとイチゴと苺")
    assert {terms[t][0] for t in ("いちご", "イチゴ", "苺")} == {"苺"}


def test_english_gloss_is_stripped_from_lemmas():
    assert as_dict("牛乳ソフト")["ソフト"][0] == "ソフト"


def test_pronouns_particles_and_symbols_are_not_terms():
    terms = as_dict("これは、すごい！😀")
    assert "これ" not in terms and "、" not in terms and "😀" not in terms
    assert "すごい" in terms


def test_counts_repeated_terms_once_per_post_with_n():
    assert as_dict("りんご、りんご、りんご")["りんご"][2] == 3


def test_english_words_are_lowercased_and_stopwords_dropped():
    terms = as_dict("The Apples of Aomori")
    assert "apples" in terms and "aomori" in terms and "the" not in terms


def test_tokens_keep_order_and_repeats():
    assert [t for t, _, _ in tokens("りんごとりんご")] == ["りんご", "りんご"]


def test_dictionary_names_are_one_term_with_a_canonical_lemma():
    terms = as_dict("佐賀市のロールケーキとトチオトメ")
    assert terms["佐賀市"] == ("佐賀市", "名詞", 1)
    assert terms["ロールケーキ"] == ("ロールケーキ", "名詞", 1)
    assert terms["トチオトメ"] == ("とちおとめ", "名詞", 1)
    assert "ロール" not in terms and "ケーキ" not in terms and "市" not in terms
    assert as_dict("大分市の温泉")["大分市"] == ("大分市", "名詞", 1)
    assert as_dict("弘前の桜")["弘前"] == ("ヒロサキ", "名詞", 1)  # MeCab knows it as one noun


def test_a_short_form_inside_a_kanji_run_is_left_to_mecab():
    assert "一関" not in as_dict("第一関門を突破")
    assert "一関" in as_dict("一関の祭り")


def test_evaluation_words_are_terms():
    terms = as_dict("いい景色、良かった")
    assert terms["いい"] == ("良い", "形容詞", 1)
    assert terms["良い"] == ("良い", "形容詞", 1)


def test_only_content_pos_and_no_empty_terms():
    for text in ("東京都府中市で大雨、停電。やばい！", "The roll cake was amazing", "", "😀😀"):
        for term, lemma, pos, n in terms_of(text):
            assert term and lemma and n >= 1
            assert pos in ("名詞", "動詞", "形容詞", "形状詞", "ADJ", "VERB", "NOUN", "PROPN", "X")
    assert terms_of(None) == []
