"""Edge checks of post text: control characters out, and at least one character a reader can see.

A text of zero-width spaces, a Hangul filler or a lone NUL is not a post: it would reach silver as
an empty string after normalisation. ``clean_text`` removes C0/C1 control characters (keeping tab
and newline; CR LF becomes LF) and the bidirectional overrides used to disguise text;
``has_visible`` is true when something other than spaces, format characters (zero-width and the
like) and blank fillers is left, after NFKC as silver applies it. Both take the fast path — no copy,
no per-character loop — for the ordinary text that is all printable.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROLS_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters that render as nothing: spaces, format characters and the blank fillers abused as "empty".
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
_BLANK_RE = re.compile("[ \u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5]*")


def clean_text(text: str) -> str:
    """``text`` without control characters (tab and newline kept, CR LF → LF)."""
    if text.isprintable():
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return _CONTROLS_RE.sub("", text)


def has_visible(text: str) -> bool:
    """Whether ``text`` shows at least one character once normalised (NFKC)."""
    if text.isprintable():  # no control, format or non-ASCII space character: only fillers can hide
        return _BLANK_RE.fullmatch(text) is None
    normal = unicodedata.normalize("NFKC", text)
    return any(not c.isspace() and c not in _INVISIBLE and unicodedata.category(c) not in ("Cc", "Cf", "Zs")
               for c in normal)
