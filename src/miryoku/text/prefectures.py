"""The 47 prefectures (JIS X 0401) and a conservative detector of prefecture mentions in a post.

Rules, so an analyst can predict what is counted:
- full names (青森県, 東京都, 大阪府, 北海道) and English names (Aomori, Hokkaido; whole words,
  case-insensitive) always count;
- short forms (青森, 佐賀) count unless followed by an honorific (千葉さん, 山口様 are people);
- short forms that are also everyday words (大分 = "quite") count only with 県 or 市 after them;
- matching is longest-first and non-overlapping, so 東京都 never also yields 京都;
- a municipality the gazetteer recognises (弘前市, 渋谷; see ``miryoku.text.gazetteer``) names its
  prefecture too.
"""

from __future__ import annotations

# code, full name, English name
PREFECTURES: list[tuple[str, str, str]] = [
    ("01", "北海道", "Hokkaido"), ("02", "青森県", "Aomori"), ("03", "岩手県", "Iwate"),
    ("04", "宮城県", "Miyagi"), ("05", "秋田県", "Akita"), ("06", "山形県", "Yamagata"),
    ("07", "福島県", "Fukushima"), ("08", "茨城県", "Ibaraki"), ("09", "栃木県", "Tochigi"),
    ("10", "群馬県", "Gunma"), ("11", "埼玉県", "Saitama"), ("12", "千葉県", "Chiba"),
    ("13", "東京都", "Tokyo"), ("14", "神奈川県", "Kanagawa"), ("15", "新潟県", "Niigata"),
    ("16", "富山県", "Toyama"), ("17", "石川県", "Ishikawa"), ("18", "福井県", "Fukui"),
    ("19", "山梨県", "Yamanashi"), ("20", "長野県", "Nagano"), ("21", "岐阜県", "Gifu"),
    ("22", "静岡県", "Shizuoka"), ("23", "愛知県", "Aichi"), ("24", "三重県", "Mie"),
    ("25", "滋賀県", "Shiga"), ("26", "京都府", "Kyoto"), ("27", "大阪府", "Osaka"),
    ("28", "兵庫県", "Hyogo"), ("29", "奈良県", "Nara"), ("30", "和歌山県", "Wakayama"),
    ("31", "鳥取県", "Tottori"), ("32", "島根県", "Shimane"), ("33", "岡山県", "Okayama"),
    ("34", "広島県", "Hiroshima"), ("35", "山口県", "Yamaguchi"), ("36", "徳島県", "Tokushima"),
    ("37", "香川県", "Kagawa"), ("38", "愛媛県", "Ehime"), ("39", "高知県", "Kochi"),
    ("40", "福岡県", "Fukuoka"), ("41", "佐賀県", "Saga"), ("42", "長崎県", "Nagasaki"),
    ("43", "熊本県", "Kumamoto"), ("44", "大分県", "Oita"), ("45", "宮崎県", "Miyazaki"),
    ("46", "鹿児島県", "Kagoshima"), ("47", "沖縄県", "Okinawa"),
]

CODE_BY_NAME = {name: code for code, name, _ in PREFECTURES}
NAME_BY_CODE = {code: name for code, name, _ in PREFECTURES}
ALL_JAPAN = "00"
HONORIFICS = ("さん", "様", "さま", "くん", "君", "氏", "ちゃん", "先生")
# Short forms that are everyday words: only "<short>県" / "<short>市" counts.
NEEDS_SUFFIX = {"大分"}


def short_name(full: str) -> str:
    return full if full == "北海道" else full[:-1]


def detect_prefectures(text_norm: str) -> list[str]:
    """JIS codes of the prefectures a normalised post mentions, sorted, without repeats.

    Delegates to the gazetteer, so a municipality (弘前市, 渋谷) also names its prefecture.
    """
    from miryoku.text.gazetteer import detect_places

    return detect_places(text_norm)[0]
