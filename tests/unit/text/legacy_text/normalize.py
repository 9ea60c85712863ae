"""Post text normalisation: the same text must produce the same ``text_norm`` from any source.

NFKC folds full-width letters and digits (ｉｃｈｉｇｏ → ichigo, ２０２６ → 2026) so that exact-duplicate
detection and dictionary matching see one spelling. URLs and @mentions are removed because they are
per-copy noise (tracking parameters, reply targets) and would otherwise split duplicates apart and
leak handles into the silver layer.
"""

from __future__ import annotations

import re
import unicodedata

URL_RE = re.compile(r"(?:https?|ftp)://[^\s　]+|www\.[^\s　]+", re.IGNORECASE)
REPOST_RE = re.compile(r"^\s*(?:RT|QT)\s*@[A-Za-z0-9_]{1,30}\s*:?\s*", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9_]{1,30}")
HASHTAG_RE = re.compile(r"#([^\s#、。,.!?！？「」()（）]+)")
SPACE_RE = re.compile(r"\s+")
KANA_RE = re.compile(r"[\u3040-\u30ff]")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
LATIN_RE = re.compile(r"[A-Za-z]")


def normalize_text(text: str) -> str:
    """NFKC, repost prefix / URLs / mentions removed, ``#`` dropped from hashtags, spaces collapsed."""
    t = unicodedata.normalize("NFKC", text or "")
    t = REPOST_RE.sub("", t)
    t = URL_RE.sub(" ", t)
    t = MENTION_RE.sub(" ", t)
    t = t.replace("#", " ")
    return SPACE_RE.sub(" ", t).strip()


def is_repost(text: str) -> bool:
    return bool(REPOST_RE.match(unicodedata.normalize("NFKC", text or "")))


def extract_hashtags(text: str) -> list[str]:
    t = URL_RE.sub(" ", unicodedata.normalize("NFKC", text or ""))
    return list(dict.fromkeys(HASHTAG_RE.findall(t)))


def detect_lang(text: str) -> str:
    """'ja' when the text has kana or kanji, 'en' when it is mostly Latin letters, else 'und'.

    Short posts defeat statistical detectors; script is what decides which tokenizer applies.
    """
    t = normalize_text(text)
    if KANA_RE.search(t):
        return "ja"
    latin = len(LATIN_RE.findall(t))
    cjk = len(CJK_RE.findall(t))
    if cjk and cjk >= latin / 4:
        return "ja"
    if latin:
        return "en"
    return "und"
