"""Bad input goes to ``quarantine/<table>/dt=…/<source>.jsonl`` with a reason — never silently dropped.

A quarantine file is rewritten whole for each (table, dt, source), so re-running a date replaces its
quarantine entries instead of piling them up. Every entry is bounded (``RAW_LIMIT``, ``DETAIL_LIMIT``,
``LOCATION_LIMIT`` characters), whatever the input, and its ``raw`` and ``detail`` pass through
``scrub_handles`` — the payload of a line that could not even be parsed keeps no @handle, no
profile link and no ``"author": …`` value. Callers remove known account fields from parsed
payloads first (``drop_handle_fields``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass

from miryoku.lake.storage import Lake, safe_key, table_name
from miryoku.sources.handles import HANDLE_FIELDS, drop_handle_fields, scrub_handles

RAW_LIMIT = 2000
DETAIL_LIMIT = 300
LOCATION_LIMIT = 500

# `"author": "…"`-like pairs in text that is not valid JSON (a broken line still names its author).
_HANDLE_PAIR_RE = re.compile(
    r'"(?P<key>[A-Za-z_][A-Za-z0-9_.\-]{0,40})"\s*:\s*(?:"(?:[^"\\\n]|\\.){0,2000}"?|[^,}\]\s]{1,200})')


def _without_handles(raw: str) -> str:
    """A JSON payload with its account fields removed; text that is not JSON with handle pairs masked."""
    if raw[:1] in ("{", "["):
        try:
            return json.dumps(drop_handle_fields(json.loads(raw)), ensure_ascii=False, sort_keys=True,
                              separators=(",", ":"))
        except (ValueError, RecursionError):
            pass
    return _mask_pairs(raw)


def _mask_pairs(text: str) -> str:
    def one(match: re.Match) -> str:
        key = match.group("key")
        normal = key.lower().replace("_", "").replace("-", "").replace(".", "")
        return f'"{key}":"***"' if normal in HANDLE_FIELDS else match.group(0)
    return _HANDLE_PAIR_RE.sub(one, text) if '":' in text or '" :' in text else text


def bounded(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was cut, and safe to encode as UTF-8."""
    if len(text) > limit:
        text = f"{text[:limit]}…[{len(text) - limit} more characters]"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class Rejected:
    reason: str
    detail: str
    source: str
    location: str
    raw: str

    @classmethod
    def of(cls, reason: str, detail: str, source: str, location: str, raw: bytes | str) -> Rejected:
        if isinstance(raw, bytes):
            raw = raw[:RAW_LIMIT * 8].decode("utf-8", errors="backslashreplace")
        raw = scrub_handles(bounded(_without_handles(raw[:RAW_LIMIT * 8]), RAW_LIMIT))
        return cls(reason, scrub_handles(bounded(str(detail), DETAIL_LIMIT)), source,
                   bounded(str(location), LOCATION_LIMIT), raw)


def quarantine_path(table: str, dt_value: str, source: str) -> str:
    return f"quarantine/{table_name(table)}/dt={dt_value}/{safe_key(source)}.jsonl"


def write_quarantine(lake: Lake, table: str, dt_value: str, source: str, rows: list[Rejected]) -> dict:
    """Write (or clear) the quarantine file and return counts per reason."""
    path = quarantine_path(table, dt_value, source)
    if rows:
        body = "\n".join(json.dumps(asdict(r), ensure_ascii=False) for r in rows) + "\n"
        lake.write_bytes(path, body.encode("utf-8"))
    else:
        lake.delete(path)
    return dict(Counter(r.reason for r in rows))


def read_quarantine(lake: Lake, table: str, dt_value: str) -> list[dict]:
    folder = f"quarantine/{table_name(table)}/dt={dt_value}"
    rows: list[dict] = []
    for rel in lake.files(folder, ".jsonl"):
        # split on "\n" only: str.splitlines would also split inside entries holding U+0085 or U+2028
        rows += [json.loads(line) for line in lake.read_bytes(rel).split(b"\n") if line.strip()]
    return rows
