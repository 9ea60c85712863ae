"""The Airflow tasks both DAGs wire: each one imports ``miryoku.pipeline`` only when it runs.

DAG files stay wiring (schedule, owner, graph); this module holds the task definitions once, so the
nightly run and the disaster watch ingest and gate sources the same way. Importing it loads only
``airflow.sdk`` — nothing heavy at parse time. ``run_id`` is injected from the task context (it is a
reserved context name, so it is never passed explicitly).
"""

from __future__ import annotations

from airflow.sdk import task


@task
def list_sources(lake: str, sources: str) -> list[str]:
    from miryoku.pipeline import parse_sources, source_names

    return source_names(lake or None, parse_sources(sources))


@task
def list_post_sources(lake: str, sources: str) -> list[str]:
    from miryoku.pipeline import parse_sources, sns_source_names

    return sns_source_names(lake or None, parse_sources(sources))


@task(map_index_template="{{ task.op_kwargs['source'] }}")
def ingest(source: str, dt: str, lake: str, run_id=None) -> dict:
    from miryoku.pipeline import ingest

    return ingest(source, dt, run_id, lake or None)


def _gate_failure(step: str, dt: str, run_id: str, lake: str | None, exc: Exception) -> str:
    """The failed gate's report: 'conform_stats: silver.… dt=…' from its step record, then the error."""
    from miryoku.pipeline import gate_failure_message

    return gate_failure_message(step, dt, run_id, lake, detail=str(exc)) or str(exc)


def _step(name: str):
    """A task calling ``miryoku.pipeline.<name>(dt, run_id, lake)``; a failed gate's error names what failed."""

    def run(dt: str, lake: str, run_id=None) -> dict:
        from miryoku import pipeline
        from miryoku.quality.gate import GateFailed

        try:
            return getattr(pipeline, name)(dt, run_id, lake or None)
        except GateFailed as exc:
            raise GateFailed(_gate_failure(name, dt, run_id, lake or None, exc)) from exc

    run.__name__ = run.__qualname__ = name
    run.__doc__ = f"miryoku.pipeline.{name} for the run's date."
    return task(task_id=name)(run)


def _spark_step(name: str):
    """A Spark step submitted with the Airflow Spark provider's ``SparkSubmitOperator`` (as
    ``miryoku.submitted_step.StepSubmitOperator``, whose failure gives the step's reason): master, deploy
    mode and queue come from the Spark connection (``MIRYOKU_SPARK_CONN_ID``, default ``spark_default``),
    the archive and Spark settings from ``miryoku.spark_submit``; the same task id as the in-process step."""

    def submit(dt: str, lake: str):
        from miryoku.spark_submit import submit_kwargs
        from miryoku.submitted_step import StepSubmitOperator

        return StepSubmitOperator(**submit_kwargs(name, dt=dt, lake=lake))

    submit.__name__ = submit.__qualname__ = name
    return submit


def _spark_gate(name: str, **operator_kwargs):
    """A gate submitted like the Spark builds (``miryoku.submitted_step``): it validates the staged
    partitions inside Spark wherever the Spark connection points, and a failure names the table,
    partition, sources and failing expectations."""

    def submit(dt: str, lake: str, publish: bool = True):
        from miryoku.spark_submit import submit_kwargs
        from miryoku.submitted_step import GateSubmitOperator

        return GateSubmitOperator(**submit_kwargs(name, dt=dt, lake=lake, publish=publish), **operator_kwargs)

    submit.__name__ = submit.__qualname__ = name
    return submit


conform_stats = _step("conform_stats")
# Runs when some sources failed too: the others' data still flows (their failure fails the run). The
# disaster watch passes ``publish=False``: it reads its own staged bronze.
gate_bronze = _spark_gate("gate_bronze", trigger_rule="all_done")
build_silver = _spark_step("build_silver")
gate_silver = _spark_gate("gate_silver")
build_gold = _spark_step("build_gold")
gate_gold = _spark_gate("gate_gold")
publish = _step("publish")
build_disaster = _spark_step("build_disaster")
gate_disaster = _spark_gate("gate_disaster")
publish_disaster = _step("publish_disaster")


@task
def write_report(dt: str, lake: str, days: int = 14) -> str:
    """The period's offline HTML report (the last ``days`` days up to the run's date) into the lake, once
    the run's tables are published; a second leaf, so a report that cannot be written fails the run."""
    from jobs.common import shift
    from miryoku.report import write_html_report

    return write_html_report(lake or None, shift(dt, -(days - 1)), dt)


@task(trigger_rule="all_done")
def finish(dt: str, lake: str, sources: list[str], run_id=None) -> dict:
    """The leaf: writes the run summary whatever happened, then fails if any source, gate, build or publish did.

    Airflow derives a run's state from its leaf tasks, so this task failing is what fails the DAG run.
    """
    from miryoku.pipeline import finish

    return finish(dt, run_id, sources, lake or None)
