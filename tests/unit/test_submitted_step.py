"""Steps run by ``spark-submit``: the application exits 3 on a failed gate, and the submitting task
fails with the gate's own report (table, partition, sources, failing expectations) read back from the
step record; any other failed step fails its task with the reason its application wrote — never with
only spark-submit's exit status."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from airflow.exceptions import AirflowException
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from miryoku import pipeline, spark_submit
from miryoku.failure import REASON_FILE_ENV
from miryoku.lake import Lake
from miryoku.lake.runlog import record_step
from miryoku.quality.gate import GateFailed
from miryoku.spark_submit import submit_kwargs
from miryoku.submitted_step import GateSubmitOperator, StepFailed, StepSubmitOperator

DAY, RUN = "2026-01-03", "manual__2026-01-03"
EXPECTATION = "expect_table_row_count_to_be_between: 3 rows, wanted at least 1000000"


def _record_failed_gate(lake: Lake) -> None:
    record_step(lake, DAY, RUN, "ingest_file", rows_out=3)
    record_step(lake, DAY, RUN, "gate_gold", success=False, failures=[f"gate gold.term_daily_v1 dt={DAY}: FAILED\n  {EXPECTATION}"],
                tables={f"term_daily_v1/dt={DAY}": {"success": False, "rows": 3},
                        f"category_daily_v1/dt={DAY}": {"success": True, "rows": 2}})


def _operator(lake: Lake) -> GateSubmitOperator:
    return GateSubmitOperator(**submit_kwargs("gate_gold", dt=DAY, run_id=RUN, lake=lake.root))


def test_a_failed_submitted_gate_fails_its_task_with_the_gate_report(tmp_path, monkeypatch):
    lake = Lake.from_settings(str(tmp_path / "lake"))

    def gate_fails_in_spark_submit(self, context):
        _record_failed_gate(lake)  # what the submitted gate writes before it exits with status 3
        raise AirflowException("Cannot execute: spark-submit … Error code is: 3.")

    monkeypatch.setattr(SparkSubmitOperator, "execute", gate_fails_in_spark_submit)
    with pytest.raises(GateFailed) as failed:
        _operator(lake).execute({})
    lines = str(failed.value).splitlines()
    assert lines[0] == f"gate_gold: gold.term_daily_v1 dt={DAY} (sources file)"
    assert lines[1:] == [f"gate gold.term_daily_v1 dt={DAY}: FAILED", f"  {EXPECTATION}"]


def test_a_crash_before_the_gate_judged_keeps_the_submit_error(tmp_path, monkeypatch):
    """A failed record from an earlier attempt is not this attempt's report."""
    lake = Lake.from_settings(str(tmp_path / "lake"))
    _record_failed_gate(lake)

    def driver_lost(self, context):
        raise AirflowException("Cannot execute: spark-submit … Error code is: 1.")

    monkeypatch.setattr(SparkSubmitOperator, "execute", driver_lost)
    with pytest.raises(AirflowException, match="Error code is: 1"):
        _operator(lake).execute({})


def test_the_application_exits_3_on_a_failed_gate_and_passes_no_publish(monkeypatch, capsys):
    calls = []

    def gate_bronze(dt, run_id, lake, publish=True):
        calls.append((dt, run_id, lake, publish))
        return {}

    def gate_gold(dt, run_id, lake):
        raise GateFailed(f"gate gold.term_daily_v1 dt={dt}: FAILED")

    monkeypatch.setattr(pipeline, "gate_bronze", gate_bronze)
    monkeypatch.setattr(pipeline, "gate_gold", gate_gold)
    assert spark_submit.main(["gate_bronze", "--date", DAY, "--run-id", RUN, "--no-publish"]) == 0
    assert spark_submit.main(["gate_bronze", "--date", DAY, "--run-id", RUN, "--lake", "/l"]) == 0
    assert calls == [(DAY, RUN, None, False), (DAY, RUN, "/l", True)]
    assert spark_submit.main(["gate_gold", "--date", DAY, "--run-id", RUN]) == spark_submit.EXIT_GATE_FAILED == 3
    assert f"gate gold.term_daily_v1 dt={DAY}: FAILED" in capsys.readouterr().err


