import pytest

from miryoku.text.normalize import detect_lang, extract_hashtags, is_repost, normalize_text, post_language


def test_nfkc_folds_full_width_letters_and_digits():
    assert normalize_text("ＩＣＨＩＧＯ　２０２６年") == "ICHIGO 2026年"


def test_urls_mentions_and_repost_prefix_are_removed():
    text = "RT @travel_jp: 青森のりんご https://example.com/a?b=1 最高 @friend_1 #青森旅"
    assert normalize_text(text) == "青森のりんご 最高 青森旅"
    assert is_repost(text)
    assert not is_repost("青森のりんご")


def test_full_width_at_sign_mention_is_removed_after_nfkc():
    assert normalize_text("＠someone 佐賀なう") == "佐賀なう"


def test_email_like_text_keeps_its_local_part():
    # a mention needs a non-word character (or start) before the @
    assert normalize_text("mail abc@example の件") == "mail abc@example の件"


def test_hashtags_are_extracted_without_url_fragments():
    assert extract_hashtags("#いちご狩り 楽しい https://x.example/#frag #栃木") == ["いちご狩り", "栃木"]


def test_language_by_script():
    assert detect_lang("青森のりんご") == "ja"
    assert detect_lang("Visited Aomori, apples were great") == "en"
    assert detect_lang("北海道牛乳") == "ja"
    assert detect_lang("😀😀") == "und"


@pytest.mark.parametrize(("tag", "text", "expected"), [
    ("ja-JP", "佐賀", "ja"), ("JA", "佐賀", "ja"), ("en_US", "Saga", "en"), ("EN-gb", "Saga", "en"),
    ("zh-Hant-TW", "台灣", "zh"), ("ko-KR", "서울", "ko"), ("ko", "Seoul trip", "ko"),
    ("fr", "Voyage à Saga", "en"), ("fr", "佐賀の旅", "ja"), ("und", "佐賀", "ja"), (None, "Saga", "en"),
    ("", "!!!", "und"), ("  ja-jp ", "x", "ja"),
])
def test_post_language_keeps_the_language_not_the_tag(tag, text, expected):
    assert post_language(tag, text) == expected
