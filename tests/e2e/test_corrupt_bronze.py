"""Damaged Parquet files in the lake, detected before any Spark job and quarantined with their path and
the reader's error. A published bronze file: the run fails and publishes nothing; re-running the date
recovers every post. A file of the enriched store (derived data): its bronze folder is enriched again
in the same run, which succeeds. Counts are worked out by hand from the landing lines."""

from __future__ import annotations

import pytest
from landing_lines import line

from jobs.silver_posts import CorruptBronze
from miryoku import pipeline
from miryoku.lake import enriched as store
from miryoku.lake.publish import published_files
from miryoku.lake.quarantine import read_quarantine

pytestmark = [pytest.mark.e2e, pytest.mark.spark]

D1, D2 = "2026-04-01", "2026-04-02"


LANDING = {D1: [line("a1", D1, "青森のりんご", "u1"), line("a2", D1, "温泉最高", "u2")],
           D2: [line("b1", D2, "佐賀のいちご", "u3"), line("b2", D2, "城が素敵", "u4"), line("b3", D2, "温泉", "u5")]}


def published_posts(lake, day):
    import duckdb

    folder = lake.path(f"silver/posts_v1/dt={day}")
    if not lake.files(f"silver/posts_v1/dt={day}", ".parquet"):
        return []
    return sorted(r[0] for r in duckdb.sql(f"select post_id from read_parquet('{folder}/*.parquet')").fetchall())


def test_a_truncated_bronze_file_fails_the_run_and_a_rerun_recovers(lake):
    for day, lines in LANDING.items():
        lake.write_bytes(f"landing/sns/dash/dt={day}/export.jsonl", ("\n".join(lines) + "\n").encode())
    pipeline.run_all(D1, "night-1", ["file"], lake.root)
    assert published_posts(lake, D1) == ["dash:a1", "dash:a2"]

    run = "night-2"
    pipeline.ingest("file", D2, run, lake.root)
    pipeline.gate_bronze(D2, run, lake.root)
    pipeline.conform_stats(D2, run, lake.root)
    origin = store.Origin(D2, "dash")
    files = store.bronze_files(lake, origin)
    assert files
    broken = files[0]
    data = lake.read_bytes(broken)
    lake.write_bytes(broken, data[: len(data) // 2])  # a write cut short: the footer is gone

    with pytest.raises(CorruptBronze, match="unreadable bronze Parquet") as failed:
        pipeline.build_silver(D2, run, lake.root)
    assert broken in str(failed.value) and f"dt={D2} source=dash" in str(failed.value)
    entries = read_quarantine(lake, "bronze_files", D2)
    assert [(e["reason"], e["location"], e["source"]) for e in entries] == [("unreadable_parquet", broken, "dash")]
    assert store.load_watermark(lake, origin) == {}
    with pytest.raises(RuntimeError, match="steps not completed: build_silver"):
        pipeline.finish(D2, run, ["file"], lake.root)
    assert published_posts(lake, D2) == []
    assert published_posts(lake, D1) == ["dash:a1", "dash:a2"]

    summary = pipeline.run_all(D2, "night-2-again", ["file"], lake.root)
    assert summary["state"] == "success"
    assert published_posts(lake, D2) == ["dash:b1", "dash:b2", "dash:b3"]
    assert published_posts(lake, D1) == ["dash:a1", "dash:a2"]
    assert read_quarantine(lake, "bronze_files", D2) == []


def test_a_damaged_enriched_store_file_is_rebuilt_from_bronze_in_the_same_run(lake):
    late = line("l1", D1, "青森の温泉", "u9")  # posted on D1, exported with D2's posts
    landing = {D1: LANDING[D1], D2: [LANDING[D2][0], late]}
    for day, lines in landing.items():
        lake.write_bytes(f"landing/sns/dash/dt={day}/export.jsonl", ("\n".join(lines) + "\n").encode())
    pipeline.run_all(D1, "night-1", ["file"], lake.root)
    damaged = published_files(lake, "silver", store.TABLE, D1)[0]
    data = lake.read_bytes(damaged)
    lake.write_bytes(damaged, data[: len(data) // 3])

    summary = pipeline.run_all(D2, "night-2", ["file"], lake.root)  # rebuilds D1 for its late post
    assert summary["state"] == "success"
    assert published_posts(lake, D1) == ["dash:a1", "dash:a2", "dash:l1"]
    assert published_posts(lake, D2) == ["dash:b1"]
    entries = read_quarantine(lake, "posts_enriched_files", D1)
    assert [(e["reason"], e["location"], e["source"]) for e in entries] == [("unreadable_parquet", damaged, "dash")]
    built = lake.read_json(f"_runs/dt={D2}/night-2/steps/build_silver.json")
    assert built["reenriched_damaged"] == [f"{D1}_dash"] and built["rows_in"] == 2  # D2's two lines, once
