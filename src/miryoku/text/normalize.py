"""Post text normalisation: the same text must produce the same ``text_norm`` from any source.

NFKC folds full-width letters and digits (ｉｃｈｉｇｏ → ichigo, ２０２６ → 2026) so that exact-duplicate
detection and dictionary matching see one spelling. URLs and @mentions are removed because they are
per-copy noise (tracking parameters, reply targets) and would otherwise split duplicates apart and
leak handles into the silver layer. E-mail addresses (``info@example.jp``) and telephone numbers
(``03-3581-3856``, ``090-1234-5678``, ``+81 3 1234 5678``: 10–11 digits from a leading 0, or +81)
are personal data: they are replaced by a space, like URLs, so no term is made of them.

Each regular expression runs only when the character it needs is in the text (``@``, ``://``,
``0``); the batch path (``miryoku.text.enrich``) calls ``normalize_post`` once per post.
"""

from __future__ import annotations

import re
import unicodedata

URL_RE = re.compile(r"(?:https?|ftp)://[^\s　]+|www\.[^\s　]+", re.IGNORECASE)
REPOST_RE = re.compile(r"^\s*(?:RT|QT)\s*@[A-Za-z0-9_]{1,30}\s*:?\s*", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9_]{1,30}")
EMAIL_RE = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE_RE = re.compile(r"(?<![\d+-])(?:\+81[- ]?|0)\d{1,4}(?:[- ]?\(?\d{1,4}\)?)?[- ]?\d{3,4}(?![\d-])")
HASHTAG_RE = re.compile(r"#([^\s#、。,.!?！？「」()（）]+)")
SPACE_RE = re.compile(r"\s+")
KANA_RE = re.compile(r"[\u3040-\u30ff]")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
LATIN_RE = re.compile(r"[A-Za-z]")
PHONE_DIGITS = (10, 11)


def _phone(m: re.Match) -> str:
    number = m.group()
    digits = sum(c.isdigit() for c in number)
    if number.startswith("+81"):
        digits -= 1  # +81 3… is 03…
    return " " if PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1] else number


def normalize_post(text: str | None) -> tuple[str, bool]:
    """(``text_norm``, is a repost) of a raw post text, with one NFKC pass."""
    t = unicodedata.normalize("NFKC", text or "")
    repost = False
    if "@" in t and (m := REPOST_RE.match(t)) is not None:
        repost = True
        t = t[m.end():]
    if "://" in t or "w." in t or "W." in t:
        t = URL_RE.sub(" ", t)
    if "@" in t:
        t = EMAIL_RE.sub(" ", t)
        t = MENTION_RE.sub(" ", t)
    if "0" in t or "+81" in t:
        t = PHONE_RE.sub(_phone, t)
    if "#" in t:
        t = t.replace("#", " ")
    return " ".join(t.split()), repost


def normalize_text(text: str | None) -> str:
    """NFKC; repost prefix, URLs, mentions, e-mail addresses, phone numbers removed; ``#`` dropped; spaces collapsed."""
    return normalize_post(text)[0]


def is_repost(text: str | None) -> bool:
    return bool(REPOST_RE.match(unicodedata.normalize("NFKC", text or "")))


def extract_hashtags(text: str) -> list[str]:
    t = URL_RE.sub(" ", unicodedata.normalize("NFKC", text or ""))
    return list(dict.fromkeys(HASHTAG_RE.findall(t)))


def lang_of_normalized(t: str) -> str:
    """``detect_lang`` of a text already normalised."""
    if KANA_RE.search(t):
        return "ja"
    latin = len(LATIN_RE.findall(t))
    cjk = len(CJK_RE.findall(t)) if latin else bool(CJK_RE.search(t))
    if cjk and cjk >= latin / 4:
        return "ja"
    if latin:
        return "en"
    return "und"


SILVER_LANGS = frozenset({"ja", "en", "zh", "ko"})  # silver.posts_v1's lang values besides "und"


def post_language(tag: str | None, norm: str) -> str:
    """The language silver records for a post: the primary subtag of the source's tag when it is one
    silver knows ('ja-JP' → 'ja', 'EN_us' → 'en', 'zh-Hant-TW' → 'zh'), else the script of the
    normalised text. Exports write BCP 47 tags with regions and odd cases; kept raw they would fail
    the silver gate's value set night after night although nothing is wrong with the posts."""
    primary = (tag or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in SILVER_LANGS else lang_of_normalized(norm)


def detect_lang(text: str | None) -> str:
    """'ja' when the text has kana or kanji, 'en' when it is mostly Latin letters, else 'und'.

    Short posts defeat statistical detectors; script is what decides which tokenizer applies.
    """
    return lang_of_normalized(normalize_text(text))
