"""File-drop ingestion: every bad input is quarantined with its reason; valid lines are never lost."""

from __future__ import annotations

import json

import pyarrow.compute as pc
import pytest

from miryoku.lake.quarantine import read_quarantine
from miryoku.sources.base import FetchContext
from miryoku.sources.filedrop import ingest, parse_line
from miryoku.sources.ingest import staged_source_dir

DT = "2026-01-02"
GOOD = {"id": "g1", "created_at": "2026-01-02T10:00:00+09:00", "text": "青森のりんご", "author": "alice"}


def line(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def drop(lake, name: str, files: dict[str, bytes]) -> None:
    for filename, body in files.items():
        lake.write_bytes(f"landing/sns/{name}/dt={DT}/{filename}", body)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"id": "x", "text": "a", "created_at": "2026-01-02T00:00:00Z"', "malformed_json"),
        (b"\xff\xfe\x00 not utf-8", "invalid_utf8"),
        (b'["a list"]', "not_an_object"),
        (line({"created_at": "2026-01-02T00:00:00Z", "text": "x"}), "missing_id"),
        (line({"id": "1", "created_at": "2026-01-02T00:00:00Z"}), "missing_text"),
        (line({"id": "1", "created_at": "2026-01-02T00:00:00Z", "text": "   "}), "missing_text"),
        (line({"id": "1", "created_at": "yesterday", "text": "x"}), "bad_created_at"),
        (line({"id": "1", "created_at": "2026-01-02T10:00:00", "text": "x"}), "bad_created_at"),
        (line({"id": "1", "created_at": "2026-01-02T10:00:00Z", "text": "あ" * 5001}), "text_too_long"),
    ],
)
def test_each_bad_line_has_its_reason(raw, reason):
    rejected = parse_line(raw, "dash", "f.jsonl:1", max_chars=5000)
    assert rejected.reason == reason
    assert rejected.location == "f.jsonl:1"


def test_good_line_parses_with_offset_and_hashtags():
    post = parse_line(line({**GOOD, "text": "#青森 りんご"}), "dash", "f:1", 5000)
    assert post.created_at.utcoffset().total_seconds() == 9 * 3600
    assert post.hashtags == ["青森"]
    assert "alice" not in post.raw  # the handle is not kept in the raw payload


def test_bad_input_is_quarantined_and_counted_and_valid_posts_kept(lake):
    good2 = {**GOOD, "id": "g2", "text": "佐賀のいちご"}
    drop(lake, "dash", {
        "a.jsonl": b"\n".join([line(GOOD), b"{broken", b"\xff\xfe", line({"id": "n", "created_at": "x", "text": "t"}),
                                line(good2)]),
        "empty.jsonl": b"",
        "long.jsonl": line({**GOOD, "id": "l", "text": "長" * 6000}),
    })
    stats = ingest(lake, FetchContext(DT, "run1"), "file", {})
    assert stats["rows_out"] == 2
    assert stats["rows_quarantined"] == 5
    assert stats["quarantine_reasons"] == {
        "malformed_json": 1, "invalid_utf8": 1, "bad_created_at": 1, "empty_file": 1, "text_too_long": 1}
    staged = lake.read_parquet(staged_source_dir("run1", DT, "dash"))
    assert sorted(staged.column("post_id").to_pylist()) == ["g1", "g2"]
    quarantined = read_quarantine(lake, "sns_posts", DT)
    assert sorted(q["reason"] for q in quarantined) == sorted(stats["quarantine_reasons"])
    assert any(q["location"].endswith("a.jsonl:2") for q in quarantined)


def test_author_is_an_hmac_and_no_handle_is_stored(lake):
    drop(lake, "dash", {"a.jsonl": line(GOOD)})
    ingest(lake, FetchContext(DT, "run1"), "file", {})
    table = lake.read_parquet(staged_source_dir("run1", DT, "dash"))
    key = table.column("author_key")[0].as_py()
    assert len(key) == 64 and key != "alice"
    for column in table.column_names:
        if table.schema.field(column).type == "string":
            assert not pc.any(pc.match_substring(table.column(column), "alice")).as_py()


def test_rerun_replaces_staging_and_quarantine_instead_of_appending(lake):
    drop(lake, "dash", {"a.jsonl": line(GOOD) + b"\n{bad"})
    ingest(lake, FetchContext(DT, "run1"), "file", {})
    ingest(lake, FetchContext(DT, "run1"), "file", {})
    assert lake.read_parquet(staged_source_dir("run1", DT, "dash")).num_rows == 1
    assert len(read_quarantine(lake, "sns_posts", DT)) == 1


def test_resume_after_a_crash_between_files_loses_and_duplicates_nothing(lake, monkeypatch):
    from miryoku.sources import filedrop

    drop(lake, "dash", {f"{i}.jsonl": line({**GOOD, "id": f"p{i}"}) for i in range(3)})
    real = filedrop.connector_for

    def crashing(lake_, name):
        fetch = real(lake_, name)

        def wrapper(ctx, options, resume):
            for n, page in enumerate(fetch(ctx, options, resume)):
                yield page
                if resume is None and n == 1:
                    raise ConnectionError("killed between pages")
        return wrapper

    monkeypatch.setattr(filedrop, "connector_for", crashing)
    with pytest.raises(ConnectionError):
        ingest(lake, FetchContext(DT, "run1"), "file", {})
    ingest(lake, FetchContext(DT, "run1"), "file", {})  # the retry of the same run
    ids = lake.read_parquet(staged_source_dir("run1", DT, "dash")).column("post_id").to_pylist()
    assert sorted(ids) == ["p0", "p1", "p2"]
