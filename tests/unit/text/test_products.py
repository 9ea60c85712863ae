"""Products, competitor groups and derived goods from the analyst-edited products.csv."""

from miryoku.text.products import KINDS, derived_terms, product_table, products_of
from miryoku.text.tokenizer import terms_of


def test_rows_are_valid():
    rows = product_table()
    assert rows and all(r["kind"] in KINDS for r in rows)
    for r in rows:
        code = r["origin_pref_code"]
        assert code == "" or (code.isdigit() and 1 <= int(code) <= 47), r
        assert (code != "") == (r["kind"] == "product"), r
    assert isinstance(rows[0]["aliases"], str)  # still | separated, as in the file


def test_competing_roll_cakes_from_several_prefectures():
    rolls = [r for r in product_table() if r["product_group"] == "ロールケーキ" and r["kind"] == "product"]
    assert {r["origin_pref_code"] for r in rolls} >= {"01", "03", "06"}
    assert all("invented" in r["note"] for r in rolls)


def test_strawberry_varieties_by_prefecture():
    origin = {r["product"]: r["origin_pref_code"] for r in product_table()}
    assert origin["とちおとめ"] == "09"
    assert origin["あまおう"] == "40"
    assert origin["さがほのか"] == "41"


def test_products_of_finds_names_and_aliases():
    assert products_of("栃木のとちおとめとトチオトメ") == ["とちおとめ"]
    assert products_of("佐賀市のロールケーキ") == ["ロールケーキ"]
    assert products_of("みちのく銀河ロールと銀河ロール") == ["みちのく銀河ロール"]
    assert products_of("Strawberries and a ROLL CAKE") == ["いちご", "ロールケーキ"]
    assert products_of("") == []


def test_longest_name_wins():
    assert products_of("apple pie") == ["アップルパイ"]
    assert products_of("ゆきどけロールケーキ") == ["ゆきどけロールケーキ"]


def test_exclude_words_are_not_products():
    assert products_of("ソフトバンクのプリンター") == []
    assert products_of("Apple Watch") == []
    assert products_of("牛乳ソフトとプリン") == ["ソフトクリーム", "プリン", "牛乳"]


def test_latin_names_are_whole_words():
    assert products_of("pineapples") == []
    assert products_of("milky way") == []


def test_derived_goods_per_anchor():
    derived = derived_terms()
    assert {"ソフト", "ソフトクリーム", "カステラ", "プリン"} <= set(derived["牛乳"])
    assert {"アップルパイ", "ジュース"} <= set(derived["りんご"])
    assert {"大福", "パフェ"} <= set(derived["いちご"])


def test_derived_terms_and_anchors_are_terms_the_tokenizer_writes():
    for anchor, goods in derived_terms().items():
        for good in goods:
            text = f"{anchor}の{good}" if not good.isascii() else f"the {good} here"
            assert good in {t for t, *_ in terms_of(text)}, good
        assert anchor in {t for t, *_ in terms_of(f"{anchor}を買った")}


def test_named_products_do_not_swallow_an_anchor_word():
    anchors = set(derived_terms())
    generic = {r["product_group"]: [r["product"], *r["aliases"].split("|")]
               for r in product_table() if r["kind"] == "generic"}
    anchor_words = {w for a in anchors for w in generic.get(a, [a]) if w and not w.isascii()}
    for r in product_table():
        if r["kind"] == "generic":
            continue
        for name in [r["product"], *filter(None, r["aliases"].split("|"))]:
            assert not any(w in name for w in anchor_words), name
