"""File-drop source: JSONL exports from social-listening dashboards, dropped in the lake's landing folder.

Layout: ``<lake>/landing/sns/<source>/dt=YYYY-MM-DD/*.jsonl``, one post per line with at least
``id``, ``created_at`` (ISO 8601 with a UTC offset) and ``text``; optional ``author``, ``lang``,
``url``, ``hashtags``. The nightly run for D reads D's folder of every landing source. Each bad line
becomes a quarantine entry with its file, line number and reason; the good lines of the same file
are kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator

from miryoku.lake.quarantine import Rejected
from miryoku.lake.storage import Lake, safe_key
from miryoku.sources.base import FetchContext, PostRecord, raw_json
from miryoku.sources.ingest import Page
from miryoku.text.normalize import extract_hashtags

LANDING = "landing/sns"


def landing_sources(lake: Lake) -> list[str]:
    return [name for name in lake.listdir(LANDING) if safe_key(name) == name]


def parse_created_at(value) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("created_at must be an ISO 8601 string")
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("created_at has no UTC offset")
    return parsed


def parse_line(line: bytes, source: str, location: str, max_chars: int) -> PostRecord | Rejected:
    """One JSONL line → a post, or a ``Rejected`` saying why not."""
    def reject(reason: str, detail: str) -> Rejected:
        return Rejected.of(reason, detail, source, location, line)

    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return reject("invalid_utf8", str(exc))
    try:
        obj = json.loads(decoded)
    except json.JSONDecodeError as exc:
        return reject("malformed_json", str(exc))
    if not isinstance(obj, dict):
        return reject("not_an_object", f"expected a JSON object, got {type(obj).__name__}")
    post_id = obj.get("id")
    if post_id is None or str(post_id).strip() == "":
        return reject("missing_id", "no id")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return reject("missing_text", "no text or empty text")
    if len(text) > max_chars:
        return reject("text_too_long", f"{len(text)} characters > limit {max_chars}")
    try:
        created_at = parse_created_at(obj.get("created_at"))
    except ValueError as exc:
        return reject("bad_created_at", f"{obj.get('created_at')!r}: {exc}")
    hashtags = obj.get("hashtags")
    if not isinstance(hashtags, list):
        hashtags = extract_hashtags(text)
    author = obj.get("author")
    scrubbed = {k: v for k, v in obj.items() if k != "author"}
    return PostRecord(
        source=source,
        post_id=str(post_id),
        created_at=created_at,
        text=text,
        raw=raw_json(scrubbed),
        lang=obj.get("lang") if isinstance(obj.get("lang"), str) else None,
        author=str(author) if author is not None else None,
        url=obj.get("url") if isinstance(obj.get("url"), str) else None,
        hashtags=[str(h).lstrip("#") for h in hashtags],
        request=location.split(":", 1)[0],
    )


def connector_for(lake: Lake, name: str) -> Callable[[FetchContext, dict, dict | None], Iterator[Page]]:
    """A connector over one landing source: one page per file, so each file is a unit of progress."""
    def fetch(ctx: FetchContext, options: dict, resume: dict | None) -> Iterator[Page]:
        folder = f"{LANDING}/{name}/dt={ctx.dt}"
        max_chars = lake.cfg.max_text_chars
        done = int((resume or {}).get("files_done", 0))
        for index, rel in enumerate(lake.files(folder, ".jsonl"), start=1):
            if index <= done:
                continue
            data = lake.read_bytes(rel)
            records: list[PostRecord] = []
            rejected: list[Rejected] = []
            lines = data.splitlines()
            if not data.strip():
                rejected.append(Rejected.of("empty_file", "file has no posts", name, rel, b""))
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                parsed = parse_line(line, name, f"{rel}:{number}", max_chars)
                (records if isinstance(parsed, PostRecord) else rejected).append(parsed)
            yield Page(records=records, rejected=rejected, rows_in=len(records) + len(rejected),
                       resume={"files_done": index})
    return fetch


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Stage every landing source's folder for the date; each landing folder is its own bronze source."""
    from miryoku.sources.ingest import run_connector

    landing = landing_sources(lake)
    per_source = [run_connector(lake, src, connector_for(lake, src), ctx, options) for src in landing]
    return {
        "source": name,
        "landing_sources": landing,
        "rows_in": sum(s["rows_in"] for s in per_source),
        "rows_out": sum(s["rows_out"] for s in per_source),
        "rows_quarantined": sum(s["rows_quarantined"] for s in per_source),
        "quarantine_reasons": _merge([s["quarantine_reasons"] for s in per_source]),
        "files": sum(s["pages"] for s in per_source),
    }


def _merge(dicts: list[dict]) -> dict:
    out: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out
