"""File-drop source: JSONL exports from social-listening dashboards, dropped in the lake's landing folder.

Layout: ``<lake>/landing/sns/<source>/dt=YYYY-MM-DD/*.jsonl`` (also ``.ndjson`` and ``.json``, any
case; a ``.json`` file may also be one JSON array of posts), one post per line with at least ``id``
(string or integer), ``created_at`` (ISO 8601 with a UTC offset) and ``text``; optional ``author``,
``lang``, ``url``, ``hashtags``. The nightly run for D reads D's folder of every landing source.

Every non-blank line ends in exactly one place: a bronze row or a quarantine entry with its file,
line number and reason — whatever its bytes — and one bad line never stops its file or the source.
Files are streamed (memory bounded by ``PAGE_ROWS`` posts and ``MAX_LINE_BYTES``), each file is a
unit of progress identified by name + size + SHA-256, so a retry ingests exactly the files not yet
staged. Links, unsupported names and landing folders that are not valid source names (or collide
with a configured source) are not read and are listed in the stats under ``skipped``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator

import ijson

from miryoku.lake.quarantine import Rejected
from miryoku.lake.storage import Lake, safe_key
from miryoku.sources.base import FetchContext, PostRecord, raw_json
from miryoku.sources.handles import author_of, drop_handle_fields
from miryoku.sources.ingest import Page
from miryoku.sources.landing import (
    LandingFile,
    RefusedFile,
    Skipped,
    landing_files,
    list_entries,
    open_landing,
    read_lines,
)
from miryoku.sources.landing_pool import PARALLEL_MIN_BYTES, read_in_workers, worker_count
from miryoku.sources.secrets import safe_url
from miryoku.sources.textcheck import clean_text, has_visible
from miryoku.text.normalize import extract_hashtags

LANDING = "landing/sns"
PAGE_ROWS = 50_000
BOM = b"\xef\xbb\xbf"
MAX_ID_CHARS, MAX_LANG_CHARS, MAX_URL_CHARS, MAX_DATE_CHARS = 128, 35, 2048, 64
MAX_HASHTAGS, MAX_HASHTAG_CHARS = 100, 140
MIN_YEAR, MAX_YEAR = 1990, 2100  # a post dated outside [1990, 2100) is an exporter's error
MAX_SKIPPED_LISTED = 1000


def landing_sources(lake: Lake, configured: set[str] = frozenset()) -> tuple[list[str], list[Skipped]]:
    """Landing-source folders that may be read, and those refused with the reason why."""
    dirs, files, refused = list_entries(lake, LANDING)
    taken = {c.casefold() for c in configured}
    ok, skipped = [], list(refused) + [Skipped(f"{LANDING}/{f}", "not_a_source_folder") for f in files]
    for name in dirs:
        if _safe_name(name) != name:
            skipped.append(Skipped(f"{LANDING}/{name}", "bad_source_name"))
        elif name.casefold() in taken:
            skipped.append(Skipped(f"{LANDING}/{name}", "name_of_a_configured_source"))
        else:
            ok.append(name)
    return ok, skipped


def _safe_name(name: str) -> str | None:
    try:
        return safe_key(name)
    except ValueError:
        return None


def parse_created_at(value) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("created_at must be an ISO 8601 string")
    if len(value) > MAX_DATE_CHARS:
        raise ValueError(f"longer than {MAX_DATE_CHARS} characters")
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("created_at has no UTC offset")
    if not MIN_YEAR <= parsed.year < MAX_YEAR:
        raise ValueError(f"year {parsed.year} is outside {MIN_YEAR}…{MAX_YEAR - 1}")
    return parsed


def _no_constants(name: str):
    raise ValueError(f"{name} is not valid JSON")


_decode = json.JSONDecoder(parse_constant=_no_constants).decode  # NaN/Infinity refused, built once


def parse_line(line: bytes, source: str, location: str, max_chars: int) -> PostRecord | Rejected:
    """One JSONL line → a post, or a ``Rejected`` saying why not. Never raises."""
    try:
        obj = _decode(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Rejected.of("invalid_utf8", str(exc), source, location, line)
    except (ValueError, RecursionError) as exc:
        return Rejected.of("malformed_json", str(exc), source, location, line)
    return parse_obj(obj, source, location, max_chars, line)


def parse_obj(obj, source: str, location: str, max_chars: int, original: bytes | str) -> PostRecord | Rejected:
    """A decoded export line (or array item) → a post, or a ``Rejected`` saying why not."""
    def reject(reason: str, detail: str) -> Rejected:
        return Rejected.of(reason, detail, source, location, original)

    if type(obj) is not dict:
        return reject("not_an_object", f"expected a JSON object, got {type(obj).__name__}")
    post_id = obj.get("id")
    kind = type(post_id)
    if kind is str:
        post_id = post_id.strip()
    elif kind is int:
        post_id = str(post_id)
    elif post_id is not None:
        return reject("bad_id", f"id must be a string or an integer, got {kind.__name__}")
    if not post_id:
        return reject("missing_id", "no id")
    if len(post_id) > MAX_ID_CHARS or not post_id.isprintable():
        return reject("bad_id", f"id longer than {MAX_ID_CHARS} characters or with control characters")
    text = obj.get("text")
    if type(text) is not str or not text.strip():
        return reject("missing_text", "no text or empty text")
    text = clean_text(text)
    if not has_visible(text):
        return reject("no_visible_text", "text has no visible character")
    if len(text) > max_chars:
        return reject("text_too_long", f"{len(text)} characters > limit {max_chars}")
    try:
        created_at = parse_created_at(obj.get("created_at"))
    except (ValueError, OverflowError) as exc:
        return reject("bad_created_at", f"{str(obj.get('created_at'))[:80]!r}: {exc}")
    lang, url, hashtags = obj.get("lang"), obj.get("url"), obj.get("hashtags")
    lang = lang if type(lang) is str and lang else None
    url = url if type(url) is str and url else None
    if (lang and len(lang) > MAX_LANG_CHARS) or (url and len(url) > MAX_URL_CHARS):
        return reject("field_too_long", f"lang > {MAX_LANG_CHARS} or url > {MAX_URL_CHARS} characters")
    if url and "?" in url:  # tokens in a shared link's query string are masked, in raw too
        url = safe_url(url)
        obj = {**obj, "url": url}
    if type(hashtags) is not list:
        hashtags = extract_hashtags(text)
    elif (len(hashtags) > MAX_HASHTAGS
          or not all(type(h) is str and len(h) <= MAX_HASHTAG_CHARS for h in hashtags)):
        return reject("bad_hashtags", f"hashtags must be ≤ {MAX_HASHTAGS} strings of ≤ {MAX_HASHTAG_CHARS}")
    try:
        raw = raw_json(drop_handle_fields(obj))
        raw.encode("utf-8")
    except ValueError as exc:  # nesting beyond MAX_DEPTH, or a lone surrogate (UnicodeEncodeError)
        reason = "invalid_unicode" if isinstance(exc, UnicodeEncodeError) else "too_deeply_nested"
        return reject(reason, str(exc))
    return PostRecord(
        source=source, post_id=post_id, created_at=created_at, text=text, raw=raw, lang=lang,
        author=author_of(obj), url=url, hashtags=[h.lstrip("#") for h in hashtags],
        request=location.rsplit(":", 1)[0],
    )


def unit_of(rel: str) -> str:
    """The staged-page prefix of one landing file (its path's hash: names are data, not paths)."""
    return "f" + hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def file_checksum(lake: Lake, rel: str, limit: int | None = None) -> tuple[hashlib._Hash, int]:
    """SHA-256 of the file's first ``limit`` bytes (all if None) and how many bytes that was."""
    hasher, size = hashlib.sha256(), 0
    with open_landing(lake, rel) as stream:
        while chunk := stream.read(1 << 20 if limit is None else min(1 << 20, limit - size)):
            hasher.update(chunk)
            size += len(chunk)
    return hasher, size


class LandingConnector:
    """The pages of one landing source for one date; ``skipped`` collects what was not read."""

    def __init__(self, lake: Lake, name: str, min_parallel_bytes: int = PARALLEL_MIN_BYTES):
        self.lake, self.name = lake, name
        self.skipped: list[Skipped] = []
        self.files_staged = 0  # files of this date staged by this run, including a crashed attempt's
        self.min_parallel_bytes = min_parallel_bytes  # dates with fewer bytes to read stay in one process
        self.page_rows = PAGE_ROWS

    def __call__(self, ctx: FetchContext, options: dict, resume: dict | None) -> Iterator[Page]:
        files, skipped = landing_files(self.lake, f"{LANDING}/{self.name}/dt={ctx.dt}")
        self.skipped += skipped
        resume = resume or {}
        done = [list(d) for d in resume.get("done", [])]
        partial = resume.get("partial")
        discard = self._stale(files, done, partial)
        done = [d for d in done if unit_of(d[0]) not in discard]
        if partial and unit_of(partial["rel"]) in discard:
            partial = None
        if discard:
            yield Page(records=[], discard=discard, resume={"done": done, "partial": partial})
        finished = {d[0] for d in done}
        pending = [file for file in files if file.rel not in finished]
        starts = {partial["rel"]: partial} if partial else {}
        processes = worker_count(self.lake.cfg.ingest_processes, len(pending))
        if processes > 1 and sum(f.size for f in pending) >= self.min_parallel_bytes:
            yield from self._pages_from_workers(pending, starts, done, ctx, processes)
        else:
            for file in pending:
                yield from self.file_pages(file, done, starts.get(file.rel), ctx)
        self.files_staged = len(done)

    def _pages_from_workers(self, files: list[LandingFile], starts: dict, done: list, ctx: FetchContext,
                            processes: int) -> Iterator[Page]:
        """The same pages as ``file_pages`` file after file, read by worker processes (``landing_pool``)."""
        key = self.lake.cfg.author_key()
        for pages, skipped in read_in_workers(self, files, starts, ctx, key, processes):
            self.skipped += skipped
            for page in pages:
                if page.finished:
                    done.append(page.finished)
                resume = {"done": list(done), "partial": page.partial}
                yield Page([], page.rejected, page.rows_in, unit=page.unit, resume=resume, table=page.table)

    def _stale(self, files: list[LandingFile], done: list[list], partial: dict | None) -> list[str]:
        """Units already staged whose file is gone or changed since: their pages must go."""
        sizes = {f.rel: f.size for f in files}
        stale = []
        for rel, size, checksum in done:
            if sizes.get(rel) != size or not self._same(rel, size, checksum):
                stale.append(unit_of(rel))
        if partial and ("offset" not in partial or partial["rel"] not in sizes
                        or not self._same(partial["rel"], partial["offset"], partial["prefix_sha256"])):
            stale.append(unit_of(partial["rel"]))
        return stale

    def _same(self, rel: str, size: int, checksum: str) -> bool:
        try:
            hasher, read = file_checksum(self.lake, rel, size)
        except (OSError, RefusedFile):
            return False
        return read == size and hasher.hexdigest() == checksum

    def file_pages(self, file: LandingFile, done: list, start: dict | None, ctx: FetchContext) -> Iterator[Page]:
        rel, unit, max_chars = file.rel, unit_of(file.rel), self.lake.cfg.max_text_chars
        try:
            stream = open_landing(self.lake, rel)
        except RefusedFile as exc:
            self.skipped.append(Skipped(rel, exc.reason))
            return
        records: list[PostRecord] = []
        rejected: list[Rejected] = []
        rows_in = offset = number = total = first = 0
        hasher = hashlib.sha256()
        with stream:
            if start:  # the prefix was verified unchanged in _stale: continue after it
                hasher, offset = file_checksum(self.lake, rel, start["offset"])
                stream.seek(offset)
                first = start["line"]
            elif rel.lower().endswith(".json") and stream.peek(64).lstrip(BOM + b" \t\r\n")[:1] == b"[":
                yield from self._array_pages(stream, file, done, unit, max_chars)
                return
            for number, line, used in read_lines(stream, hasher, first):
                offset += used
                if line is None:
                    rejected.append(Rejected.of("line_too_long", f"{used} bytes > limit", self.name,
                                                f"{rel}:{number}", b""))
                    rows_in += 1
                    continue
                if line[:3] == BOM:
                    line = line[3:]
                if not line.strip():
                    continue
                rows_in += 1
                parsed = parse_line(line, self.name, f"{rel}:{number}", max_chars)
                (records if type(parsed) is PostRecord else rejected).append(parsed)
                if len(records) >= self.page_rows:
                    yield Page(records, rejected, rows_in, unit=unit, resume={"done": done, "partial": {
                        "rel": rel, "offset": offset, "line": number, "prefix_sha256": hasher.hexdigest()}})
                    total += rows_in
                    records, rejected, rows_in = [], [], 0
        if not start and total + rows_in == 0:  # no bytes, or blank lines only
            rejected.append(Rejected.of("empty_file", "file has no posts", self.name, rel, b""))
        done.append([rel, offset, hasher.hexdigest()])
        yield Page(records, rejected, rows_in, unit=unit, resume={"done": list(done), "partial": None})

    def _array_pages(self, stream, file: LandingFile, done: list, unit: str, max_chars: int) -> Iterator[Page]:
        """A ``.json`` export holding one array of posts; its items are located as ``file:#N``."""
        rel, records, rejected, index = file.rel, [], [], 0
        hasher = hashlib.sha256()
        reader = _HashingReader(stream, hasher)
        try:
            for index, item in enumerate(ijson.items(reader, "item", use_float=True), start=1):
                original = json.dumps(item, default=str)[:8000]
                parsed = parse_obj(item, self.name, f"{rel}:#{index}", max_chars, original)
                (records if type(parsed) is PostRecord else rejected).append(parsed)
                if len(records) >= self.page_rows:  # resumed from the file's start: see _stale
                    yield Page(records, rejected, len(records) + len(rejected), unit=unit,
                               resume={"done": done, "partial": {"rel": rel}})
                    records, rejected = [], []
        except (ijson.JSONError, ValueError, RecursionError) as exc:
            rejected.append(Rejected.of("malformed_json", f"the array is not valid JSON after item {index}: {exc}",
                                        self.name, f"{rel}:#{index + 1}", b""))
        while reader.read(1 << 20):
            pass
        done.append([rel, reader.size, hasher.hexdigest()])
        yield Page(records, rejected, len(records) + len(rejected), unit=unit,
                   resume={"done": list(done), "partial": None})


class _HashingReader:
    def __init__(self, stream, hasher):
        self.stream, self.hasher, self.size = stream, hasher, 0

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.hasher.update(data)
        self.size += len(data)
        return data


def connector_for(lake: Lake, name: str) -> Callable[[FetchContext, dict, dict | None], Iterator[Page]]:
    """A connector over one landing source: each file is a unit of progress (one or more pages)."""
    return LandingConnector(lake, name)


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Stage every landing source's folder for the date; each landing folder is its own bronze source."""
    from miryoku.sources.ingest import run_connector

    landing, skipped = landing_sources(lake, set(lake.cfg.sources().get("sources", {})))
    per_source, files = [], 0
    for src in landing:
        connector = connector_for(lake, src)
        per_source.append(run_connector(lake, src, connector, ctx, options))
        skipped += getattr(connector, "skipped", [])
        files += getattr(connector, "files_staged", 0)
    listed = [{"file": s.file, "reason": s.reason} for s in skipped[:MAX_SKIPPED_LISTED]]
    return {
        "source": name,
        "landing_sources": landing,
        "rows_in": sum(s["rows_in"] for s in per_source),
        "rows_out": sum(s["rows_out"] for s in per_source),
        "rows_quarantined": sum(s["rows_quarantined"] for s in per_source),
        "quarantine_reasons": _merge([s["quarantine_reasons"] for s in per_source]),
        "files": files,
        "files_skipped": len(skipped),
        "skipped_reasons": _merge([{s.reason: 1} for s in skipped]),
        "skipped": listed,
    }


def _merge(dicts: list[dict]) -> dict:
    out: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out
