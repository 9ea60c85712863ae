"""Silver shipments carry one unit per item, so gold can sum a market's kg with e-Stat's tonnes."""

from __future__ import annotations

import pyarrow as pa
import pytest

from miryoku.conform.shipments import conform_table, normalise_unit
from miryoku.sources.tabular import SCHEMAS


def bronze(rows: list[dict]) -> pa.Table:
    base = {"source": "s", "source_url": "u", "source_file": "f", "row_no": 1, "run_id": "r", "period": "2024年1月",
            "origin": "栃木県", "dataset_id": "d", "market": "m", "amount": None, "record": None}
    full = [{**base, **r, "row_no": i + 1} for i, r in enumerate(rows)]
    return pa.Table.from_pylist(full, schema=SCHEMAS["shipments_raw"])


@pytest.mark.parametrize(("raw", "unit"), [
    ("kg", ("kg", 1.0)), ("Kg", ("kg", 1.0)), ("ｋｇ", ("kg", 1.0)), ("キログラム", ("kg", 1.0)), ("t", ("kg", 1000.0)),
    ("トン", ("kg", 1000.0)), ("千t", ("kg", 1_000_000.0)), ("百t", ("kg", 100_000.0)), ("g", ("kg", 0.001)),
    ("千本", ("本", 1000.0)), ("個", ("個", 1.0)), ("万人", ("万人", 1.0)), ("", None), (None, None),
])
def test_normalise_unit(raw, unit):
    assert normalise_unit(raw) == unit


def test_market_kg_and_estat_tonnes_become_kg_and_add_up():
    table, rejected = conform_table(bronze([
        {"source": "market", "item": "いちご", "quantity": "1,500", "unit": "kg"},
        {"source": "estat", "item": "いちご", "quantity": "2.5", "unit": "t"},
        {"source": "estat", "item": "いちご", "quantity": "0.01", "unit": "千t"},
    ]))
    rows = table.to_pylist()
    assert not rejected and {r["unit"] for r in rows} == {"kg"}
    assert [r["quantity"] for r in rows] == [1500.0, 2500.0, 10000.0]
    assert sum(r["quantity"] for r in rows) == 14000.0


def test_units_that_do_not_convert_are_kept_apart_and_a_missing_unit_is_quarantined():
    table, rejected = conform_table(bronze([
        {"item": "いちご", "quantity": "10", "unit": "t"},
        {"item": "いちご", "quantity": "300", "unit": "箱"},
        {"item": "ばら", "quantity": "2", "unit": "千本"},
        {"item": "りんご", "quantity": "5", "unit": None},
    ]))
    rows = table.to_pylist()
    assert [(r["item"], r["quantity"], r["unit"]) for r in rows] == [("いちご", 10000.0, "kg"), ("ばら", 2000.0, "本")]
    assert sorted(r.reason for r in rejected) == ["missing_unit", "unit_conflict:箱"]
