"""Drills against the real stack: what an on-call engineer must be able to trust at 3 a.m.

Each drill triggers ``miryoku_nightly`` through the REST API (logged in with ``credentials.json``) for
its own JST date, on a lake with a few hand-written posts, and checks the run's state, the lake and the
alerts received on 127.0.0.1. Expected gold counts are written by hand from the posts below.
Drills run in file order, on one lake: the failing-gate drill relies on the backfill drill's gold,
the deadline check on the manual runs of the drills before it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as pads
import pytest
from drill_lake import alerts, gold_rows, gold_terms, write_posts

pytestmark = [pytest.mark.stack]

DAG = "miryoku_nightly"
POSTS = {
    "2026-01-06": ["青森のりんごといちご", "佐賀の城"],
    "2026-01-07": ["北海道の牛乳", "青森のりんご"],
    "2026-01-08": ["佐賀の城といちご"],
    "2026-01-09": ["青森のりんご"],
}
LATE = {"id": "late-1", "created_at": "2026-01-06T23:50:00+09:00", "text": "佐賀のいちご"}  # in 01-07's export
# (pref_code, term) -> distinct posts, counted by hand; "00" is the whole country, a post counts for
# every prefecture it names.
GOLD_0106 = {("00", "りんご"): 1, ("02", "りんご"): 1, ("00", "いちご"): 2, ("02", "いちご"): 1,
             ("41", "いちご"): 1, ("00", "城"): 1, ("41", "城"): 1}
GOLD_0109 = {("00", "りんご"): 1, ("02", "りんご"): 1}


def gold_bytes(lake, day: str) -> dict[str, bytes]:
    folder = lake / "gold" / "term_daily_v1" / f"dt={day}"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.parquet"))}


def summary(lake, day: str, run_id: str) -> dict:
    found = [json.loads(p.read_text()) for p in (lake / "_runs" / f"dt={day}").glob("*/summary.json")]
    mine = [s for s in found if s["run_id"] == run_id]
    assert mine, f"no summary for {run_id} among {[s['run_id'] for s in found]}"
    return mine[0]


def test_the_stack_has_auth_on_and_listens_on_loopback_only(stack, api):
    import httpx

    creds = json.loads(stack.credentials.read_text())
    assert set(creds) == {"api_url", "username", "password"} and len(creds["password"]) >= 16
    assert stack.credentials.stat().st_mode & 0o077 == 0
    assert httpx.get(f"{creds['api_url']}/api/v2/dags").status_code == 401
    assert httpx.post(f"{creds['api_url']}/auth/token", json={"username": "admin", "password": "admin"}).status_code == 401
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A":  # LISTEN
                address, port = local.split(":")
                listening.add((address, int(port, 16)))
    for port in (stack.api_port, stack.pg_port):
        addresses = {a for a, p in listening if p == port}
        assert addresses and all(a in ("0100007F", "0000000000000000FFFF00000100007F") for a in addresses), port


def test_backfill_with_a_scheduler_restart_gives_the_same_gold_as_dates_run_one_by_one(stack, api):
    """Two dates backfilled on the scheduler, one run at a time, the scheduler restarted while a Spark
    task runs: both runs complete and gold equals the same dates run one by one (``miryoku run``)."""
    days = ["2026-01-06", "2026-01-07"]
    backfilled, one_by_one = stack.lake, stack.lake.parent / "one-by-one-lake"
    for lake in (backfilled, one_by_one):
        for day in days:
            write_posts(lake, day, POSTS[day])
        (lake / "landing/sns/late/dt=2026-01-07").mkdir(parents=True)
        (lake / "landing/sns/late/dt=2026-01-07/export.jsonl").write_text(json.dumps(LATE, ensure_ascii=False) + "\n")
    conf = json.dumps({"lake": str(backfilled), "sources": ["file"]})
    created = stack.cli("airflow", "backfill", "create", "--dag-id", DAG, "--from-date", "2026-01-06T00:00:00+09:00",
                        "--to-date", "2026-01-07T00:00:00+09:00", "--max-active-runs", "1", "--dag-run-conf", conf)
    assert created.returncode == 0, created.stderr

    def backfill_runs() -> list[dict]:
        return [r for r in api.get(f"/dags/{DAG}/dagRuns", limit=50)["dag_runs"] if r["run_type"] == "backfill"]

    deadline, restarted = time.time() + 1800, None
    while True:
        runs = backfill_runs()
        if restarted is None and any(api.task_states(DAG, r["dag_run_id"]).get(t) == "running"
                                     for r in runs for t in ("build_silver", "gate_silver", "build_gold")):
            before = stack.cli("status").stdout.split("scheduler")[1].split()[2]
            restarted = stack.cli("restart", "scheduler")
            assert "scheduler restarted" in restarted.stdout
            assert stack.cli("status").stdout.split("scheduler")[1].split()[2] != before
        if len(runs) == 2 and all(r["state"] in ("success", "failed") for r in runs):
            break
        assert time.time() < deadline, runs
        time.sleep(5)
    assert restarted is not None, "the scheduler was never restarted mid-run"
    assert sorted(r["logical_date"][:10] for r in runs) == ["2026-01-05", "2026-01-06"]  # JST midnights in UTC
    assert [r["state"] for r in runs] == ["success", "success"], [api.task_states(DAG, r["dag_run_id"]) for r in runs]
    miryoku = Path(sys.executable).parent / "miryoku"
    for day in days:  # the reference: the same steps, one date after the other
        subprocess.run([str(miryoku), "run", "--date", day, "--lake", str(one_by_one), "--sources", "file"],
                       env=stack.env, check=True, capture_output=True, timeout=900)
    assert gold_rows(backfilled) == gold_rows(one_by_one)
    assert gold_terms(backfilled, "2026-01-06") == GOLD_0106  # with the late post, counted on its own day
    assert not [a for a in stack.receiver.bodies("/alerts")
                if a.get("kind") == "deadline_missed" and a.get("run_id") in {r["dag_run_id"] for r in runs}]


def test_a_failing_gate_fails_the_run_keeps_previous_data_and_alerts(stack, api):
    previous = gold_bytes(stack.lake, "2026-01-07")
    assert previous, "needs the backfill drill's published gold"
    day = "2026-01-08"
    write_posts(stack.lake, day, POSTS[day])
    suite_file = stack.expectations / "gold.term_daily_v1.json"
    original = suite_file.read_text()
    suite = json.loads(original)
    suite["expectations"].append({"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1000000}})
    suite_file.write_text(json.dumps(suite))
    try:
        run_id = api.trigger(DAG, day, {"lake": str(stack.lake), "sources": ["file"]})
        run = api.wait(DAG, run_id, timeout=900)
    finally:
        suite_file.write_text(original)
    states = api.task_states(DAG, run_id)
    assert run["state"] == "failed"
    assert (states["gate_gold"], states["publish"], states["finish"]) == ("failed", "upstream_failed", "failed")
    assert states["gate_silver"] == "success"
    assert gold_bytes(stack.lake, "2026-01-07") == previous  # the previous version is still served
    assert gold_terms(stack.lake, day) == {}
    written = summary(stack.lake, day, run_id)
    assert written["state"] == "failed" and written["steps_not_completed"] == ["publish"]
    assert any("gold.term_daily_v1 dt=2026-01-08 (sources file)" in g for g in written["failed_gates"])

    gate_alerts = [a for a in alerts(stack, "task_failed", run_id) if a["task_id"] == "gate_gold"]
    assert gate_alerts, stack.receiver.bodies("/alerts")
    message = gate_alerts[0]["message"]
    for needle in ("gold.term_daily_v1", "dt=2026-01-08", "sources file", "expect_table_row_count_to_be_between"):
        assert needle in message, message
    assert alerts(stack, "run_failed", run_id)


def test_a_source_beyond_its_retry_budget_fails_alone_and_the_run_names_it(stack, api):
    day = "2026-01-09"
    write_posts(stack.lake, day, POSTS[day])
    calls_before = stack.throttled.calls
    run_id = api.trigger(DAG, day, {"lake": str(stack.lake), "sources": ["file", "flaky"]})
    run = api.wait(DAG, run_id, timeout=900)
    states = api.task_states(DAG, run_id)
    assert run["state"] == "failed"
    assert states["ingest[flaky]"] == "failed" and states["ingest[file]"] == "success"
    assert all(states[t] == "success" for t in ("gate_bronze", "build_silver", "build_gold", "gate_gold", "publish"))
    assert states["finish"] == "failed"
    assert gold_terms(stack.lake, day) == GOLD_0109  # the other source published
    # 3 requests per attempt (retry_attempts), 2 attempts (one Airflow retry)
    assert stack.throttled.calls - calls_before == 6
    assert summary(stack.lake, day, run_id)["failed_sources"] == ["flaky"]
    finish_alert = [a for a in alerts(stack, "task_failed", run_id) if a["task_id"] == "finish"]
    assert finish_alert and "sources failed: flaky" in finish_alert[0]["message"]
    assert [a for a in alerts(stack, "task_failed", run_id) if a["task_id"] == "ingest"]


def test_deadline_alert_for_runs_past_their_jst_deadline_and_lineage_events(stack, api):
    runs = api.get(f"/dags/{DAG}/dagRuns", limit=50)["dag_runs"]
    manual = [r["dag_run_id"] for r in runs if r["run_type"] == "manual"]
    assert manual
    assert alerts(stack, "deadline_missed", manual[0]), stack.receiver.bodies("/alerts")
    events = stack.receiver.bodies("/lineage")
    completed = {e["job"]["name"] for e in events if e.get("eventType") == "COMPLETE"}
    assert f"{DAG}.build_gold" in completed and f"{DAG}.publish" in completed, sorted(completed)[:20]




def spark_submit_of(step: str):
    """The running ``spark-submit`` JVM of a pipeline step, or None."""
    import psutil

    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "org.apache.spark.deploy.SparkSubmit" in cmd and f"miryoku_{step}" in cmd:
            return proc
    return None


def test_a_task_killed_during_its_spark_job_is_retried_and_publishes_once(stack, api):
    """The build_silver task process and its whole Spark job SIGKILLed mid-job (a worker lost): the
    task's retry runs the job again, the run succeeds, and D's posts and gold are the hand count once."""
    import psutil

    day = "2026-01-10"
    write_posts(stack.lake, day, ["青森のりんご", "佐賀のいちご"])
    run_id = api.trigger(DAG, day, {"lake": str(stack.lake), "sources": ["file"]})
    deadline, killed = time.time() + 600, []
    while not killed:
        assert time.time() < deadline, api.task_states(DAG, run_id)
        jvm = spark_submit_of("build_silver")
        if jvm is not None and time.time() - jvm.create_time() > 4:
            task = jvm.parent()  # the task process that ran spark-submit (exec'd into java)
            assert "airflow" in " ".join(task.cmdline()).lower() or "python" in task.name().lower(), task.cmdline()
            group = [*task.children(recursive=True), task]
            for proc in group:
                proc.send_signal(9)
            killed = [p.pid for p in group]
            psutil.wait_procs(group, timeout=30)
        time.sleep(0.5)
    run = api.wait(DAG, run_id, timeout=900)
    tries = {ti["task_id"]: ti["try_number"] for ti in api.tasks(DAG, run_id)}
    assert run["state"] == "success", api.task_states(DAG, run_id)
    assert tries["build_silver"] == 2 and tries["publish"] == 1
    assert gold_terms(stack.lake, day) == {("00", "りんご"): 1, ("02", "りんご"): 1, ("00", "いちご"): 1,
                                           ("41", "いちご"): 1}
    posts = pads.dataset(str(stack.lake / "silver" / "posts_v1" / f"dt={day}"), format="parquet").to_table()
    assert sorted(posts.column("text_norm").to_pylist()) == ["佐賀のいちご", "青森のりんご"]  # once each
    assert not list((stack.lake / "_published" / "_pending").glob("*.json"))
    from miryoku.lake.storage import safe_key

    assert not (stack.lake / "_staging" / safe_key(run_id)).exists()  # both attempts' staging cleaned
