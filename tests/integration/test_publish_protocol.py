"""The publish protocol under failure: readers see the old complete version or the new complete one.

- a Spark job SIGKILLed mid-run (S3 lake): the published silver and gold stay the previous run's;
  the resumed run publishes the new data once;
- the S3 server stopped mid-publish (after the first copy, or after the switch): readers keep a
  complete version and a retried publish converges, old files gone;
- a local swap interrupted between its renames, or before its manifest, and publish retried after
  staging was cleaned: the partition ends complete, never emptied.
"""

from __future__ import annotations

import json
import threading
import time

import pyarrow as pa
import pytest
from lake_cli import kill_group, miryoku, s3_env, set_s3_env, start_miryoku
from s3_server import S3Server, spark_jars

from miryoku.lake import Lake
from miryoku.lake.publish import (
    clean_staging,
    manifest_path,
    publish_partitions,
    published_files,
    staging_table,
)

pytestmark = pytest.mark.integration

D = "2026-02-01"
WINDOW = [D]  # the posts are all dated D, so the run for D rebuilds D alone
CURATED = [("silver", "posts", "dt"), ("silver", "post_terms", "dt"), ("gold", "term_daily", "dt"),
           ("gold", "category_daily", "dt"), ("gold", "product_volume_daily", "dt"),
           ("gold", "cooccurrence_monthly", "month")]
PLACES = ["青森", "佐賀", "福岡", "札幌", "京都"]
WORDS = ["りんご最高", "いちごが甘い", "観光が楽しい", "ラーメン美味しい", "温泉でゆっくり"]


@pytest.fixture(scope="module")
def s3():
    with S3Server() as server:
        yield server


def posts_jsonl(prefix: str, n: int) -> bytes:
    lines = [{"id": f"{prefix}{i}", "created_at": f"{D}T{9 + i % 12:02d}:{i % 60:02d}:00+09:00",
              "text": f"{PLACES[i % 5]}の{WORDS[(i // 5) % 5]} #{PLACES[i % 5]}", "author": f"user{i % 7}",
              "lang": "ja"} for i in range(n)]
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()


def snapshot(lake: Lake) -> dict:
    """What readers are served: files and the publishing run of every curated partition."""
    out = {}
    for layer, table, key in CURATED:
        for value in (WINDOW if key == "dt" else [D[:7]]):
            manifest = lake.read_json(manifest_path(layer, table, value, key))
            out[(layer, table, value)] = (manifest["run_id"], published_files(lake, layer, table, value, key))
    return out


def read_rows(lake: Lake, files: list[str]) -> list[tuple]:
    rows = [tuple(r.values()) for f in files for r in lake.read_parquet(f).to_pylist()]
    return sorted(rows, key=repr)


@pytest.mark.spark
def test_a_killed_spark_job_leaves_the_last_published_version_served(s3, tmp_path, monkeypatch):
    spark_jars()
    s3.create_bucket("killed")
    set_s3_env(monkeypatch, s3)
    root, env, log = "s3://killed/lake", s3_env(s3), tmp_path / "runs.log"
    lake = Lake.from_settings(root)
    lake.write_bytes(f"landing/sns/export/dt={D}/a.jsonl", posts_jsonl("a", 30))
    t0 = time.perf_counter()
    miryoku(["run", "--date", D, "--lake", root, "--sources", "file", "--run-id", "first"], env, log)
    timings = {"first run": time.perf_counter() - t0}
    before = snapshot(lake)
    posts_before = read_rows(lake, before[("silver", "posts", D)][1])
    assert len(posts_before) == 30

    lake.write_bytes(f"landing/sns/export/dt={D}/b.jsonl", posts_jsonl("b", 20))
    t0 = time.perf_counter()
    proc = start_miryoku(["run", "--date", D, "--lake", root, "--sources", "file", "--run-id", "second"], env, log)
    staged = staging_table("second", "silver", "posts")
    deadline = time.monotonic() + 600
    while not lake.files(staged, ".parquet"):
        assert proc.poll() is None, f"the run ended before it was killed:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, "no staged silver after 10 minutes"
        time.sleep(0.2)
    kill_group(proc)
    timings["killed after"] = time.perf_counter() - t0

    assert snapshot(lake) == before  # same manifests, same files: the killed run published nothing curated
    assert read_rows(lake, published_files(lake, "silver", "posts", D)) == posts_before
    for run_id, files in before.values():
        assert run_id == "first" and all(lake.read_parquet(f) is not None for f in files)

    t0 = time.perf_counter()
    miryoku(["run", "--date", D, "--lake", root, "--sources", "file", "--run-id", "second"], env, log)
    timings["resumed run"] = time.perf_counter() - t0
    print("timings (s):", {k: round(v, 1) for k, v in timings.items()})
    after = snapshot(lake)
    assert {run_id for run_id, _ in after.values()} == {"second"}
    posts = pa.concat_tables(lake.read_parquet(f) for f in published_files(lake, "silver", "posts", D))
    ids = posts.column("post_id").to_pylist()
    assert len(ids) == len(set(ids)) == 50
    terms = pa.concat_tables(lake.read_parquet(f) for f in published_files(lake, "gold", "term_daily", D))
    keys = list(zip(*(terms.column(c).to_pylist() for c in ("pref_code", "term", "lemma", "pos")), strict=True))
    assert len(keys) == len(set(keys)) and max(terms.column("posts").to_pylist()) > 1
    for (layer, table, value), (_, files) in after.items():
        key = "month" if table.endswith("monthly") else "dt"
        assert len(files) <= 4  # a handful of files per partition, never one per Spark task
        assert lake.files(f"{lake.table_dir(layer, table)}/{key}={value}") == files
    assert lake.files("_staging") == []


