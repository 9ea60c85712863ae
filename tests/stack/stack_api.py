"""A small client for the stack's REST API v2: log in with credentials.json, trigger runs, wait for them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

FINISHED = {"success", "failed"}


class Api:
    def __init__(self, credentials: Path):
        creds = json.loads(Path(credentials).read_text())
        self.url = creds["api_url"]
        token = httpx.post(f"{self.url}/auth/token", json={"username": creds["username"],
                                                             "password": creds["password"]}, timeout=30)
        token.raise_for_status()
        self.http = httpx.Client(base_url=f"{self.url}/api/v2", timeout=60,
                                 headers={"Authorization": f"Bearer {token.json()['access_token']}"})

    def get(self, path: str, **params) -> dict:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def connection(self, conn_id: str) -> dict:
        return self.get(f"/connections/{conn_id}")

    def patch_connection(self, conn_id: str, fields: dict) -> None:
        """Replace a connection's fields in the metadata database, as an operator does in the UI."""
        self.http.patch(f"/connections/{conn_id}", json={**fields, "connection_id": conn_id}).raise_for_status()

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        """Until the dag-processor has parsed the DAG; then unpause it."""
        deadline = time.time() + timeout
        while self.http.get(f"/dags/{dag_id}").status_code != 200:
            if time.time() > deadline:
                raise TimeoutError(f"{dag_id} not parsed after {timeout}s")
            time.sleep(2)
        self.http.patch(f"/dags/{dag_id}", json={"is_paused": False}).raise_for_status()

    def trigger(self, dag_id: str, day: str, conf: dict) -> str:
        body = {"logical_date": f"{day}T00:00:00+09:00", "conf": conf, "dag_run_id": f"drill__{day}__{time.time_ns()}"}
        response = self.http.post(f"/dags/{dag_id}/dagRuns", json=body)
        response.raise_for_status()
        return response.json()["dag_run_id"]

    def clear_failed(self, dag_id: str, run_id: str) -> list[str]:
        """Clear the run's failed and upstream-failed tasks, as an operator does to resume it."""
        response = self.http.post(f"/dags/{dag_id}/clearTaskInstances",
                                  json={"dag_run_id": run_id, "only_failed": True, "dry_run": False})
        response.raise_for_status()
        return sorted(ti["task_id"] for ti in response.json()["task_instances"])

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.get(f"/dags/{dag_id}/dagRuns/{run_id}")

    def tasks(self, dag_id: str, run_id: str) -> list[dict]:
        return self.get(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", limit=200)["task_instances"]

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        out = {}
        for ti in self.tasks(dag_id, run_id):
            key = ti["task_id"] if ti.get("map_index", -1) < 0 else f"{ti['task_id']}[{ti.get('rendered_map_index') or ti['map_index']}]"
            out[key] = ti["state"]
        return out

    def wait(self, dag_id: str, run_id: str, timeout: float = 900, until=None) -> dict:
        """Until the run finishes (or ``until(api)`` is true); raises with the task states on time-out."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            run = self.run(dag_id, run_id)
            if run["state"] in FINISHED or (until and until(self)):
                return run
            time.sleep(3)
        raise TimeoutError(f"{run_id} not finished after {timeout}s: {self.task_states(dag_id, run_id)}")
