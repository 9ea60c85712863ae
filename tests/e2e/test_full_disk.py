"""The lake on a full disk (a tmpfs of a few megabytes): the step that cannot write fails with an
error that says so, nothing of the date reaches silver or gold, the enriched store's watermark does
not move and the previous night stays served; with space again, re-running the date with the same
run id recovers every post. Counts are worked out by hand from the landing lines."""

from __future__ import annotations

import os

import pytest
from landing_lines import line
from small_disk import fill, tmpfs

from miryoku import pipeline
from miryoku.cli import _one_line
from miryoku.lake import Lake
from miryoku.lake import enriched as store

pytestmark = [pytest.mark.e2e, pytest.mark.spark]

D1, D2 = "2026-05-01", "2026-05-02"


LANDING = {D1: [line("a1", D1, "青森のりんご", "u1"), line("a2", D1, "温泉最高", "u2")],
           D2: [line("b1", D2, "佐賀のいちご", "u3"), line("b2", D2, "城が素敵", "u4"), line("b3", D2, "温泉", "u5")]}


@pytest.fixture
def small_disk(tmp_path):
    with tmpfs(tmp_path / "disk") as mount:
        yield mount


def published(lake, table, day):
    import duckdb

    if not lake.files(f"{table}/dt={day}", ".parquet"):
        return []
    column = "post_id" if table == "silver/posts_v1" else "term"
    folder = lake.path(f"{table}/dt={day}")
    return sorted(r[0] for r in duckdb.sql(f"select {column} from read_parquet('{folder}/*.parquet')").fetchall())


def test_a_full_disk_fails_the_step_publishes_nothing_and_a_rerun_recovers(small_disk):
    lake = Lake.from_settings(str(small_disk / "lake"))
    for day, lines in LANDING.items():
        lake.write_bytes(f"landing/sns/dash/dt={day}/export.jsonl", ("\n".join(lines) + "\n").encode())
    assert pipeline.run_all(D1, "night-1", ["file"], lake.root)["state"] == "success"
    gold_d1 = {f: lake.read_bytes(f) for f in lake.files(f"gold/term_daily_v1/dt={D1}", ".parquet")}
    assert published(lake, "silver/posts_v1", D1) == ["dash:a1", "dash:a2"] and gold_d1

    run = "night-2"
    pipeline.ingest("file", D2, run, lake.root)
    pipeline.gate_bronze(D2, run, lake.root)
    pipeline.conform_stats(D2, run, lake.root)
    filler = fill(small_disk)
    with pytest.raises(Exception) as failed:  # noqa: PT011 - a Spark job's error or an OSError, both say ENOSPC
        pipeline.build_silver(D2, run, lake.root)
    message = _one_line(failed.value)
    assert message.startswith("the lake's file system is full (No space left on device)"), message
    assert "--run-id" in message
    assert store.load_watermark(lake, store.Origin(D2, "dash")) == {}  # not marked enriched
    assert published(lake, "silver/posts_v1", D2) == [] and published(lake, "gold/term_daily_v1", D2) == []
    assert published(lake, "silver/posts_v1", D1) == ["dash:a1", "dash:a2"]
    assert {f: lake.read_bytes(f) for f in lake.files(f"gold/term_daily_v1/dt={D1}", ".parquet")} == gold_d1

    os.unlink(filler)
    with pytest.raises(RuntimeError, match="steps not completed: build_silver"):
        pipeline.finish(D2, run, ["file"], lake.root)
    summary = pipeline.run_all(D2, run, ["file"], lake.root)  # the same run id: resumed
    assert summary["state"] == "success"
    assert published(lake, "silver/posts_v1", D2) == ["dash:b1", "dash:b2", "dash:b3"]
    assert {"いちご", "城", "素敵", "温泉", "佐賀"} <= set(published(lake, "gold/term_daily_v1", D2))
    assert published(lake, "silver/posts_v1", D1) == ["dash:a1", "dash:a2"]
