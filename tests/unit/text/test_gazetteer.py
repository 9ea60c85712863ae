"""Places: 全国地方公共団体コード with check digits, and the conservative matching rules."""

from miryoku.sources.sample import PLACES
from miryoku.text.gazetteer import check_digit, detect_places, is_valid_code, municipality, places, rules


def weighted_check_digit(code5):
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def test_all_prefectures_and_municipalities_with_verified_codes():
    rows = places()
    assert sum(p.kind == "pref" for p in rows) == 47
    assert sum(p.kind != "pref" for p in rows) == 1747
    assert all(int(p.code[5]) == weighted_check_digit(p.code[:5]) for p in rows)
    assert {p.kind for p in rows} == {"pref", "city", "ward", "town", "village"}


def test_check_digit_of_known_codes():
    assert check_digit("01100") == "2"  # 札幌市 011002
    assert check_digit("13101") == "6"  # 千代田区 131016
    assert municipality("022021").name == "弘前市"
    assert municipality("020001") is None  # a prefecture, not a municipality


def test_municipality_implies_its_prefecture():
    assert detect_places("弘前市のりんご") == (["02"], ["022021"])
    assert detect_places("佐賀市内の観光") == (["41"], ["412015"])
    assert detect_places("青森県弘前市") == (["02"], ["022021"])


def test_short_forms_of_cities_and_wards():
    assert detect_places("弘前はりんごの街") == (["02"], ["022021"])
    assert detect_places("新宿で買い物") == (["13"], ["131041"])
    assert detect_places("宮古島の海") == (["47"], ["472140"])


def test_a_short_form_equal_to_a_prefecture_is_the_prefecture():
    assert detect_places("青森のりんご") == (["02"], [])
    assert detect_places("青森市のりんご") == (["02"], ["022012"])


def test_ambiguous_names_need_their_prefecture():
    assert detect_places("府中市") == ([], [])
    assert detect_places("東京都府中市") == (["13"], ["132063"])
    assert detect_places("広島県の府中市") == (["34"], ["342084"])
    assert detect_places("草津温泉") == ([], [])
    assert detect_places("群馬の草津温泉") == (["10"], ["104264"])
    assert detect_places("滋賀の草津") == (["25"], ["252069"])


def test_common_word_short_forms_need_their_suffix():
    for text in ("大和", "中央線", "旭", "朝日", "美里", "北へ", "富士山", "府中"):
        assert detect_places(text) == ([], []), text
    assert detect_places("大和市") == (["14"], ["142131"])


def test_towns_and_villages_count_by_short_form_only_when_listed():
    assert detect_places("小布施") == ([], [])
    assert detect_places("小布施町の栗") == (["20"], ["205419"])
    assert detect_places("箱根の温泉") == (["14"], ["143821"])
    assert detect_places("美瑛の丘") == (["01"], ["014591"])


def test_honorific_means_a_person():
    assert detect_places("渋谷さんに会った") == ([], [])
    assert detect_places("千葉さんと山口様に会った") == ([], [])


def test_short_form_inside_a_kanji_run_is_not_a_place():
    assert detect_places("第一関門を突破") == ([], [])
    assert detect_places("一関の祭り") == (["03"], ["032093"])
    assert detect_places("青森弘前") == (["02"], ["022021"])  # right after another place


def test_needs_prefecture_names():
    assert detect_places("中央区") == ([], [])
    assert detect_places("東京都中央区") == (["13"], ["131024"])
    assert detect_places("札幌市中央区") == (["01"], ["011002"])


def test_longest_match_first():
    assert detect_places("北広島市") == (["01"], ["012343"])
    assert detect_places("東大阪市") == (["27"], ["272272"])
    assert detect_places("東京都の雨") == (["13"], [])


def test_ke_and_small_ke_are_the_same_name():
    assert detect_places("鎌ヶ谷市") == (["12"], ["122246"])
    assert detect_places("鎌ケ谷") == (["12"], ["122246"])


def test_ignored_code_leaves_the_other_tomari():
    assert detect_places("泊村") == (["01"], ["014036"])


def test_english_names_are_whole_words():
    assert detect_places("Visited Hirosaki and Sapporo") == (["01", "02"], ["011002", "022021"])
    assert detect_places("Naha at night") == (["47"], ["472018"])
    assert detect_places("a date in Tokyo") == (["13"], [])  # 伊達 is ambiguous and an English word
    assert detect_places("Nasapporox") == ([], [])


def test_sample_places_are_found():
    for ja, en in PLACES:
        assert detect_places(f"{ja}に来た")[0], ja
        assert detect_places(f"Trip to {en}")[0], en


def test_empty_text():
    assert detect_places("") == ([], [])


def test_rules_name_real_places():
    r = rules()
    shorts = {p.short for p in places() if p.kind != "pref"}
    names = {p.name for p in places()}
    codes = {p.code for p in places()}
    assert r["common_word"] <= shorts
    assert r["short_ok"] <= shorts
    assert r["needs_prefecture"] <= names
    assert r["ignore"] <= codes


def test_codes_with_a_wrong_check_digit_are_rejected():
    assert is_valid_code("011002")
    assert not is_valid_code("011003")
    assert not is_valid_code("11002")
