"""Credentials by name, read at call time; and scrubbing them out of anything that gets stored or logged.

Configuration names an environment variable (``*_env``) or an Airflow connection id (``*_conn``),
never a value. ``secret`` reads it when a request is about to be made, so no key sits in a
long-lived object's repr. ``redact`` and ``safe_url`` are applied to every URL, error message and raw
payload a connector keeps: tokens in query strings, ``Authorization`` headers and the values of the
secrets in use are replaced by ``***``.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SENSITIVE_PARAMS = {
    "appid", "access_token", "token", "key", "api_key", "apikey", "password", "client_secret",
    "secret", "signature", "sig", "x-api-key", "refresh_token", "auth", "code",
}
HEADER_RE = re.compile(r"(?i)\b(authorization|x-api-key|cookie)\s*[:=]\s*[^\r\n,}]+")
BEARER_RE = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
PARAM_RE = re.compile(r"(?i)([?&](?:" + "|".join(re.escape(p) for p in SENSITIVE_PARAMS) + r")=)[^&#\s\"']*")


class MissingSecret(RuntimeError):
    """A credential the source needs is not configured; the message names where it is looked for."""


def secret(env: str | None = None, conn_id: str | None = None, field: str = "password") -> str:
    """The credential from environment variable ``env``, else from Airflow connection ``conn_id``."""
    if env and os.environ.get(env):
        return os.environ[env]
    if conn_id:
        value = _airflow_connection_field(conn_id, field)
        if value:
            return value
    where = " or ".join(w for w in (f"environment variable {env}" if env else "",
                                    f"Airflow connection {conn_id!r} ({field})" if conn_id else "") if w)
    raise MissingSecret(f"credential not set: expected in {where or 'no configured place'}")


def _airflow_connection_field(conn_id: str, field: str) -> str | None:
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        return None
    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - an unknown connection is reported by the caller, without details
        return None
    if field in ("password", "login", "host"):
        return getattr(conn, field, None)
    return (conn.extra_dejson or {}).get(field)


def safe_url(url: str) -> str:
    """``url`` with the values of credential-like query parameters and any userinfo replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = urlencode([(k, "***" if k.lower() in SENSITIVE_PARAMS else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """``text`` with known secret values, auth headers, bearer tokens and token parameters masked."""
    out = str(text)
    for value in secrets:
        if value and len(value) >= 4:
            out = out.replace(value, "***")
    out = HEADER_RE.sub(lambda m: f"{m.group(1)}: ***", out)
    out = BEARER_RE.sub(lambda m: f"{m.group(1)} ***", out)
    return PARAM_RE.sub(lambda m: f"{m.group(1)}***", out)
