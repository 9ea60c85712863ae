"""Quality gates of a period, per table, from the results the GX gate keeps under ``_quality/``,
and their Great Expectations Data Docs pages built into the lake.

A partition may be validated by several runs (the late-arrival window rewrites D-1): the latest
run's result counts. Data Docs are rendered by GX's own renderer from the stored validation result
(``_quality/_docs/<suite>/<key>=<value>/<run>.html``); a page already built is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from miryoku.lake import Lake

DOCS_DIR = "_quality/_docs"


@dataclass
class TableGates:
    suite: str
    passed: int = 0
    failed: int = 0
    partitions: list[dict] = field(default_factory=list)  # {"partition", "success", "result", "docs"}


def _in_period(value: str, date_from: str, date_to: str) -> bool:
    if len(value) == 7:  # a monthly partition: inside when the month overlaps the period
        return date_from[:7] <= value <= date_to[:7]
    return date_from <= value <= date_to


def _validated_at(record: dict) -> str:
    return str(((record.get("result") or {}).get("meta") or {}).get("batch_markers", {}).get("ge_load_time", ""))


def period_gates(lake: Lake, date_from: str, date_to: str) -> list[TableGates]:
    """Latest gate result per suite × partition whose date lies in the period."""
    latest: dict[tuple[str, str], tuple[str, str, dict]] = {}
    for rel in lake.files("_quality", ".json"):
        parts = rel.split("/")
        if len(parts) != 4 or parts[1].startswith("_") or "=" not in parts[2]:
            continue
        value = parts[2].split("=", 1)[1]
        if not _in_period(value, date_from, date_to):
            continue
        record = lake.read_json(rel)
        key = (parts[1], parts[2])
        stamp = _validated_at(record)
        if key not in latest or stamp >= latest[key][0]:
            latest[key] = (stamp, rel, record)
    tables: dict[str, TableGates] = {}
    for (suite, partition), (_stamp, rel, record) in sorted(latest.items()):
        gates = tables.setdefault(suite, TableGates(suite))
        ok = bool(record.get("success"))
        gates.passed += ok
        gates.failed += not ok
        gates.partitions.append({"partition": partition, "success": ok, "result": rel,
                                 "docs": f"{DOCS_DIR}/{suite}/{partition}/{rel.rsplit('/', 1)[1][:-5]}.html"})
    return list(tables.values())


def _validation_result(stored: dict):
    """Rebuild GX's result objects from the JSON the gate stored (``to_json_dict``)."""
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    config_keys = ("type", "kwargs", "meta", "id", "notes", "description", "rendered_content", "severity")
    results = []
    for item in stored["results"]:
        config = item["expectation_config"]
        results.append(ExpectationValidationResult(
            expectation_config=ExpectationConfiguration(**{k: v for k, v in config.items() if k in config_keys}),
            **{k: v for k, v in item.items() if k in ("success", "result", "meta", "exception_info")}))
    return ExpectationSuiteValidationResult(**{**stored, "results": results})


def build_data_docs(lake: Lake, tables: list[TableGates]) -> int:
    """Render the Data Docs page of every listed result not rendered yet; returns pages written."""
    todo = [p for t in tables for p in t.partitions if not lake.exists(p["docs"])]
    if not todo:
        return 0
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    renderer, view = ValidationResultsPageRenderer(), DefaultJinjaPageView()
    for p in todo:
        page = view.render(renderer.render(_validation_result(lake.read_json(p["result"])["result"])))
        lake.write_bytes(p["docs"], page.encode("utf-8"))
    return len(todo)