def test_only_gate_bronze_takes_no_publish():
    assert submit_kwargs("gate_bronze", publish=False)["application_args"][-1] == "--no-publish"
    assert "--no-publish" not in submit_kwargs("gate_silver")["application_args"]
    with pytest.raises(ValueError, match="only gate_bronze"):
        submit_kwargs("gate_gold", publish=False)


def _application_fails(reason: str | None):
    """spark-submit's behaviour: the application wrote ``reason`` (when given), the exit status is 1."""
    seen = {}

    def execute(self, context):
        path = Path(self.env_vars[REASON_FILE_ENV])
        seen["path"] = path
        if reason is not None:
            path.write_text(reason, encoding="utf-8")
        raise AirflowException("Cannot execute: spark-submit … Error code is: 1.")

    return execute, seen


def test_a_failed_build_fails_its_task_with_the_reason_its_application_wrote(monkeypatch):
    execute, seen = _application_fails("the lake's file system is full (No space left on device)")
    monkeypatch.setattr(SparkSubmitOperator, "execute", execute)
    with pytest.raises(StepFailed) as failed:
        StepSubmitOperator(**submit_kwargs("build_silver", dt=DAY, run_id=RUN, lake="/l")).execute({})
    assert str(failed.value) == (f"build_silver dt={DAY} failed: the lake's file system is full (No space left on "
                                 "device) — free space on the lake, then clear the run's failed tasks to resume it")
    assert isinstance(failed.value.__cause__, AirflowException)
    assert not seen["path"].exists()  # the worker's reason file is removed


def test_a_build_that_wrote_no_reason_keeps_the_submit_error(monkeypatch):
    execute, _ = _application_fails(None)
    monkeypatch.setattr(SparkSubmitOperator, "execute", execute)
    with pytest.raises(AirflowException, match="Error code is: 1"):
        StepSubmitOperator(**submit_kwargs("build_gold", dt=DAY, run_id=RUN, lake="/l")).execute({})


def test_a_gate_that_crashed_before_judging_gives_its_reason(tmp_path, monkeypatch):
    lake = Lake.from_settings(str(tmp_path / "lake"))
    execute, _ = _application_fails("Py4JJavaError: An error occurred while calling o77.parquet.")
    monkeypatch.setattr(SparkSubmitOperator, "execute", execute)
    with pytest.raises(StepFailed, match=f"^gate_gold dt={DAY} failed: Py4JJavaError: An error occurred"):
        _operator(lake).execute({})


def test_the_application_writes_the_reason_of_any_other_failure(monkeypatch, tmp_path):
    reason_file = tmp_path / "reason"
    monkeypatch.setenv(REASON_FILE_ENV, str(reason_file))

    def build_silver(dt, run_id, lake):
        raise OSError(errno.ENOSPC, "No space left on device")

    def build_gold(dt, run_id, lake):
        raise RuntimeError("An error occurred while calling o12.save.\n: java.io.IOException: boom\n\tat x.y")

    monkeypatch.setattr(pipeline, "build_silver", build_silver)
    monkeypatch.setattr(pipeline, "build_gold", build_gold)
    with pytest.raises(OSError):  # the exit status and the traceback stay spark-submit's
        spark_submit.main(["build_silver", "--date", DAY, "--run-id", RUN])
    assert reason_file.read_text() == "the lake's file system is full (No space left on device)"
    with pytest.raises(RuntimeError):
        spark_submit.main(["build_gold", "--date", DAY, "--run-id", RUN])
    assert reason_file.read_text() == "RuntimeError: An error occurred while calling o12.save."
