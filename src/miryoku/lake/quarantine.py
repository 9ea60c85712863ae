"""Bad input goes to ``quarantine/<table>/dt=…/<source>.jsonl`` with a reason — never silently dropped.

A quarantine file is rewritten whole for each (table, dt, source), so re-running a date replaces its
quarantine entries instead of piling them up.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass

from miryoku.lake.storage import Lake, safe_key, table_name

RAW_LIMIT = 2000


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
            raw = raw.decode("utf-8", errors="backslashreplace")
        return cls(reason, detail, source, location, raw[:RAW_LIMIT])


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
        rows += [json.loads(line) for line in lake.read_bytes(rel).decode().splitlines() if line]
    return rows
