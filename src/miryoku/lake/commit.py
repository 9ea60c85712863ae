"""One switch per run: readers see all of a run's silver and gold partitions, or none of them.

Each partition is still published by its own atomic swap (``publish.publish_partitions``), but a
run's partitions are published under one commit:

1. **retain**: the version each partition is about to replace is kept readable at
   ``_retired/<run>/<layer>/<table>/<key>=<value>/`` (hard links on a local folder, server-side
   copies on S3), outside every table folder, so no tool listing a table finds it.
2. **pending**: ``_published/_pending/<run>.json`` lists the partitions. While it exists,
   ``published_files`` answers every listed partition with its retained (previous) version, whether
   or not that partition has been swapped yet — so readers see the run's tables all old.
3. the partitions are swapped one by one, as before;
4. **commit**: ``_published/_commits/<run>.json`` is written and the pending record deleted. That
   delete — one call on a local folder and on S3 — is the switch: from then on every partition
   reads new.
5. retained versions of runs committed more than ``retain_seconds`` ago are deleted, so a job that
   resolved its files during a commit can finish reading them (``MIRYOKU_RETAIN_REPLACED_SECONDS``).

A crash at any point is completed by running the publish again with the same run: a pending record
of this run means the retained versions are complete (they are never taken twice), so the retry only
swaps what is left and commits. Readers that take several partitions at once use ``consistently``,
which resolves again if a commit began or ended meanwhile.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import TypeVar

from miryoku.lake.storage import Lake, safe_key, table_name

PENDING = "_published/_pending"
COMMITS = "_published/_commits"
T = TypeVar("T")


def retained_dir(lake: Lake, layer: str, table: str, run_key: str, key: str, value: str) -> str:
    return f"_retired/{safe_key(run_key)}/{lake.table_dir(layer, table)}/{key}={value}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _retain(lake: Lake, run_key: str, layer: str, table: str, key: str, value: str, current: list[str]) -> None:
    """Keep the partition's current files readable under the run's retained folder."""
    target = retained_dir(lake, layer, table, run_key, key, value)
    lake.delete(target)  # a retain interrupted before its pending record was written
    for rel in current:
        name = rel.rsplit("/", 1)[1]
        if lake.is_local:
            os.makedirs(lake.path(target), exist_ok=True)
            os.link(lake.path(rel), lake.path(f"{target}/{name}"))
        else:
            lake.copy_file(rel, f"{target}/{name}")


def publish_run(lake: Lake, run_key: str, run_id: str, parts: list[tuple[str, str, str, list[str]]],
                retain_seconds: float | None = None) -> dict[str, dict[str, int]]:
    """Publish ``parts`` — (layer, table, key, values) — as one commit; returns files per partition."""
    from miryoku.lake.publish import publish_partitions, published_files

    pending_rel = f"{PENDING}/{safe_key(run_key)}.json"
    listed = [{"layer": layer, "table": table_name(table), "key": key, "value": value}
              for layer, table, key, values in parts for value in sorted(set(values))]
    if not lake.exists(pending_rel) and not lake.exists(f"{COMMITS}/{safe_key(run_key)}.json"):
        seen = pending_versions(lake)  # what readers see now, another run's unfinished commit included
        for p in listed:
            _retain(lake, run_key, p["layer"], p["table"], p["key"], p["value"],
                    published_files(lake, p["layer"], p["table"], p["value"], p["key"], pending=seen))
        lake.write_json(pending_rel, {"run_id": run_id, "started_at": _now(), "partitions": listed})
    published = {f"{layer}.{table_name(table)}": publish_partitions(lake, run_key, run_id, layer, table, values, key)
                 for layer, table, key, values in parts}
    if lake.exists(pending_rel):
        record = lake.read_json(pending_rel)
        _supersede(lake, run_key, listed)
        lake.write_json(f"{COMMITS}/{safe_key(run_key)}.json", {**record, "committed_at": _now()})
        lake.delete(pending_rel)  # the switch
    expire_retained(lake, lake.cfg.retain_replaced_seconds if retain_seconds is None else retain_seconds)
    return published


def _supersede(lake: Lake, run_key: str, listed: list[dict]) -> None:
    """Partitions this run switches in are no longer held back by an older run's unfinished commit
    (a run killed in publish and never retried): this run's version is newer and complete. The
    older record keeps its other partitions and lists these as superseded."""
    ours = {(p["layer"], p["table"], p["key"], p["value"]) for p in listed}
    for rel in lake.files(PENDING, ".json"):
        if rel.endswith(f"/{safe_key(run_key)}.json"):
            continue
        record = lake.read_json(rel)
        gone = [p for p in record["partitions"] if (p["layer"], p["table"], p["key"], p["value"]) in ours]
        if gone and any(p not in record.get("superseded", []) for p in gone):
            lake.write_json(rel, {**record, "superseded": [*record.get("superseded", []),
                                                           *[p for p in gone if p not in record.get("superseded", [])]]})


def expire_retained(lake: Lake, retain_seconds: float) -> list[str]:
    """Delete the retained versions of runs committed more than ``retain_seconds`` ago."""
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=retain_seconds)
    expired = []
    for rel in lake.files(COMMITS, ".json"):
        record = lake.read_json(rel)
        if dt.datetime.fromisoformat(record["committed_at"]) > cutoff:
            continue
        run_key = rel.rsplit("/", 1)[1][:-len(".json")]
        lake.delete(f"_retired/{run_key}")
        lake.delete(rel)
        expired.append(run_key)
    return expired


def pending_versions(lake: Lake) -> dict[tuple[str, str, str, str], str]:
    """(layer, table, key, value) → retained folder, for every partition of a commit in progress.
    Where two unfinished commits hold the same partition, the older one's folder is what readers saw
    before either began."""
    records = []
    for rel in lake.files(PENDING, ".json"):
        try:
            records.append((lake.read_json(rel), rel.rsplit("/", 1)[1][:-len(".json")]))
        except (FileNotFoundError, ValueError):  # committed (deleted) between the listing and the read
            continue
    out = {}
    for record, run_key in sorted(records, key=lambda r: r[0]["started_at"]):  # the oldest holds back
        for p in record["partitions"]:
            if p not in record.get("superseded", []):
                out.setdefault((p["layer"], p["table"], p["key"], p["value"]), retained_dir(
                    lake, p["layer"], p["table"], run_key, p["key"], p["value"]))
    return out


def _commit_state(lake: Lake) -> tuple[list[str], list[str]]:
    return lake.listdir(PENDING), lake.listdir(COMMITS)


def consistently(lake: Lake, resolve: Callable[[], T], attempts: int = 5) -> T:
    """``resolve()`` (which looks up several published partitions) with no commit beginning or
    ending during it; resolved again when one did, so its answer belongs to one side of a switch."""
    for _ in range(attempts - 1):
        before = _commit_state(lake)
        out = resolve()
        if _commit_state(lake) == before:
            return out
    return resolve()
