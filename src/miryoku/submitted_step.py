"""Spark steps submitted with ``spark-submit`` whose failure still says what failed.

The builds and the gates run in an application started by ``spark-submit``, so the Spark connection
decides where all of a run's Spark work runs and an Airflow worker never holds a local Spark of its
own. ``spark-submit`` reports a failed application only as an exit code, while the on-call engineer
needs the reason in the task log and the failure alert:

- a build writes its one-line reason (``miryoku.failure``: the lake's file system full, or the error's
  kind and first line) to a file of the worker the operator names in the application's environment;
- a gate keeps its table, partition, sources and failing expectations in its step record before it
  exits; ``GateSubmitOperator`` reads them back.

In cluster deploy mode the driver runs elsewhere: no reason file, and the task keeps ``spark-submit``'s
error (the gates' step records still reach it through the lake).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from pathlib import Path

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from miryoku.failure import DISK_FULL, REASON_FILE_ENV, read_reason


class StepFailed(RuntimeError):
    """A submitted step's application failed; the message names the step, its date and the reason."""


def _value(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1] if flag in args else ""


@contextlib.contextmanager
def _reason_file():
    fd, name = tempfile.mkstemp(prefix="miryoku-step-", suffix=".reason")
    os.close(fd)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


class StepSubmitOperator(SparkSubmitOperator):
    """``SparkSubmitOperator`` for a step of ``miryoku.spark_submit``: a failed application raises
    ``StepFailed`` with the step's own reason instead of ``spark-submit``'s exit status."""

    def execute(self, context):
        started = dt.datetime.now(dt.UTC).isoformat()
        with _reason_file() as reason_file:
            if not self._driver_elsewhere():
                self.env_vars = {**(self.env_vars or {}), REASON_FILE_ENV: str(reason_file)}
            try:
                return super().execute(context)
            except Exception as exc:
                failure = self.explain(read_reason(reason_file), started)
                if failure is None:
                    raise
                raise failure from exc

    def explain(self, reason: str, started: str) -> Exception | None:
        """The exception the task fails with, or None to keep ``spark-submit``'s."""
        if not reason:
            return None
        args = [str(a) for a in self.application_args]
        remedy = " — free space on the lake, then clear the run's failed tasks to resume it" if reason == DISK_FULL else ""
        return StepFailed(f"{args[0]} dt={_value(args, '--date')} failed: {reason}{remedy}")

    def _driver_elsewhere(self) -> bool:
        from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook

        connection = SparkSubmitHook(conn_id=self._conn_id)._connection
        return connection.get("deploy_mode") == "cluster"


class GateSubmitOperator(StepSubmitOperator):
    """A gate: a failed gate raises ``GateFailed`` with the gate's own report; any other failure is
    explained like a build's."""

    def explain(self, reason: str, started: str) -> Exception | None:
        from miryoku.pipeline import gate_failure_message
        from miryoku.quality.gate import GateFailed

        args = [str(a) for a in self.application_args]
        message = gate_failure_message(args[0], _value(args, "--date"), _value(args, "--run-id"),
                                       _value(args, "--lake") or None, since=started)
        if message is not None:
            return GateFailed(message)
        return super().explain(reason, started)
