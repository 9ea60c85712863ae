"""Without the stack: alert delivery to receivers on 127.0.0.1 (webhook, SMTP) and the run outcome ``finish`` writes.

The connections are given the way an operator gives them, as ``AIRFLOW_CONN_<ID>`` variables.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from miryoku import alerts
from miryoku.lake.runlog import record_step


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.server.got.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: EHLO, MAIL, RCPT, DATA, QUIT; keeps each message's text."""

    def handle(self):
        self.wfile.write(b"220 receiver\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-receiver\r\n250 OK\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(chunk)
                self.server.got.append(b"".join(body).decode())
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.got = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture
def smtp_receiver():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.got = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_webhook_alert_is_posted_as_json(receiver, monkeypatch):
    monkeypatch.setenv("MIRYOKU_ALERT_CONN_ID", "pager")
    monkeypatch.setenv("AIRFLOW_CONN_PAGER", json.dumps(
        {"conn_type": "http", "host": "127.0.0.1", "port": receiver.server_port, "schema": "hooks/miryoku"}))
    assert alerts.send({"kind": "run_failed", "dag_id": "miryoku_nightly", "message": "x" * 5000})
    [(path, body)] = receiver.got
    assert path == "/hooks/miryoku"
    assert body["kind"] == "run_failed" and len(body["message"]) == alerts.MAX_MESSAGE_CHARS


def test_smtp_alert_is_mailed_to_the_connections_recipients(smtp_receiver, monkeypatch):
    monkeypatch.setenv("MIRYOKU_ALERT_CONN_ID", "mail")
    monkeypatch.setenv("AIRFLOW_CONN_MAIL", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": smtp_receiver.server_address[1],
        "extra": {"to": "oncall@example.org", "from_email": "lake@example.org", "disable_ssl": True,
                  "disable_tls": True}}))
    assert alerts.send({"kind": "task_failed", "dag_id": "miryoku_nightly", "logical_date": "2026-01-03",
                        "message": "gate_gold: gold.term_daily_v1 dt=2026-01-03 (sources file)"})
    [raw] = smtp_receiver.got
    mail = email.message_from_string(raw)
    assert mail["To"] == "oncall@example.org"
    assert mail["Subject"] == "[miryoku] task_failed: miryoku_nightly 2026-01-03"
    html = next(p for p in mail.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    assert "gold.term_daily_v1 dt=2026-01-03 (sources file)" in html


def test_no_connection_means_no_alert_and_no_error(monkeypatch):
    monkeypatch.setenv("MIRYOKU_ALERT_CONN_ID", "not_configured_anywhere")
    assert alerts.send({"kind": "run_failed"}) is False


def test_deadline_is_the_configured_jst_time_on_the_day_after(monkeypatch):
    monkeypatch.setenv(alerts.DEADLINE_ENV, "06:30")
    assert alerts.deadline_after_logical_date() == dt.timedelta(days=1, hours=6, minutes=30)
    monkeypatch.setenv(alerts.DEADLINE_ENV, "six")
    with pytest.raises(ValueError, match="HH:MM"):
        alerts.deadline_after_logical_date()


def test_deadline_callback_pages_only_for_the_configured_run_types(receiver, monkeypatch):
    import asyncio

    monkeypatch.setenv("AIRFLOW_CONN_MIRYOKU_ALERTS", json.dumps(
        {"conn_type": "http", "host": "127.0.0.1", "port": receiver.server_port, "schema": "a"}))
    monkeypatch.delenv("MIRYOKU_ALERT_CONN_ID", raising=False)
    monkeypatch.delenv(alerts.DEADLINE_RUN_TYPES_ENV, raising=False)
    context = {"dag_run": {"dag_id": "miryoku_nightly", "dag_run_id": "b1", "run_type": "backfill"},
               "deadline": {"deadline_time": "2026-01-03T21:00:00Z"}}
    asyncio.run(alerts.deadline_missed(context=context))
    assert receiver.got == []
    context["dag_run"].update(run_type="scheduled", dag_run_id="s1", state="running")
    asyncio.run(alerts.deadline_missed(context=context))
    [(_, body)] = receiver.got
    assert (body["kind"], body["run_id"]) == ("deadline_missed", "s1") and "state running" in body["message"]


def _record_nightly(lake, day, run, gold_ok=True, sources=("file",)):
    for source in sources:
        record_step(lake, day, run, f"ingest_{source}", rows_in=1, rows_out=1, rows_quarantined=0)
    record_step(lake, day, run, "gate_bronze", success=True, tables={"sns_posts_v1/file": {"success": True}})
    record_step(lake, day, run, "conform_stats", success=True, tables={})
    record_step(lake, day, run, "build_silver", rows_out=1)
    record_step(lake, day, run, "gate_silver", success=True, tables={})
    record_step(lake, day, run, "build_gold", rows_out=1)
    record_step(lake, day, run, "gate_gold", success=gold_ok, tables={
        f"term_daily_v1/dt={day}": {"success": gold_ok, "rows": 3},
        f"category_daily_v1/dt={day}": {"success": True, "rows": 3}})
    if gold_ok:
        record_step(lake, day, run, "publish", partitions={})


def test_finish_succeeds_when_every_step_did(lake):
    from miryoku.pipeline import finish

    _record_nightly(lake, "2026-01-02", "ok")
    assert finish("2026-01-02", "ok", ["file"], lake.root)["state"] == "success"


def test_finish_writes_the_summary_then_fails_naming_gate_table_partition_and_sources(lake):
    from miryoku.pipeline import finish

    _record_nightly(lake, "2026-01-03", "bad", gold_ok=False, sources=("file",))
    with pytest.raises(RuntimeError) as failed:
        finish("2026-01-03", "bad", ["file", "flaky"], lake.root)
    message = str(failed.value)
    assert "sources failed: flaky" in message
    assert "gate_gold: gold.term_daily_v1 dt=2026-01-03 (sources file)" in message
    assert "category_daily" not in message and "steps not completed: publish" in message
    summary = lake.read_json("_runs/dt=2026-01-03/bad/summary.json")
    assert summary["state"] == "failed" and summary["failed_sources"] == ["flaky"]
    assert summary["steps_not_completed"] == ["publish"]


def test_late_dates_are_the_landing_folders_newer_than_their_last_run(tmp_path):
    import importlib.util
    import os
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "stack_script", Path(__file__).resolve().parents[2] / "infra" / "stack" / "stack.py")
    stack_script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stack_script)
    for day, landed, ran in (("2026-01-01", 100, 200), ("2026-01-02", 300, 200), ("2026-01-03", 100, None)):
        export = tmp_path / f"landing/sns/dash/dt={day}/export.jsonl"
        export.parent.mkdir(parents=True)
        export.write_text("{}\n")
        os.utime(export, (landed, landed))
        if ran:
            done = tmp_path / f"_runs/dt={day}/run1/summary.json"
            done.parent.mkdir(parents=True)
            done.write_text("{}")
            os.utime(done, (ran, ran))
    assert stack_script.late_dates(tmp_path) == ["2026-01-02", "2026-01-03"]
