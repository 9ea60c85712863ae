"""The lake's disk filling up during a night, on the stack: the build that cannot write fails every
try with a message that says the disk is full, the run fails and alerts, nothing of the date reaches
silver or gold, its posts are not marked enriched and the previous night stays served. Once space is
freed, clearing the run's failed tasks (what an on-call engineer does) resumes it to success with
every post, counted by hand."""

from __future__ import annotations

import time

import pyarrow.dataset as pads
import pytest
from drill_lake import alerts, gold_terms, write_posts
from small_disk import fill, tmpfs

from miryoku.lake import Lake
from miryoku.lake import enriched as store

pytestmark = [pytest.mark.stack]

DAG = "miryoku_nightly"
D1, D2 = "2026-01-13", "2026-01-14"
POSTS = {D1: ["青森のりんご"], D2: ["佐賀のいちご", "北海道の牛乳"]}
GOLD = {D1: {("00", "りんご"): 1, ("02", "りんご"): 1},
        D2: {("00", "いちご"): 1, ("41", "いちご"): 1, ("00", "牛乳"): 1, ("01", "牛乳"): 1}}


def silver_posts(root, day: str) -> list[str]:
    folder = root / "silver" / "posts_v1" / f"dt={day}"
    if not folder.exists() or not list(folder.glob("*.parquet")):
        return []
    return sorted(pads.dataset(str(folder), format="parquet").to_table().column("text_norm").to_pylist())


def gold_files(root, day: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "gold" / "term_daily_v1" / f"dt={day}").glob("*.parquet"))}


def test_a_full_disk_fails_the_build_on_every_try_and_clearing_the_run_recovers(stack, api, tmp_path):
    with tmpfs(tmp_path / "disk", "32m") as disk:
        root = disk / "lake"
        for day, texts in POSTS.items():
            write_posts(root, day, texts)
        conf = {"lake": str(root), "sources": ["file"]}
        first = api.wait(DAG, api.trigger(DAG, D1, conf), timeout=900)
        assert first["state"] == "success"
        served = gold_files(root, D1)
        assert served and gold_terms(root, D1) == GOLD[D1]

        run_id = api.trigger(DAG, D2, conf)
        deadline, filler = time.time() + 600, None
        while filler is None:  # the disk fills once bronze is published, before the build writes
            states = api.task_states(DAG, run_id)
            assert time.time() < deadline and states.get("gate_bronze") not in ("failed", "upstream_failed"), states
            if states.get("gate_bronze") == "success":
                assert states.get("build_silver") in (None, "none", "scheduled", "queued", "running"), states
                filler = fill(disk)
            time.sleep(0.3)
        run = api.wait(DAG, run_id, timeout=900)
        states = api.task_states(DAG, run_id)
        tries = {ti["task_id"]: ti["try_number"] for ti in api.tasks(DAG, run_id)}
        assert run["state"] == "failed" and states["build_silver"] == "failed", states
        assert tries["build_silver"] == 2  # the retry hit the same full disk
        assert states["publish"] == "upstream_failed"
        failed = [a for a in alerts(stack, "task_failed", run_id) if a["task_id"] == "build_silver"]
        assert failed, stack.receiver.bodies("/alerts")
        assert failed[-1]["message"].startswith(
            f"build_silver dt={D2} failed: the lake's file system is full (No space left on device)"), failed[-1]
        assert alerts(stack, "run_failed", run_id)
        lake = Lake.from_settings(str(root))
        assert store.load_watermark(lake, store.Origin(D2, "dash")) == {}  # not marked enriched
        assert silver_posts(root, D2) == [] and gold_terms(root, D2) == {}
        assert gold_files(root, D1) == served and silver_posts(root, D1) == ["青森のりんご"]

        filler.unlink()
        cleared = api.clear_failed(DAG, run_id)
        assert "build_silver" in cleared and "publish" in cleared, cleared
        run = api.wait(DAG, run_id, timeout=900)
        assert run["state"] == "success", api.task_states(DAG, run_id)
        assert silver_posts(root, D2) == sorted(POSTS[D2])
        assert gold_terms(root, D2) == GOLD[D2]
        assert gold_files(root, D1) == served
