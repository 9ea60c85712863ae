"""A gate submitted like the builds, whose failure still names what failed.

The gates validate staged partitions inside Spark, so they go through ``spark-submit`` with the
builds: the Spark connection decides where all of a run's Spark work runs, and an Airflow worker
never holds a local Spark of its own. ``spark-submit`` reports a failed application only as an exit
code, while the on-call engineer needs the table, partition, sources and failing expectations. The
gate keeps those in its step record before it exits; this operator reads them back and fails the
task with them, so the task log and the failure alert say what an in-process gate would say.
"""

from __future__ import annotations

import datetime as dt

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator


def _value(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1] if flag in args else ""


class GateSubmitOperator(SparkSubmitOperator):
    """``SparkSubmitOperator`` for a gate step of ``miryoku.spark_submit``; a failed gate raises
    ``GateFailed`` with the gate's own report instead of ``spark-submit``'s exit status."""

    def execute(self, context):
        started = dt.datetime.now(dt.UTC).isoformat()
        try:
            return super().execute(context)
        except Exception as exc:
            from miryoku.pipeline import gate_failure_message
            from miryoku.quality.gate import GateFailed

            args = [str(a) for a in self.application_args]
            message = gate_failure_message(args[0], _value(args, "--date"), _value(args, "--run-id"),
                                           _value(args, "--lake") or None, since=started)
            if message is None:
                raise
            raise GateFailed(message) from exc