# --- S3 server stopped mid-publish ------------------------------------------------------------------
def gold_table(posts: list[int]) -> pa.Table:
    n = len(posts)
    return pa.table({"pref_code": [f"{i % 47 + 1:02d}" for i in range(n)], "term": [f"t{i}" for i in range(n)],
                     "lemma": [f"t{i}" for i in range(n)], "pos": ["名詞"] * n, "posts": posts,
                     "occurrences": posts})


def stage(lake: Lake, run: str, parts: list[list[int]]) -> list[tuple]:
    for i, posts in enumerate(parts):
        # unique names per version, as Spark writes them (part-NNNNN-<uuid>)
        lake.write_parquet(f"{staging_table(run, 'gold', 'term_daily')}/dt={D}/part-{i}-{run}.parquet", gold_table(posts))
    return sorted((tuple(r.values()) for p in parts for r in gold_table(p).to_pylist()), key=repr)


def publish(lake: Lake, run: str) -> dict:
    return publish_partitions(lake, run, run, "gold", "term_daily", [D])


def served(lake: Lake) -> tuple[list[str], list[tuple]]:
    files = published_files(lake, "gold", "term_daily", D)
    return files, read_rows(lake, files)


@pytest.mark.parametrize("stop_at", ["first copy", "first delete of the old version"])
def test_s3_server_stopped_mid_publish_then_publish_retried(stop_at, monkeypatch):
    with S3Server() as server:
        server.create_bucket("midway")
        set_s3_env(monkeypatch, server)
        lake = Lake.from_settings("s3://midway/lake")
        old_rows = stage(lake, "r1", [[1, 2], [3]])
        publish(lake, "r1")
        old_files, _ = served(lake)
        new_rows = stage(lake, "r2", [[5], [6, 7], [8]])

        method = "copy_file" if stop_at == "first copy" else "delete"
        original = getattr(Lake, method)
        stopped = []

        def stop_server(self, *args):
            if method == "copy_file":
                original(self, *args)
            if not stopped and (method == "copy_file" or args[0] in old_files):
                stopped.append(args)
                server.stop()  # the real server goes away: the next S3 call fails to connect
            if method == "delete":
                original(self, *args)

        monkeypatch.setattr(Lake, method, stop_server)
        with pytest.raises(OSError):
            publish(lake, "r2")
        monkeypatch.setattr(Lake, method, original)
        server.start()

        files, rows = served(lake)
        assert stopped
        if stop_at == "first copy":
            assert (files, rows) == (old_files, old_rows)  # the manifest still names the old version
        else:
            assert rows == new_rows and len(files) == 3  # switched; old files not yet all deleted
        assert publish(lake, "r2") == {D: 3}
        files, rows = served(lake)
        assert rows == new_rows and lake.files(f"gold/term_daily_v1/dt={D}") == files
        assert lake.read_json(manifest_path("gold", "term_daily", D))["run_id"] == "r2"


VERSIONS = [[[1, 2], [3]], [[4], [5, 6], [7, 8, 9]]]


def poll_readers_while_publishing(lake: Lake, publishes: int) -> tuple[int, list[tuple], list[list[tuple]]]:
    """Publish the two VERSIONS alternately in a thread while this thread reads the partition;
    every read must be one complete version. Returns (complete reads, rows served at the end, versions)."""
    complete = [sorted((tuple(r.values()) for p in v for r in gold_table(p).to_pylist()), key=repr)
                for v in VERSIONS]
    stage(lake, "v0", VERSIONS[0])
    publish(lake, "v0")
    done = threading.Event()

    def publisher():
        for i in range(1, publishes + 1):
            stage(lake, f"v{i}", VERSIONS[i % 2])
            publish(lake, f"v{i}")
            clean_staging(lake, f"v{i}")
        done.set()

    thread = threading.Thread(target=publisher)
    thread.start()
    reads = vanished = 0
    while not done.is_set():
        try:
            rows = served(lake)[1]
        except OSError:  # a file of the version just replaced was deleted while being read: read again
            vanished += 1
            continue
        assert rows in complete
        reads += 1
    thread.join()
    print(f"{reads} complete reads, {vanished} retried because a replaced file was deleted mid-read")
    return reads, served(lake)[1], complete


