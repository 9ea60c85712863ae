"""A hostile landing folder: every line lands in exactly one place; nothing outside the lake is read."""

from __future__ import annotations

import json

import pytest
from hostile_landing import DT, build

from miryoku.lake.quarantine import DETAIL_LIMIT, LOCATION_LIMIT, RAW_LIMIT, read_quarantine
from miryoku.sources import landing
from miryoku.sources.base import FetchContext
from miryoku.sources.filedrop import ingest
from miryoku.sources.ingest import staged_source_dir

MAX_LINE = 200_000


@pytest.fixture
def hostile(lake, tmp_path, monkeypatch):
    monkeypatch.setattr(landing, "MAX_LINE_BYTES", MAX_LINE)
    outside = tmp_path / "outside"
    outside.mkdir()
    return build(lake, MAX_LINE, outside)


def test_every_line_lands_in_exactly_one_place(lake, hostile):
    stats = ingest(lake, FetchContext(DT, "run1"), "file", {})
    staged = lake.read_parquet(staged_source_dir("run1", DT, "dash"))
    assert sorted(staged.column("post_id").to_pylist()) == sorted(hostile["kept"])
    assert stats["rows_out"] == len(hostile["kept"])
    assert stats["quarantine_reasons"] == hostile["reasons"]
    assert stats["rows_in"] == len(hostile["kept"]) + sum(hostile["reasons"].values())
    quarantined = {q["location"]: q["reason"] for q in read_quarantine(lake, "sns_posts", DT)}
    assert quarantined == hostile["locations"]
    assert stats["landing_sources"] == ["dash", "linked"]  # linked: its dt= folder is a link, refused


def test_what_is_not_read_is_listed_with_its_reason(lake, hostile):
    stats = ingest(lake, FetchContext(DT, "run1"), "file", {})
    assert {(s["file"], s["reason"]) for s in stats["skipped"]} == hostile["skipped"]
    assert stats["files_skipped"] == len(hostile["skipped"])
    assert stats["files"] == 7  # mixed, crlf-bom, sub/export, array, broken-array, empty, blank


def test_quarantine_entries_are_bounded(lake, hostile):
    ingest(lake, FetchContext(DT, "run1"), "file", {})
    for entry in read_quarantine(lake, "sns_posts", DT):
        assert len(entry["raw"]) <= RAW_LIMIT + 40
        assert len(entry["detail"]) <= DETAIL_LIMIT + 40
        assert len(entry["location"]) <= LOCATION_LIMIT + 40
    size = sum(len(lake.read_bytes(r)) for r in lake.files("quarantine"))
    assert size < 100_000  # a 100 kB created_at and a 200 kB line are cut, not copied


def test_cleaned_text_and_masked_handles_in_bronze(lake, hostile):
    ingest(lake, FetchContext(DT, "run1"), "file", {})
    rows = {r["post_id"]: r for r in lake.read_parquet(staged_source_dir("run1", DT, "dash")).to_pylist()}
    assert rows["k2"]["text"] == "あいう"
    assert rows["k3"]["text"] == "RT @masked: いちご"
    assert rows["k4"]["text"] == "@masked 佐賀 https://x.com/i/web/status/1"
    assert rows["k4"]["url"].startswith("https://mstdn.jp/@masked/1?access_token=")
    assert "user" not in json.loads(rows["k3"]["raw"])
    assert rows["k3"]["author_key"] and len(rows["k3"]["author_key"]) == 64  # from user.id_str
    assert rows["7"]["post_id"] == "7"


