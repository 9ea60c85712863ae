"""conform(): published bronze → gated, published silver; quarantine per source; re-runs replace."""

from __future__ import annotations

import json

import pytest
from realfiles import real

from miryoku.conform import conform
from miryoku.lake.publish import publish_source
from miryoku.quality.gate import GateFailed, GateResult
from miryoku.sources import estat_csv, market, opendata
from miryoku.sources.base import FetchContext

DT = "2026-11-20"
KANAZAWA = {"columns": {"item": "品名", "origin": "産地", "period": "販売年", "quantity": "数量（Kg）",
                        "amount": "金額（円）"}}


def land(lake, source, name, data):
    lake.write_bytes(f"landing/files/{source}/dt={DT}/{name}", data)


def ingest_and_publish(lake, run_id):
    ctx = FetchContext(DT, run_id)
    land(lake, "tour", "kanko.csv", real("opendata/handa_232050_kanko.csv"))
    land(lake, "shelter", "hinanjo.csv", real("opendata/hamamatsu_221390_hinanjo_bom.csv"))
    head = b"\r\n".join(real("market/kanazawa_chuo_oroshi_suisan_reitougyo_by_origin_annual.csv").split(b"\r\n")[:21])
    land(lake, "mk", "reitougyo.csv", head)
    land(lake, "ef", "jinkou.csv", real("estat/estat_FEH_00200524_jinkou_suikei_by_pref_sjis.csv"))
    opendata.ingest(lake, ctx, "tour", {"dataset": "tourism"})
    opendata.ingest(lake, ctx, "shelter", {"dataset": "shelters"})
    market.ingest(lake, ctx, "mk", KANAZAWA)
    estat_csv.ingest(lake, ctx, "ef", {})
    for table, source in [("opendata_tourism_v1", "tour"), ("opendata_shelters_v1", "shelter"),
                          ("shipments_raw_v1", "mk"), ("stat_values_v1", "ef")]:
        publish_source(lake, run_id, run_id, table, DT, source)


class Gate:
    def __init__(self, failing=()):
        self.failing, self.calls = set(failing), []

    def __call__(self, lake, suite, table, dt_value, run_id):
        self.calls.append((suite, table.num_rows))
        ok = suite not in self.failing
        return GateResult(suite, ok, table.num_rows, [] if ok else [
            {"expectation": "expect_x", "kwargs": {}, "unexpected_count": 1, "examples": []}])


def test_conform_publishes_every_silver_table_and_quarantines_bad_codes(lake):
    ingest_and_publish(lake, "run-1")
    gate = Gate()
    result = conform(lake, DT, "run-1", validate=gate)
    assert sorted(s for s, _ in gate.calls) == ["silver.opendata_shelters_v1", "silver.opendata_tourism_v1",
                                                "silver.shipments_v1", "silver.stat_values_v1"]
    assert result["tables"]["shipments_v1"]["rows_out"] == 20
    assert result["tables"]["opendata_shelters_v1"] == {"rows_in": 182, "rows_out": 0, "rows_quarantined": 182,
                                                        "quarantine_reasons": {"bad_muni_code": 182}, "gate": True}
    shipments = lake.read_parquet(lake.partition_dir("silver", "shipments_v1", DT)).to_pylist()
    assert shipments[0]["item"] == "冷凍まぐろ" and shipments[0]["pref_code"] == "04" and shipments[0]["run_id"] == "run-1"
    stats = lake.read_parquet(lake.partition_dir("silver", "stat_values_v1", DT))
    assert stats.num_rows == 240
    tourism = lake.read_parquet(lake.partition_dir("silver", "opendata_tourism_v1", DT))
    assert tourism.num_rows == 27
    q = lake.read_bytes(f"quarantine/opendata_shelters_v1/dt={DT}/shelter.conform.jsonl").decode().splitlines()
    assert len(q) == 182 and json.loads(q[0])["reason"] == "bad_muni_code"
    step = lake.read_json(f"_runs/dt={DT}/run-1/steps/conform_stats.json")
    assert step["rows_quarantined"] == 182 and step["success"] is True


def test_a_failing_gate_keeps_the_last_good_table_and_raises(lake):
    ingest_and_publish(lake, "run-1")
    conform(lake, DT, "run-1", validate=Gate())
    with pytest.raises(GateFailed, match="silver.shipments_v1"):
        conform(lake, DT, "run-2", validate=Gate(failing={"silver.shipments_v1"}))
    shipments = lake.read_parquet(lake.partition_dir("silver", "shipments_v1", DT))
    assert set(shipments.column("run_id").to_pylist()) == {"run-1"}  # the last good one stays served
    stats = lake.read_parquet(lake.partition_dir("silver", "stat_values_v1", DT))
    assert set(stats.column("run_id").to_pylist()) == {"run-2"}


def test_rerun_replaces_rows_and_quarantine(lake):
    ingest_and_publish(lake, "run-1")
    conform(lake, DT, "run-1", validate=Gate())
    fixed = real("opendata/hamamatsu_221390_hinanjo_bom.csv").replace(b"\n221390,", b"\n221309,")
    land(lake, "shelter", "hinanjo.csv", fixed)
    opendata.ingest(lake, FetchContext(DT, "run-2"), "shelter", {"dataset": "shelters"})
    publish_source(lake, "run-2", "run-2", "opendata_shelters_v1", DT, "shelter")
    conform(lake, DT, "run-2", validate=Gate())
    shelters = lake.read_parquet(lake.partition_dir("silver", "opendata_shelters_v1", DT))
    assert shelters.num_rows == 182
    assert not lake.exists(f"quarantine/opendata_shelters_v1/dt={DT}/shelter.conform.jsonl")
    tourism = lake.read_parquet(lake.partition_dir("silver", "opendata_tourism_v1", DT))
    assert tourism.num_rows == 27  # not doubled


def test_nothing_to_conform(lake):
    assert conform(lake, DT, "run-0", validate=Gate()) == {"tables": {}, "rows_quarantined": 0}
