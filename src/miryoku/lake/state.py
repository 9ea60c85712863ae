"""Persisted cursors and watermarks per source and query, under ``_state/<source>/<query>.json``.

A cursor is saved only after the page it covers is durably staged, so a run that dies between pages
resumes from the last durable page on retry: nothing is lost and nothing is fetched twice into D.
"""

from __future__ import annotations

import datetime as dt

from miryoku.lake.storage import Lake, safe_key


def state_path(source: str, query: str) -> str:
    return f"_state/{safe_key(source)}/{safe_key(query)}.json"


def load_state(lake: Lake, source: str, query: str) -> dict:
    path = state_path(source, query)
    return lake.read_json(path) if lake.exists(path) else {}


def save_state(lake: Lake, source: str, query: str, state: dict) -> None:
    state = {**state, "updated_at": dt.datetime.now(dt.UTC).isoformat()}
    lake.write_json(state_path(source, query), state)
