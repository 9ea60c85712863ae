"""The Great Expectations gate: load a table's suite from ``miryoku/expectations/``, validate, record, decide.

Suites are plain GX 1.x JSON files named ``<layer>.<table>.json`` next to nothing but other suites,
so a reviewer sees a table's contract in one place. Every validation's full result is kept under
``<lake>/_quality/<suite>/dt=<D>/<run>.json``; a failure raises ``GateFailed`` whose message names
each failing expectation with its unexpected count and a few unexpected values — that message is
what the on-call engineer reads in the Airflow task log.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyarrow as pa

from miryoku.config import EXPECTATIONS_DIR
from miryoku.lake.storage import Lake, safe_key

log = logging.getLogger(__name__)


class GateFailed(RuntimeError):
    """A staged table failed its suite; nothing was published."""


@dataclass
class GateResult:
    suite: str
    success: bool
    rows: int
    failures: list[dict] = field(default_factory=list)
    result_path: str | None = None

    def describe(self) -> str:
        lines = [f"gate {self.suite}: {'passed' if self.success else 'FAILED'} on {self.rows} rows"]
        for f in self.failures:
            lines.append(
                f"  - {f['expectation']}({f['kwargs']}): {f['unexpected_count']} unexpected, e.g. {f['examples']}"
            )
        return "\n".join(lines)


@cache
def _context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def suite_spec(expectations_dir: str, suite_name: str) -> dict:
    """The suite file ``<suite_name>.json`` from ``expectations_dir``, or from the package's
    ``miryoku.expectations`` when it is "" (so an installed wheel needs no checkout beside it)."""
    folder = Path(expectations_dir) if expectations_dir else EXPECTATIONS_DIR
    return json.loads(folder.joinpath(f"{suite_name}.json").read_text("utf-8"))


def load_suite(expectations_dir: str, suite_name: str):
    import great_expectations as gx

    spec = suite_spec(expectations_dir, suite_name)
    return gx.ExpectationSuite(name=spec.get("name", suite_name), expectations=spec["expectations"],
                               meta=spec.get("meta", {}))


def _batch_definition(asset_name: str):
    ds = _context().data_sources.add_or_update_pandas("miryoku")
    try:
        asset = ds.get_asset(asset_name)
    except LookupError:
        asset = ds.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        return asset.add_batch_definition_whole_dataframe("whole")


def validate_table(lake: Lake, suite_name: str, table: pa.Table, dt_value: str, run_id: str) -> GateResult:
    """Validate ``table`` against the suite ``<suite_name>.json`` and keep the result in the lake."""
    suite = load_suite(lake.cfg.expectations_dir, suite_name)
    df = table.to_pandas(types_mapper=None)
    result = _batch_definition(safe_key(suite_name)).get_batch(batch_parameters={"dataframe": df}).validate(suite)
    failures = [
        {
            "expectation": r.expectation_config.type,
            "kwargs": {k: v for k, v in r.expectation_config.kwargs.items() if k != "batch_id"},
            "unexpected_count": r.result.get("unexpected_count"),
            "examples": (r.result.get("partial_unexpected_list") or [])[:5],
            "observed": r.result.get("observed_value"),
        }
        for r in result.results if not r.success
    ]
    path = f"_quality/{safe_key(suite_name)}/dt={dt_value}/{safe_key(run_id)}.json"
    lake.write_json(path, {"suite": suite_name, "dt": dt_value, "run_id": run_id, "rows": table.num_rows,
                           "success": bool(result.success), "failures": failures,
                           "result": result.to_json_dict()})
    outcome = GateResult(suite_name, bool(result.success), table.num_rows, failures, path)
    (log.info if outcome.success else log.error)(outcome.describe())
    return outcome


def require(outcome: GateResult) -> GateResult:
    if not outcome.success:
        raise GateFailed(outcome.describe())
    return outcome
