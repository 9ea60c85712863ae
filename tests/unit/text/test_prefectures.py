from miryoku.text.prefectures import PREFECTURES, detect_prefectures


def test_all_47_prefectures_with_jis_codes():
    assert len(PREFECTURES) == 47
    assert [code for code, _, _ in PREFECTURES] == [f"{i:02d}" for i in range(1, 48)]


def test_full_short_and_english_names():
    assert detect_prefectures("青森県のりんご") == ["02"]
    assert detect_prefectures("佐賀市内の観光") == ["41"]
    assert detect_prefectures("Visited AOMORI and hokkaido") == ["01", "02"]


def test_longest_match_first_tokyo_is_not_kyoto():
    assert detect_prefectures("東京都の雨") == ["13"]
    assert detect_prefectures("京都の寺") == ["26"]


def test_honorific_means_a_person_not_a_place():
    assert detect_prefectures("千葉さんと山口様に会った") == []
    assert detect_prefectures("千葉の海") == ["12"]


def test_everyday_word_short_forms_need_a_suffix():
    assert detect_prefectures("大分寒くなった") == []
    assert detect_prefectures("大分県の温泉") == ["44"]
    assert detect_prefectures("大分市の温泉") == ["44"]


def test_english_names_are_whole_words_only():
    assert detect_prefectures("a gifu-like chiban") == ["21"]
    assert detect_prefectures("mienai") == []