def test_readers_on_s3_see_one_complete_version_while_publishes_run(s3, monkeypatch):
    s3.create_bucket("readers")
    set_s3_env(monkeypatch, s3)
    reads, final, complete = poll_readers_while_publishing(Lake.from_settings("s3://readers/lake"), 8)
    assert reads > 0 and final == complete[0]


# --- local folder: the directory swap -------------------------------------------------------------------
def test_local_swap_crashed_after_moving_the_old_version_aside_is_completed_by_a_retry(lake, monkeypatch):
    monkeypatch.setattr(Lake, "exchange", lambda self, a, b: False)  # the two-rename fallback
    stage(lake, "r1", [[1]])
    publish(lake, "r1")
    new_rows = stage(lake, "r2", [[2], [3, 4]])
    original = Lake.move
    staged = f"{staging_table('r2', 'gold', 'term_daily')}/dt={D}"

    def crash_before_moving_in(self, src, dst):
        if src == staged:
            raise RuntimeError("worker died")
        original(self, src, dst)

    monkeypatch.setattr(Lake, "move", crash_before_moving_in)
    with pytest.raises(RuntimeError):
        publish(lake, "r2")
    monkeypatch.setattr(Lake, "move", original)
    assert publish(lake, "r2") == {D: 2}
    assert served(lake)[1] == new_rows and lake.files("_trash") == []


def test_local_exchange_crashed_before_removing_the_old_version_is_completed_by_a_retry(lake, monkeypatch):
    stage(lake, "r1", [[1]])
    publish(lake, "r1")
    new_rows = stage(lake, "r2", [[2], [3, 4]])
    staged = f"{staging_table('r2', 'gold', 'term_daily')}/dt={D}"
    original = Lake.delete

    def crash_at_cleanup(self, rel):
        if rel == staged:
            raise RuntimeError("worker died")
        original(self, rel)

    monkeypatch.setattr(Lake, "delete", crash_at_cleanup)
    with pytest.raises(RuntimeError):
        publish(lake, "r2")
    assert served(lake)[1] == new_rows  # exchanged in already; the old version sits at the staged path
    monkeypatch.setattr(Lake, "delete", original)
    assert publish(lake, "r2") == {D: 2}  # the retry recognises the old version and only removes it
    assert served(lake)[1] == new_rows and not lake.exists(staged)


def test_local_readers_never_find_the_partition_missing_while_publishes_run(lake):
    reads, final, complete = poll_readers_while_publishing(lake, 40)
    assert reads > 0 and final == complete[0]


def test_local_swap_crashed_before_its_manifest_keeps_the_new_version_on_retry(lake, monkeypatch):
    stage(lake, "r1", [[1]])
    publish(lake, "r1")
    new_rows = stage(lake, "r2", [[2, 3]])
    original = Lake.write_json

    def crash_at_manifest(self, rel, obj):
        if rel == manifest_path("gold", "term_daily", D):
            raise RuntimeError("worker died")
        original(self, rel, obj)

    monkeypatch.setattr(Lake, "write_json", crash_at_manifest)
    with pytest.raises(RuntimeError):
        publish(lake, "r2")
    monkeypatch.setattr(Lake, "write_json", original)
    assert publish(lake, "r2") == {D: 1}  # the staged folder is gone, but it was moved in, not empty
    assert served(lake)[1] == new_rows


@pytest.mark.parametrize("where", ["local", "s3"])
def test_publish_retried_after_staging_was_cleaned_keeps_the_partition(where, lake, s3, monkeypatch):
    if where == "s3":
        s3.create_bucket("cleaned")
        set_s3_env(monkeypatch, s3)
        lake = Lake.from_settings("s3://cleaned/lake")
    rows = stage(lake, "r1", [[1], [2]])
    publish(lake, "r1")
    clean_staging(lake, "r1")
    assert publish(lake, "r1") == {D: 2}  # a retried task: nothing staged any more, nothing lost
    assert served(lake)[1] == rows
    assert publish(lake, "r9") == {D: 0}  # another run that computed the partition empty does empty it
    assert served(lake) == ([], [])
