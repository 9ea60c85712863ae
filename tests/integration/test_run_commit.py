"""One switch per run: a run killed while publishing is served all old; its retry switches it all new.

The kill is a real SIGKILL of a child process between two tables of one commit, on a local folder
and on the S3 server. Readers are the lake's own (``published_files``, the report's DuckDB) and the
expected rows are the literals staged by each run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pyarrow as pa
import pytest
from lake_cli import set_s3_env
from s3_server import S3Server

from miryoku.lake import Lake
from miryoku.lake.commit import COMMITS, PENDING, consistently, expire_retained, publish_run
from miryoku.lake.publish import published_files, published_partitions, staging_table

pytestmark = pytest.mark.integration

D1, D2 = "2026-01-01", "2026-01-02"
PARTS = [("gold", "term_daily", "dt", [D1, D2]), ("gold", "category_daily", "dt", [D2])]
KILL_BEFORE = "category_daily"
KILLED_PUBLISH = """
import json, os, signal, sys
from miryoku.lake import Lake, commit, publish
real = publish.publish_partitions
def killed_before(lake, run_key, run_id, layer, table, values, key="dt"):
    if table == sys.argv[3]:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(lake, run_key, run_id, layer, table, values, key)
publish.publish_partitions = killed_before
commit.publish_run(Lake.from_settings(sys.argv[1]), sys.argv[2], sys.argv[2], json.loads(sys.argv[4]))
"""


@pytest.fixture(scope="module")
def s3():
    with S3Server() as server:
        yield server


@pytest.fixture(params=["local", "s3"])
def any_lake(request, lake, monkeypatch):
    if request.param == "local":
        return lake
    server = request.getfixturevalue("s3")
    bucket = f"commit-{request.node.name.split('[')[0][-20:].replace('_', '-')}"
    server.create_bucket(bucket)
    set_s3_env(monkeypatch, server)
    return Lake.from_settings(f"s3://{bucket}/lake")


def rows(terms: list[str]) -> pa.Table:
    n = len(terms)
    return pa.table({"pref_code": ["00"] * n, "term": terms, "lemma": terms, "pos": ["名詞"] * n,
                     "posts": [1] * n, "occurrences": [1] * n, "is_place_name": [False] * n})


def stage(lake: Lake, run: str, table: str, day: str, terms: list[str]) -> None:
    lake.write_parquet(f"{staging_table(run, 'gold', table)}/dt={day}/part-0.parquet", rows(terms))


def served(lake: Lake) -> dict[str, list[str]]:
    """Terms readers get for each partition of the two tables, resolved on one side of any switch."""
    def resolve():
        return {f"{table}/{day}": published_files(lake, "gold", table, day)
                for table, day in [("term_daily", D1), ("term_daily", D2), ("category_daily", D2)]}
    files = consistently(lake, resolve)
    return {part: sorted(t for f in fs for t in lake.read_parquet(f).column("term").to_pylist())
            for part, fs in files.items()}


OLD = {"term_daily/2026-01-01": ["りんご"], "term_daily/2026-01-02": ["いちご"], "category_daily/2026-01-02": ["温泉"]}
NEW = {"term_daily/2026-01-01": [], "term_daily/2026-01-02": ["ラーメン", "和牛"], "category_daily/2026-01-02": ["紅葉"]}


def publish_r1_then_kill_r2(lake: Lake) -> subprocess.CompletedProcess:
    stage(lake, "r1", "term_daily", D1, ["りんご"])
    stage(lake, "r1", "term_daily", D2, ["いちご"])
    stage(lake, "r1", "category_daily", D2, ["温泉"])
    publish_run(lake, "r1", "r1", PARTS)
    assert served(lake) == OLD
    # r2 computes D1 empty (a date whose posts all moved), replaces D2 of both tables
    stage(lake, "r2", "term_daily", D2, ["ラーメン", "和牛"])
    stage(lake, "r2", "category_daily", D2, ["紅葉"])
    return subprocess.run([sys.executable, "-c", KILLED_PUBLISH, lake.root, "r2", KILL_BEFORE, json.dumps(PARTS)],
                          env=os.environ.copy(), capture_output=True, text=True, timeout=120)


def test_a_run_killed_between_its_tables_is_served_all_old_until_its_retry_switches_all_new(any_lake):
    lake = any_lake
    killed = publish_r1_then_kill_r2(lake)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # the kill came after term_daily was swapped: its folder / manifest already hold r2's version …
    assert lake.read_json("_published/gold/term_daily_v1/dt=2026-01-02.json")["run_id"] == "r2"
    assert lake.exists(f"{PENDING}/r2.json")
    # … yet every reader is served r1's rows for all three partitions, the emptied D1 included
    assert served(lake) == OLD
    assert ("dt", D1) in published_partitions(lake, "gold", "term_daily")
    if lake.is_local:
        from miryoku.report.text import connect

        con = connect(lake)
        assert con.execute("select string_agg(term, ',' order by term) from term_daily_v1").fetchone()[0] == "いちご,りんご"
        assert con.execute("select count(*) from category_daily_v1 where term = '温泉'").fetchone()[0] == 1

    published = publish_run(lake, "r2", "r2", PARTS)  # the retried task
    assert published == {"gold.term_daily_v1": {D1: 0, D2: 1}, "gold.category_daily_v1": {D2: 1}}
    assert served(lake) == NEW
    assert not lake.exists(f"{PENDING}/r2.json") and lake.exists(f"{COMMITS}/r2.json")
    # the replaced version stays readable for jobs that resolved it during the commit, then expires
    kept = lake.files("_retired/r2/gold/term_daily_v1/dt=2026-01-02", ".parquet")
    assert [t for f in kept for t in lake.read_parquet(f).column("term").to_pylist()] == ["いちご"]
    assert expire_retained(lake, retain_seconds=3600) == []
    assert sorted(expire_retained(lake, retain_seconds=0)) == ["r1", "r2"]
    assert lake.files("_retired") == [] and served(lake) == NEW


def test_a_later_run_switches_in_the_partitions_an_unfinished_commit_held_back(lake):
    assert publish_r1_then_kill_r2(lake).returncode == -signal.SIGKILL
    stage(lake, "r3", "term_daily", D2, ["牡蠣"])
    publish_run(lake, "r3", "r3", [("gold", "term_daily", "dt", [D2])])
    # r3's partition is served new; r2, never retried, still holds back the others (r1's rows)
    assert served(lake) == {**OLD, "term_daily/2026-01-02": ["牡蠣"]}
    assert lake.read_json(f"{PENDING}/r2.json")["superseded"] == [
        {"layer": "gold", "table": "term_daily_v1", "key": "dt", "value": D2}]


def test_a_reader_spanning_a_switch_resolves_again(lake):
    stage(lake, "r1", "term_daily", D2, ["いちご"])
    publish_run(lake, "r1", "r1", [("gold", "term_daily", "dt", [D2])])
    stage(lake, "r2", "term_daily", D2, ["和牛"])
    calls = []

    def resolve():
        calls.append(published_files(lake, "gold", "term_daily", D2))
        if len(calls) == 1:  # a commit switches while the reader is resolving
            publish_run(lake, "r2", "r2", [("gold", "term_daily", "dt", [D2])])
        return calls[-1]

    files = consistently(lake, resolve)
    assert len(calls) == 2 and [t for f in files for t in lake.read_parquet(f).column("term").to_pylist()] == ["和牛"]
