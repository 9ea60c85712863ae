"""Every place and product name of the dictionaries comes out of tokenization as one term."""

from miryoku.text.gazetteer import protected_names as place_names
from miryoku.text.products import product_table
from miryoku.text.tokenizer import terms_of


def split_names(names, sentence):
    return [name for name in names if name not in {t for t, *_ in terms_of(sentence.format(name=name))}]


def test_place_names_are_single_terms():
    names = sorted(place_names())
    assert len(names) > 2000
    assert split_names(names, "昨日は{name}に行った。") == []


def test_product_names_are_single_terms():
    names, english = set(), set()
    for row in product_table():
        for name in [row["product"], *filter(None, row["aliases"].split("|"))]:
            (english if name.isascii() else names).add(name)
    assert split_names(sorted(names), "昨日は{name}を食べた。") == []
    assert split_names(sorted(n.lower() for n in english), "We tried the {name} today.") == []


def test_examples_that_mecab_splits():
    for sentence, term in (("佐賀市のロールケーキ", "ロールケーキ"), ("佐賀市のロールケーキ", "佐賀市"),
                           ("栃木のとちおとめ", "とちおとめ"), ("あまおうを買った", "あまおう"),
                           ("さがほのか最高", "さがほのか")):
        assert term in {t for t, *_ in terms_of(sentence)}, (sentence, term)
