"""One real stack for the drills: PostgreSQL + Airflow (api-server, scheduler, dag-processor, triggerer).

Started once per session through ``infra/stack/stack.py up`` — the code ``make stack-up`` runs — on free
loopback ports in ``.stack-test/`` (inside the project: the ``postgres`` account must reach its data
directory), and stopped with ``stack.py down``, which checks that nothing is left listening. Beside it,
on 127.0.0.1: a receiver for alert webhooks and OpenLineage events, and a social API that answers
only 429 and 503 (the source beyond its retry budget). The scheduler's cron schedule is off
(``use_job_schedule``): only the runs a drill triggers or backfills exist. The Spark connection is the
one ``stack.py up`` creates in Postgres (``local[*]``), which the cluster drill points elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

import pytest
from stack_api import Api

ROOT = Path(__file__).resolve().parents[2]
STACK_DIR = ROOT / ".stack-test"
STACK = [sys.executable, str(ROOT / "infra" / "stack" / "stack.py")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver(ThreadingHTTPServer):
    """Collects every POSTed JSON body with its path: alert webhooks and OpenLineage events."""

    def __init__(self):
        self.received: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", free_port()), _Collect)

    def bodies(self, prefix: str) -> list[dict]:
        with self.lock:
            return [body for path, body in self.received if path.startswith(prefix)]


class _Collect(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {"raw": body.decode(errors="replace")}
        with self.server.lock:
            self.server.received.append((self.path, data))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class Throttled(ThreadingHTTPServer):
    """A social API that is always over its rate limit or down: 429 with a zero reset, then 503."""

    def __init__(self):
        self.calls = 0
        super().__init__(("127.0.0.1", free_port()), _Refuse)


class _Refuse(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.server.calls += 1
        self.send_response(429 if self.server.calls % 2 else 503)
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


SOURCES_TOML = """
[sources.file]
kind = "filedrop"
enabled = true

[sources.sample]
kind = "sample"
enabled = false
posts_per_day = 150

[sources.sample_shipments]
kind = "sample_shipments"
enabled = false

[sources.flaky]
kind = "mastodon"
enabled = false
instances = ["http://127.0.0.1:{port}"]
hashtags = ["いちご"]
places = []
words = []
timeout = 5
retry_attempts = 3
retry_base_delay = 0.05
retry_max_delay = 0.1
retry_max_wait_total = 2
"""


class Stack:
    def __init__(self, env: dict, receiver: Receiver, throttled: Throttled):
        self.env, self.receiver, self.throttled = env, receiver, throttled
        self.lake = Path(env["MIRYOKU_LAKE"])
        self.expectations = Path(env["MIRYOKU_EXPECTATIONS_DIR"])
        self.credentials = STACK_DIR / "credentials.json"
        self.api_port, self.pg_port = int(env["MIRYOKU_STACK_API_PORT"]), int(env["MIRYOKU_STACK_PG_PORT"])

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*STACK, *args], env=self.env, check=check, capture_output=True, text=True,
                              timeout=600)


@pytest.fixture(scope="session")
def stack():
    if shutil.which("runuser") is None and os.geteuid() == 0:
        pytest.fail("runuser is needed to run PostgreSQL as its own account")
    receiver, throttled = serve(Receiver()), serve(Throttled())
    shutil.rmtree(STACK_DIR, ignore_errors=True)
    STACK_DIR.mkdir()
    shutil.copytree(str(resources.files("miryoku.expectations")), STACK_DIR / "expectations")
    (STACK_DIR / "sources.toml").write_text(SOURCES_TOML.format(port=throttled.server_port))
    env = {
        **os.environ,
        "MIRYOKU_STACK_DIR": str(STACK_DIR),
        "MIRYOKU_STACK_API_PORT": str(free_port()),
        "MIRYOKU_STACK_PG_PORT": str(free_port()),
        "MIRYOKU_LAKE": str(STACK_DIR / "lake"),
        "MIRYOKU_SOURCES_FILE": str(STACK_DIR / "sources.toml"),
        "MIRYOKU_EXPECTATIONS_DIR": str(STACK_DIR / "expectations"),
        "MIRYOKU_SPARK_MASTER": "local[1]",
        "MIRYOKU_SHUFFLE_PARTITIONS": "2",
        "MIRYOKU_TASK_RETRIES": "1",
        "MIRYOKU_RETRY_DELAY_SECONDS": "2",
        "MIRYOKU_DEADLINE_RUN_TYPES": "manual",  # drills trigger past dates by hand: their deadline has passed
        "AIRFLOW_CONN_MIRYOKU_ALERTS": json.dumps({"conn_type": "http", "host": "127.0.0.1",
                                                   "port": receiver.server_port, "schema": "alerts"}),
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps({"type": "http", "url": f"http://127.0.0.1:{receiver.server_port}",
                                                       "endpoint": "lineage"}),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "miryoku-drills",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__CORE__PARALLELISM": "3",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "60",
    }
    # The stack sets its own home and DAG folder; the Spark connection lives in its metadata database
    # (a drill edits it), and an AIRFLOW_CONN_ variable would win over it.
    for key in ("AIRFLOW_HOME", "AIRFLOW__CORE__DAGS_FOLDER", "AIRFLOW_CONN_SPARK_DEFAULT"):
        env.pop(key, None)
    handle = Stack(env, receiver, throttled)
    up = handle.cli("up", check=False)
    try:
        if up.returncode:
            pytest.fail(f"stack up failed:\n{up.stdout}\n{up.stderr}")
        yield handle
    finally:
        down = handle.cli("down", check=False)
        receiver.shutdown()
        throttled.shutdown()
        assert down.returncode == 0, f"{down.stdout}\n{down.stderr}"


@pytest.fixture(scope="session")
def api(stack):
    client = Api(stack.credentials)
    client.wait_for_dag("miryoku_nightly")
    return client
