"""Machine-readable run summaries under ``_runs/dt=<D>/<run>/``: rows in, out and quarantined per step.

Each step writes its own record (steps may run in different processes or machines under Airflow);
``summarize`` merges them into ``summary.json`` for the on-call engineer and for the demo's report.
"""

from __future__ import annotations

import datetime as dt

from miryoku.lake.storage import Lake, safe_key


def run_dir(dt_value: str, run_key: str) -> str:
    return f"_runs/dt={dt_value}/{safe_key(run_key)}"


def record_step(lake: Lake, dt_value: str, run_key: str, step: str, **stats) -> dict:
    record = {
        "step": step,
        "dt": dt_value,
        "run_id": run_key,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        **stats,
    }
    lake.write_json(f"{run_dir(dt_value, run_key)}/steps/{safe_key(step)}.json", record)
    return record


def summarize(lake: Lake, dt_value: str, run_key: str) -> dict:
    folder = f"{run_dir(dt_value, run_key)}/steps"
    steps = [lake.read_json(p) for p in lake.files(folder, ".json")]
    steps.sort(key=lambda s: s["finished_at"])
    summary = {
        "dt": dt_value,
        "run_id": run_key,
        "steps": {s["step"]: {k: v for k, v in s.items() if k not in ("dt", "run_id")} for s in steps},
        "rows_quarantined": sum(s.get("rows_quarantined", 0) for s in steps),
        "gates": {s["step"]: s.get("success") for s in steps if s["step"].startswith("gate")},
    }
    lake.write_json(f"{run_dir(dt_value, run_key)}/summary.json", summary)
    return summary
