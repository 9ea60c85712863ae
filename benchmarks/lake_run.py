"""The lake end to end: ``miryoku run --date D --sources file`` on a lake folder, as an operator runs it.

The command runs as a subprocess (its own driver, JVM and Python workers, every fixed cost
included) with ``MIRYOKU_LAKE`` and ``--lake`` pointing at the benchmark's lake. Afterwards the
run summary under ``_runs/dt=D/<run>/summary.json`` gives the per-step figures the pipeline
records (a step's ``seconds`` when it reports one; otherwise the gap between consecutive steps'
``finished_at`` — for the first step, the time since the command started, imports included —
labelled as such), and the published partitions are listed with their files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.corpus import LANDING_SOURCE
from benchmarks.proctree import TreeStats, run_sampled

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("bronze", "silver", "gold")


@dataclass
class LakeRun:
    day: str
    tree: TreeStats
    summary: dict = field(default_factory=dict)
    steps: list[dict] = field(default_factory=list)     # step, seconds, how ("reported" / "finished_at gap"), extra
    partitions: list[dict] = field(default_factory=list)
    log: str = ""


def miryoku_command(day: str, lake: Path) -> list[str]:
    exe = Path(sys.executable).with_name("miryoku")
    return [str(exe), "run", "--date", day, "--sources", "file", "--lake", str(lake)]


def run_env(lake: Path) -> dict:
    env = dict(os.environ)
    env.update(MIRYOKU_LAKE=str(lake), SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable,
               GX_ANALYTICS_ENABLED="False")
    return env


def latest_summary(lake: Path, day: str) -> dict:
    found = sorted((lake / "_runs" / f"dt={day}").glob("*/summary.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(found[-1].read_text("utf-8")) if found else {}


def step_times(summary: dict, started_at: dt.datetime) -> list[dict]:
    """One row per step in the order they finished: reported ``seconds`` if present, else the gap."""
    steps = sorted(summary.get("steps", {}).items(), key=lambda kv: kv[1].get("finished_at", ""))
    rows, previous = [], started_at
    for name, record in steps:
        finished = dt.datetime.fromisoformat(record["finished_at"]) if "finished_at" in record else None
        if isinstance(record.get("seconds"), int | float):
            seconds, how = float(record["seconds"]), "reported"
        elif finished is not None:
            seconds = (finished - previous).total_seconds()
            how = "finished_at gap" if rows else "since the command started"
        else:
            seconds, how = None, "not recorded"
        extra = {k: v for k, v in record.items() if k.endswith("_seconds") and isinstance(v, int | float)}
        rows.append({"step": name, "seconds": seconds, "how": how, "extra": extra})
        previous = finished or previous
    return rows


def partition_files(lake: Path) -> list[dict]:
    """Published partitions (``<layer>/<table>/<key>=<value>``): number of Parquet files and their sizes."""
    rows = []
    for layer in LAYERS:
        for table in sorted(p for p in (lake / layer).glob("*") if p.is_dir()):
            for part in sorted(p for p in table.iterdir() if p.is_dir() and "=" in p.name):
                sizes = sorted(f.stat().st_size for f in part.rglob("*.parquet"))
                if sizes:
                    rows.append({"table": f"{layer}.{table.name}", "partition": part.name, "files": len(sizes),
                                 "bytes": sum(sizes), "min": sizes[0], "median": int(statistics.median(sizes)),
                                 "max": sizes[-1]})
    return rows


def run_lake(day: str, lake: Path, log_dir: Path) -> LakeRun:
    """Run the nightly steps for ``day`` on ``lake`` (its landing folder already filled)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"miryoku-run-{day}.log"
    started = dt.datetime.now(dt.UTC)
    tree = run_sampled(miryoku_command(day, lake), env=run_env(lake), cwd=ROOT, log_path=log_path)
    summary = latest_summary(lake, day)
    result = LakeRun(day, tree, summary, step_times(summary, started), partition_files(lake), str(log_path))
    if tree.returncode != 0:
        tail = log_path.read_text("utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"miryoku run --date {day} failed (exit {tree.returncode}); log {log_path}:\n{tail}")
    return result


def link_landing(corpus_lake: Path, lake: Path, day: str) -> None:
    """Put a generated day's JSONL files into ``lake``'s landing folder (hard links: no copy, same bytes)."""
    src = corpus_lake / "landing" / "sns" / LANDING_SOURCE / f"dt={day}"
    dst = lake / "landing" / "sns" / LANDING_SOURCE / f"dt={day}"
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.jsonl")):
        target = dst / path.name
        if not target.exists():
            try:
                os.link(path, target)
            except OSError:
                target.write_bytes(path.read_bytes())
