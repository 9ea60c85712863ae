"""Landing files read by worker processes stage and quarantine exactly what one process does."""

from __future__ import annotations

import dataclasses
import json

import pytest

from miryoku.lake import Lake
from miryoku.lake.quarantine import read_quarantine
from miryoku.sources.base import FetchContext
from miryoku.sources.filedrop import LandingConnector
from miryoku.sources.ingest import run_connector, staged_source_dir

DT = "2026-01-02"
COMPARED = ["source", "post_id", "created_at", "text", "lang", "author_key", "url", "hashtags", "raw",
            "request", "checksum"]


def line(i: int, **extra) -> bytes:
    post = {"id": f"p{i}", "created_at": "2026-01-02T10:00:00+09:00", "text": f"青森のりんご {i} 件目",
            "author": f"user{i % 3}", **extra}
    return json.dumps(post, ensure_ascii=False).encode()


def landing(root) -> Lake:
    """A lake whose date has four files: good lines, bad lines, an empty file, pages of two posts."""
    lake = Lake.from_settings(str(root))
    files = {
        "a.jsonl": b"\n".join([line(1), b"{broken", line(2), line(3), line(4)]),
        "b.jsonl": b"\n".join([line(5), b"\xff\xfe", line(6, text=""), line(7)]),
        "c.jsonl": b"",
        "d.jsonl": b"\n".join(line(i) for i in range(8, 15)),
    }
    for name, body in files.items():
        lake.write_bytes(f"landing/sns/dash/dt={DT}/{name}", body)
    return lake


def connector(lake: Lake, processes: int) -> LandingConnector:
    lake = Lake(dataclasses.replace(lake.cfg, ingest_processes=processes))
    reader = LandingConnector(lake, "dash", min_parallel_bytes=0)
    reader.page_rows = 2
    return reader


def staged(lake: Lake, run: str) -> list[dict]:
    table = lake.read_parquet(staged_source_dir(run, DT, "dash")).select(COMPARED)
    return sorted(table.to_pylist(), key=lambda r: r["post_id"])


def test_workers_stage_and_quarantine_what_one_process_does(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRYOKU_AUTHOR_KEY", "k" * 40)
    one = landing(tmp_path / "one")
    two = landing(tmp_path / "two")
    serial = run_connector(one, "dash", connector(one, 1), FetchContext(DT, "r1"), {})
    parallel = run_connector(two, "dash", connector(two, 2), FetchContext(DT, "r1"), {})
    assert parallel == serial
    assert serial["rows_in"] == 17 and serial["rows_out"] == 13  # 3 bad lines and the empty file
    assert staged(two, "r1") == staged(one, "r1")
    where = sorted((q["location"], q["reason"]) for q in read_quarantine(two, "sns_posts", DT))
    assert where == sorted((q["location"], q["reason"]) for q in read_quarantine(one, "sns_posts", DT))
    assert ("a.jsonl:2", "malformed_json") in {(loc.rsplit("/", 1)[-1], why) for loc, why in where}


def test_a_crash_between_worker_pages_resumes_without_loss_or_duplicates(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRYOKU_AUTHOR_KEY", "k" * 40)
    lake = landing(tmp_path / "lake")
    reader = connector(lake, 2)

    def crashing(ctx, options, resume):
        for n, page in enumerate(reader(ctx, options, resume)):
            yield page
            if resume is None and n == 6:  # after d.jsonl's first page
                raise ConnectionError("killed between pages")

    with pytest.raises(ConnectionError):
        run_connector(lake, "dash", crashing, FetchContext(DT, "r1"), {})
    stats = run_connector(lake, "dash", connector(lake, 2), FetchContext(DT, "r1"), {})
    ids = [r["post_id"] for r in staged(lake, "r1")]
    assert sorted(ids) == sorted(f"p{i}" for i in (1, 2, 3, 4, 5, 7, *range(8, 15)))
    assert stats["rows_out"] == 13 and len(ids) == len(set(ids))
