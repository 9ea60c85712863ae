"""A night's size is estimated from what the lake holds before the JVM starts; it picks the JIT."""

from __future__ import annotations

import pyarrow as pa

from miryoku.night_size import BYTES_PER_POST, expected_posts, landing_bytes


def _rows(lake, rel: str, n: int) -> None:
    lake.write_parquet(rel, pa.table({"post_id": [str(i) for i in range(n)]}))


def test_the_estimate_is_the_largest_sign_of_the_night(lake):
    day = "2026-02-10"
    assert expected_posts(lake, day) == 0  # a fresh lake
    for name, size in (("a.jsonl", 200 * BYTES_PER_POST), ("b.jsonl", 100 * BYTES_PER_POST)):
        lake.write_bytes(f"landing/sns/dashboard/dt={day}/{name}", b"x" * size)
    lake.write_bytes("landing/sns/dashboard/dt=2026-02-09/old.jsonl", b"x" * 10**6)  # another date
    assert landing_bytes(lake, day) == 300 * BYTES_PER_POST
    assert expected_posts(lake, day) == 300
    for back, n in ((1, 400), (2, 1_000), (3, 500)):  # the previous days' median: 500
        _rows(lake, f"silver/posts_v1/dt=2026-02-0{10 - back}/part-0.parquet", n)
    assert expected_posts(lake, day) == 500
    _rows(lake, f"bronze/sns_posts_v1/dt={day}/dashboard/page-00001.parquet", 700)  # a re-run: bronze is there
    _rows(lake, f"bronze/sns_posts_v1/dt={day}/other/page-00001.parquet", 50)
    assert expected_posts(lake, day) == 750


def test_a_big_night_gets_the_full_jit_and_a_small_one_c1(monkeypatch):
    from miryoku.config import settings
    from miryoku.spark import embedded_conf, local_jvm_options

    monkeypatch.delenv("MIRYOKU_SPARK_CONF", raising=False)
    monkeypatch.delenv("MIRYOKU_BIG_NIGHT_POSTS", raising=False)
    monkeypatch.setenv("MIRYOKU_SPARK_MASTER", "local[2]")
    monkeypatch.setenv("MIRYOKU_SPARK_CLASS_ARCHIVE", "none")
    cfg = settings()
    assert local_jvm_options(cfg, 199_999) == "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC"
    assert local_jvm_options(cfg, 200_000) == "-XX:+UseParallelGC"
    assert embedded_conf(cfg, 1_000_000)["spark.driver.extraJavaOptions"] == "-XX:+UseParallelGC"
    monkeypatch.setenv("MIRYOKU_BIG_NIGHT_POSTS", "1000")
    assert local_jvm_options(settings(), 1_000) == "-XX:+UseParallelGC"


def test_a_submitted_local_step_sizes_its_night_from_its_rendered_arguments(lake, monkeypatch):
    from miryoku import spark_submit

    day = "2026-02-10"
    lake.write_bytes(f"landing/sns/dashboard/dt={day}/a.jsonl", b"x" * (150_000 * BYTES_PER_POST))

    class Task:
        application_args = ["build_silver", "--date", day, "--run-id", "r1", "--lake", lake.path()]

    assert spark_submit._night_posts(Task()) == 150_000
    Task.application_args = ["build_silver", "--run-id", "r1"]
    assert spark_submit._night_posts(Task()) == 0
