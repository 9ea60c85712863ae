"""``make demo``: the nightly DAG, run by Airflow (``dag.test``) for a range of dates, then the report.

All dates run in one process so the SparkSession and the GX context start once; each date is still
a separate DAG run with its own run id, gates and summary. The terminal gets one line per DAG run (a
progress bar, the run's state and its task outcomes) plus one line per task that did not succeed;
everything Airflow, Spark and GX print goes to a log file whose path is printed first. ``--verbose``
(or ``MIRYOKU_VERBOSE=1``) leaves their output on the terminal instead.

    python -m miryoku.demo [--start 2026-01-01] [--days 14] [--lake DIR] [--top 5] [--verbose]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import time
from collections import Counter
from pathlib import Path

from miryoku.config import checkout_root

BAR_WIDTH = 24


def dag_folder() -> str:
    """The checkout's ``dags/``; installed from a wheel, the folder Airflow is configured with (the
    deployment copies the DAG files there)."""
    root = checkout_root()
    if root is not None:
        return str(root / "dags")
    from airflow.configuration import conf

    return conf.get("core", "dags_folder")


def load_dag(dag_id: str = "miryoku_nightly"):
    """The DAG as ``dag.test`` runs it in this process: without the deadline alert (no triggerer here)."""
    from airflow.dag_processing.dagbag import DagBag

    from miryoku.alerts import DEADLINE_ENV

    saved = os.environ.get(DEADLINE_ENV)
    os.environ[DEADLINE_ENV] = "off"
    try:
        bag = DagBag(dag_folder=dag_folder())
    finally:
        if saved is None:
            os.environ.pop(DEADLINE_ENV)
        else:
            os.environ[DEADLINE_ENV] = saved
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag.dags[dag_id]


@contextlib.contextmanager
def output_to(log_file: Path | None):
    """Send file descriptors 1 and 2 (this process, the JVM and every child) to ``log_file``.

    Yields a writer to the real terminal. With ``None`` nothing is redirected.
    """
    if log_file is None:
        yield sys.stdout
        return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(saved_out), "w", buffering=1, encoding="utf-8")
    python_streams = sys.stdout, sys.stderr
    with open(log_file, "ab") as sink, open(log_file, "a", encoding="utf-8", buffering=1) as text:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        sys.stdout = sys.stderr = text  # Python-level writers that replaced the streams (pytest, IDEs)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stdout, sys.stderr = python_streams
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            terminal.close()


def task_outcomes(run) -> list[tuple[str, str]]:
    """(task label, state) of every task instance of a finished ``dag.test`` run."""
    out = []
    for ti in run.get_task_instances():
        label = ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.rendered_map_index or ti.map_index}]"
        out.append((label, str(getattr(ti.state, "value", ti.state))))
    return sorted(out)


def progress_line(done: int, total: int, label: str, state: str, outcomes: list[tuple[str, str]], seconds: float) -> str:
    filled = round(BAR_WIDTH * done / total)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(Counter(s for _, s in outcomes).items()))
    return (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:>2}/{total} {label:<28} {state:<8} "
            f"{seconds:5.0f}s  tasks: {counts}")


def run_logged(runs: list[tuple[str, object, dict]], terminal, first: int, total: int) -> list[str]:
    """Run each (label, DAG, run kwargs) with ``dag.test``; one progress line per run, one per failed task."""
    states = []
    for i, (label, dag, kwargs) in enumerate(runs, start=first):
        t0 = time.time()
        run = dag.test(**kwargs)
        state = str(getattr(run.state, "value", run.state))
        outcomes = task_outcomes(run)
        print(progress_line(i, total, label, state, outcomes, time.time() - t0), file=terminal, flush=True)
        for task, task_state in outcomes:
            if task_state != "success":
                print(f"      {task}: {task_state}", file=terminal, flush=True)
        states.append(state)
    return states


def nightly_runs(dates: list[str], lake: str | None, sources: list[str] | None = None) -> list[tuple]:
    import pendulum

    dag = load_dag()
    return [(f"miryoku_nightly {day}", dag, {
        "logical_date": pendulum.datetime(*map(int, day.split("-")), tz="Asia/Tokyo"),
        "run_conf": {"lake": lake, "sources": sources}}) for day in dates]


def watch_runs(hours: list[str], lake: str | None) -> list[tuple]:
    import pendulum

    dag = load_dag("miryoku_disaster_watch")
    return [(f"miryoku_disaster_watch {hour}", dag, {
        "logical_date": pendulum.parse(f"{hour}:00:00", tz="Asia/Tokyo"),
        "run_conf": {"lake": lake, "sources": ["sample"]}}) for hour in hours]


def run_dates(dates: list[str], lake: str | None = None, sources: list[str] | None = None) -> list[str]:
    """Run the nightly DAG once per date via ``dag.test``; returns each run's final state."""
    return [str(run.state) for _, dag, kwargs in nightly_runs(dates, lake, sources) for run in [dag.test(**kwargs)]]


def run_disaster_watch(hours: list[str], lake: str | None = None) -> list[str]:
    """Run the hourly disaster watch for JST hours 'YYYY-MM-DDTHH'; returns each run's final state."""
    return [str(run.state) for _, dag, kwargs in watch_runs(hours, lake) for run in [dag.test(**kwargs)]]


def run_demo(start: str, days: int, lake: str | None, top: int, verbose: bool | None = None) -> int:
    from miryoku.lake import Lake
    from miryoku.report import render
    from miryoku.sources.sample import FLOOD_DAYS

    if verbose is None:
        verbose = os.environ.get("MIRYOKU_VERBOSE", "") not in ("", "0", "false", "False")
    lake_obj = Lake.from_settings(lake)
    first = dt.date.fromisoformat(start)
    dates = [(first + dt.timedelta(days=i)).isoformat() for i in range(days)]
    # the sample's rain-and-flood episode (2026-01-09/10, afternoon JST) through the hourly DAG
    watch = [f"{d}T21" for d in FLOOD_DAYS if d in dates]
    airflow_home = Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))
    log_file = None if verbose else airflow_home / "logs" / f"demo-{time.strftime('%Y%m%dT%H%M%S')}.log"
    total = len(dates) + len(watch)
    print(f"Running miryoku_nightly through Airflow for {dates[0]} … {dates[-1]} into {lake_obj.root}", flush=True)
    if log_file:
        print(f"Airflow, Spark and GX output: {log_file}   (--verbose shows it here)", flush=True)
    t0 = time.time()
    with output_to(log_file) as terminal:
        states = run_logged(nightly_runs(dates, lake_obj.root), terminal, 1, total)
        states += run_logged(watch_runs(watch, lake_obj.root), terminal, len(dates) + 1, total)
    labels = dates + watch
    failed = [d for d, s in zip(labels, states, strict=True) if "success" not in s]
    print(f"\n{total} DAG runs in {time.time() - t0:.0f}s; failed: {failed or 'none'}\n")
    print(render(lake_obj, dates[days - 1], top))
    print(f"\nAirflow logs: {log_file or airflow_home / 'logs'}   Quality results: {lake_obj.path('_quality')}   "
          f"Run summaries: {lake_obj.path('_runs')}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m miryoku.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--start", default="2026-01-01")
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--lake", default=None)
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="Airflow, Spark and GX output on the terminal")
    args = parser.parse_args(argv)
    return run_demo(args.start, args.days, args.lake, args.top, verbose=args.verbose or None)


if __name__ == "__main__":
    sys.exit(main())