def test_resume_is_by_content_after_a_file_is_replaced_and_one_added(lake, monkeypatch):
    from miryoku.sources import filedrop

    base = f"landing/sns/dash/dt={DT}"

    def line(i):
        return json.dumps({"id": i, "created_at": "2026-01-02T10:00:00+09:00", "text": f"t{i}"}).encode() + b"\n"
    lake.write_bytes(f"{base}/a.jsonl", line("a1"))
    lake.write_bytes(f"{base}/b.jsonl", line("b-bad-version"))
    lake.write_bytes(f"{base}/c.jsonl", line("c1"))
    real = filedrop.LandingConnector.file_pages

    def crash_after_b(self, file, done, start, ctx):
        yield from real(self, file, done, start, ctx)
        if file.rel.endswith("b.jsonl"):
            raise ConnectionError("killed after b")
    monkeypatch.setattr(filedrop.LandingConnector, "file_pages", crash_after_b)
    with pytest.raises(ConnectionError):
        ingest(lake, FetchContext(DT, "run1"), "file", {})
    monkeypatch.setattr(filedrop.LandingConnector, "file_pages", real)
    lake.write_bytes(f"{base}/b.jsonl", line("b-fixed"))  # replaced by a corrected export
    lake.write_bytes(f"{base}/0-new.jsonl", line("new"))  # and one added, sorting first
    stats = ingest(lake, FetchContext(DT, "run1"), "file", {})
    ids = lake.read_parquet(staged_source_dir("run1", DT, "dash")).column("post_id").to_pylist()
    assert sorted(ids) == ["a1", "b-fixed", "c1", "new"]
    assert stats["rows_out"] == 4 and stats["rows_in"] == 4


def test_a_file_split_over_pages_resumes_mid_file_without_duplicates(lake, monkeypatch):
    from miryoku.sources import filedrop

    monkeypatch.setattr(filedrop, "PAGE_ROWS", 3)
    base = f"landing/sns/dash/dt={DT}"
    body = b"".join(json.dumps({"id": f"p{i}", "created_at": "2026-01-02T10:00:00Z", "text": "x"}).encode()
                    + b"\n" for i in range(10))
    lake.write_bytes(f"{base}/a.jsonl", body + b"{bad\n")
    real = filedrop.LandingConnector.file_pages

    def crash_after_two_pages(self, file, done, start, ctx):
        for n, page in enumerate(real(self, file, done, start, ctx)):
            yield page
            if start is None and n == 1:
                raise ConnectionError("killed mid-file")
    monkeypatch.setattr(filedrop.LandingConnector, "file_pages", crash_after_two_pages)
    with pytest.raises(ConnectionError):
        ingest(lake, FetchContext(DT, "run1"), "file", {})
    stats = ingest(lake, FetchContext(DT, "run1"), "file", {})
    ids = lake.read_parquet(staged_source_dir("run1", DT, "dash")).column("post_id").to_pylist()
    assert sorted(ids) == sorted(f"p{i}" for i in range(10))
    assert stats["rows_in"] == 11 and stats["quarantine_reasons"] == {"malformed_json": 1}
    assert [q["location"] for q in read_quarantine(lake, "sns_posts", DT)] == [f"{base}/a.jsonl:11"]


def test_memory_is_bounded_by_page_and_line_not_by_file(lake, monkeypatch):
    """A file of 60k posts is staged in pages of PAGE_ROWS; no page holds more."""
    from miryoku.sources import filedrop
    from miryoku.sources import ingest as ingest_module

    monkeypatch.setattr(filedrop, "PAGE_ROWS", 10_000)
    sizes = []
    real = ingest_module.bronze_posts_table
    monkeypatch.setattr(ingest_module, "bronze_posts_table", lambda recs, *a: sizes.append(len(recs)) or real(recs, *a))
    line = json.dumps({"id": "x", "created_at": "2026-01-02T10:00:00Z", "text": "x"}).encode()
    lake.write_bytes(f"landing/sns/dash/dt={DT}/a.jsonl", b"\n".join(line.replace(b'"x"', f'"{i}"'.encode(), 1)
                                                                 for i in range(60_000)))
    stats = ingest(lake, FetchContext(DT, "run1"), "file", {})
    assert stats["rows_out"] == 60_000
    assert max(sizes) == 10_000 and len(sizes) == 6
