"""Removing what identifies an account — handles, user ids, profile links — from everything stored.

Two tools, because stored payloads come in two shapes:

- ``drop_handle_fields(obj)`` removes, at any depth of a parsed payload, every key that names an
  account in a supported export or API (``HANDLE_FIELDS``, documented in ``docs/security.md``). It is
  applied before a payload is rendered into bronze ``raw``.
- ``scrub_handles(text)`` masks handles inside free text and serialised payloads: ``@mentions``
  (also ``RT @user:`` and Mastodon's ``@user@instance``), profile and status links that carry a
  handle (X/Twitter, Mastodon ``/@user`` and ``/users/user``, Bluesky ``/profile/…``) and
  Bluesky/AT-protocol DIDs. It is applied to bronze ``text``, ``url`` and ``raw`` of every SNS
  connector and to every quarantine entry, so it also covers lines that could not be parsed.

The mask keeps the shape silver's normaliser recognises (``@masked`` is still a mention to it), so
reposts and mentions are removed there as before; the original handle is kept nowhere.
"""

from __future__ import annotations

import re

# Keys are compared after lower-casing and removing "_", "-" and ".": "screen_name", "screenName"
# and "Screen-Name" are one key. Whole objects under "user", "account" and "author" go, with their
# nested ids and display names.
HANDLE_FIELDS = frozenset({
    # file-drop exports and social-listening dashboards
    "author", "authorid", "authorname", "authorhandle", "authorusername", "authorurl", "authorprofile",
    "authorprofileurl", "authordisplayname", "handle", "username", "userid", "userhandle",
    "userurl", "profileurl", "profile", "displayname", "nickname", "screenname", "email",
    # X / Twitter API v1.1 exports and v2
    "user", "inreplytoscreenname", "inreplytouserid", "inreplytouseridstr", "usermentions",
    "mentions", "includes",
    # Mastodon
    "account", "acct", "inreplytoaccountid",
    # Bluesky / AT protocol
    "did", "creator",
})
MAX_DEPTH = 64
MASK = "masked"

_key_cache: dict[str, bool] = {}

# Each pattern runs only when its cheap substring test says it can match (most texts have none).
_MENTION_RE = re.compile(
    r"[@\uff20](?<![A-Za-z0-9_.+\-][@\uff20])[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,63}[A-Za-z0-9_])?"
    r"(?:[@\uff20][A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)?")
_X_RE = re.compile(r"(?i)((?<![A-Za-z0-9\-])(?:twitter|x)\.com/)"
                   r"(?!(?:i|intent|hashtag|search|home|explore|share)\b)[A-Za-z0-9_]{1,15}\b(/status)?")
_BSKY_RE = re.compile(r"(?i)(bsky\.app/profile/)[^/\s\"'?#]+")
_USERS_RE = re.compile(r"/users/[A-Za-z0-9_.\-]+")
_DID_RE = re.compile(r"\bdid:(?:plc|web):[A-Za-z0-9._:%\-]+")
_AT = "@" + MASK


def _x_link(match: re.Match) -> str:
    return match.group(1) + ("i/web/status" if match.group(2) else MASK)


def scrub_handles(text: str | None) -> str | None:
    """``text`` with @mentions, handle-bearing links and DIDs masked (``None`` stays ``None``)."""
    if not text:
        return text
    if "@" in text or "\uff20" in text:
        text = _MENTION_RE.sub(_AT, text)
    if ".com/" in text and ("x.com/" in text or "twitter.com/" in text or "X.com/" in text
                            or "Twitter.com/" in text or "TWITTER.COM/" in text):
        text = _X_RE.sub(_x_link, text)
    if "/profile/" in text:
        text = _BSKY_RE.sub(r"\1" + MASK, text)
    if "/users/" in text:
        text = _USERS_RE.sub("/users/" + MASK, text)
    if "did:" in text:
        text = _DID_RE.sub("did:" + MASK, text)
    return text


def is_handle_field(key: str) -> bool:
    known = _key_cache.get(key)
    if known is None:
        known = key.lower().replace("_", "").replace("-", "").replace(".", "") in HANDLE_FIELDS
        if len(_key_cache) < 10_000:
            _key_cache[key] = known
    return known


_CONTAINERS = (dict, list)


def drop_handle_fields(obj, _depth: int = 0):
    """A copy of the parsed payload ``obj`` without any ``HANDLE_FIELDS`` key at any depth.

    Raises ``ValueError`` for payloads nested deeper than ``MAX_DEPTH`` (no real export is).
    Written for speed: it runs once per ingested line.
    """
    if _depth > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    if type(obj) is dict:
        out = {}
        cache = _key_cache
        for k, v in obj.items():
            drop = cache.get(k)
            if drop is None:
                drop = is_handle_field(k)
            if not drop:
                out[k] = drop_handle_fields(v, _depth + 1) if type(v) in _CONTAINERS else v
        return out
    if type(obj) is list:
        return [drop_handle_fields(v, _depth + 1) if type(v) in _CONTAINERS else v for v in obj]
    return obj


def author_of(obj: dict):
    """The author id of a parsed export line, wherever the export keeps it (``None`` if nowhere).

    Only strings and integers count; the value is hashed into ``author_key`` and never stored.
    """
    for key in ("author_id", "author", "user_id", "username", "screen_name", "handle"):
        value = obj.get(key)
        if value is None:
            continue
        if isinstance(value, dict):
            value = _id_in(value)
        if isinstance(value, str) and value or isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    for key in ("user", "account"):
        nested = obj.get(key)
        if isinstance(nested, dict) and (value := _id_in(nested)) is not None:
            return value
    return None


def _id_in(obj: dict) -> str | None:
    for key in ("id_str", "id", "did", "acct", "screen_name", "username", "handle"):
        value = obj.get(key)
        if isinstance(value, str) and value or isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None
