"""Telling the on-call engineer: failure callbacks and the nightly deadline, through one Airflow connection.

The DAGs attach these callbacks; each builds one plain message (what failed, for which date, why) and
sends it through the connection named by ``MIRYOKU_ALERT_CONN_ID`` (default ``miryoku_alerts``):

- ``http``/``https`` connection: a JSON POST to ``extra.url``, or to ``<schema>://<host>:<port>/<path>``
  where the path is the connection's ``schema`` field (how an ``AIRFLOW_CONN_…`` URI stores it);
- ``smtp`` connection: an e-mail through the SMTP provider's hook to ``extra.to`` (comma-separated).

No connection configured means no alert (logged once per callback), never a failing callback: a missing
pager must not turn a success into a failure. Messages carry dates, tables, sources and counts — the gate
examples are column values, never handles or user ids (those never reach the lake).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os

log = logging.getLogger(__name__)

CONN_ENV = "MIRYOKU_ALERT_CONN_ID"
DEFAULT_CONN = "miryoku_alerts"
DEADLINE_ENV = "MIRYOKU_NIGHTLY_DEADLINE_JST"  # "HH:MM", the day after the logical date
DEFAULT_DEADLINE = "06:00"
DEADLINE_RUN_TYPES_ENV = "MIRYOKU_DEADLINE_RUN_TYPES"  # which run types page when late
DEFAULT_DEADLINE_RUN_TYPES = "scheduled"
MAX_MESSAGE_CHARS = 4000


def deadline_enabled() -> bool:
    """``MIRYOKU_NIGHTLY_DEADLINE_JST=off`` parses the nightly DAG without its deadline alert.

    In-process runs (``dag.test``: the demo, the e2e tests) set it: they have no triggerer to run the
    callback, and Airflow 3.3.2's ``dag.test`` fails on a DAG with a deadline alert (it looks the alert
    up with a dict as its id).
    """
    return os.environ.get(DEADLINE_ENV, DEFAULT_DEADLINE).strip().lower() not in ("off", "none", "")


def deadline_after_logical_date() -> dt.timedelta:
    """The nightly run for D must finish by HH:MM JST on D+1: logical date (D 00:00 JST) + 1 day + HH:MM."""
    text = os.environ.get(DEADLINE_ENV, DEFAULT_DEADLINE).strip()
    hours, _, minutes = text.partition(":")
    try:
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
    except ValueError as exc:
        raise ValueError(f"{DEADLINE_ENV} must be HH:MM (JST), got {text!r}") from exc
    return dt.timedelta(days=1) + offset


def send(event: dict) -> bool:
    """Deliver one alert through the configured connection; False when none is configured or it failed."""
    conn_id = os.environ.get(CONN_ENV, DEFAULT_CONN)
    try:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - an unknown connection id raises differently per Airflow component
        log.warning("alert not sent: no Airflow connection %r (set %s or define it)", conn_id, CONN_ENV)
        return False
    event = {**event, "message": str(event.get("message", ""))[:MAX_MESSAGE_CHARS]}
    try:
        if conn.conn_type in ("http", "https"):
            _post(_webhook_url(conn), event)
        elif conn.conn_type in ("smtp", "email"):
            _mail(conn_id, conn, event)
        else:
            log.warning("alert not sent: connection %r has type %r (use http, https or smtp)", conn_id, conn.conn_type)
            return False
    except Exception:  # noqa: BLE001 - an unreachable pager is logged, never raised into Airflow
        log.exception("alert could not be delivered through %r", conn_id)
        return False
    log.info("alert %s sent through %r", event.get("kind"), conn_id)
    return True


def _webhook_url(conn) -> str:
    extra = conn.extra_dejson or {}
    if extra.get("url"):
        return extra["url"]
    port = f":{conn.port}" if conn.port else ""
    path = (conn.schema or "").lstrip("/")
    return f"{conn.conn_type}://{conn.host}{port}/{path}"


def _post(url: str, event: dict) -> None:
    import httpx

    httpx.post(url, json=event, timeout=10).raise_for_status()


def _mail(conn_id: str, conn, event: dict) -> None:
    from html import escape

    from airflow.providers.smtp.hooks.smtp import SmtpHook

    extra = conn.extra_dejson or {}
    to = [a.strip() for a in str(extra.get("to", "")).split(",") if a.strip()]
    if not to:
        raise ValueError(f"SMTP connection {conn_id!r} has no extra 'to' recipients")
    subject = f"[miryoku] {event.get('kind')}: {event.get('dag_id')} {event.get('logical_date') or ''}".strip()
    body = f"<pre>{escape(json.dumps(event, ensure_ascii=False, indent=2))}</pre>"
    with SmtpHook(smtp_conn_id=conn_id) as hook:
        hook.send_email_smtp(to=to, subject=subject, html_content=body,
                             from_email=extra.get("from_email") or extra.get("from") or "miryoku@localhost")


def _date(value) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)


def task_failed(context) -> None:
    """``on_failure_callback`` of every task: the task's last error, which names table, partition and source."""
    ti, run = context.get("ti"), context.get("dag_run")
    send({
        "kind": "task_failed",
        "dag_id": getattr(ti, "dag_id", None),
        "run_id": getattr(ti, "run_id", None),
        "task_id": getattr(ti, "task_id", None),
        "map_index": getattr(ti, "map_index", -1),
        "try_number": getattr(ti, "try_number", None),
        "logical_date": _date(getattr(run, "logical_date", None)),
        "message": str(context.get("exception") or "failed (no exception recorded; see the task log)"),
    })


def run_failed(context) -> None:
    """``on_failure_callback`` of the DAG: one alert per failed run, naming the reason Airflow gives."""
    run = context.get("dag_run")
    send({
        "kind": "run_failed",
        "dag_id": getattr(run, "dag_id", None),
        "run_id": getattr(run, "run_id", None),
        "logical_date": _date(getattr(run, "logical_date", None)),
        "message": str(context.get("reason") or "run failed; see the failed tasks' alerts and logs"),
    })


async def deadline_missed(context: dict | None = None, **_) -> None:
    """Deadline alert callback (runs in the triggerer): the nightly run is still unfinished at the deadline.

    Only the run types listed in ``MIRYOKU_DEADLINE_RUN_TYPES`` page (default: scheduled runs), so a
    30-date backfill of past days does not raise 30 deadline alerts.
    """
    run = (context or {}).get("dag_run") or {}
    wanted = {t.strip() for t in os.environ.get(DEADLINE_RUN_TYPES_ENV, DEFAULT_DEADLINE_RUN_TYPES).split(",")}
    if run.get("run_type") not in wanted:
        log.info("deadline passed for %s (%s run): not alerting", run.get("dag_run_id"), run.get("run_type"))
        return
    deadline = ((context or {}).get("deadline") or {}).get("deadline_time")
    await asyncio.to_thread(send, {
        "kind": "deadline_missed",
        "dag_id": run.get("dag_id"),
        "run_id": run.get("dag_run_id") or run.get("run_id"),
        "logical_date": run.get("logical_date"),
        "message": f"run not finished by its deadline {_date(deadline)} (state {run.get('state')})",
    })
