"""The GX suites of the statistics/open-data tables, run for real on bronze and silver made from real files.

No server: this lives here because importing Great Expectations takes seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from miryoku.conform import conform
from miryoku.lake import Lake
from miryoku.lake.publish import publish_source
from miryoku.sources import estat_csv, market, opendata, resas
from miryoku.sources.base import FetchContext
from miryoku.sources.tabular import staged_dir

REALDATA = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"
DT = "2026-11-20"

SOURCES = [  # source, kind module, options, files, bronze table
    ("tour", opendata, {"dataset": "tourism"}, ["opendata/handa_232050_kanko.csv"], "opendata_tourism_v1"),
    ("wifi", opendata, {"dataset": "wifi"}, ["opendata/minato_131032_public_wireless_lan_EXCERPT.csv"],
     "opendata_wifi_v1"),
    ("ev", opendata, {"dataset": "events", "muni_code": "182079"}, ["opendata/sabae_182079_event_774_bom.csv"],
     "opendata_events_v1"),
    ("mk", market, {"columns": {"item": "品名", "origin": "産地", "period": "販売年", "quantity": "数量（Kg）"}},
     ["market/kanazawa_chuo_oroshi_suisan_enkan_by_origin_annual.csv"], "shipments_raw_v1"),
    ("ef", estat_csv, {}, ["estat/estat_FEH_00200524_jinkou_suikei_by_pref_sjis.csv",
                           "estat/estat_getSimpleStatsData_0003005798_roudouryoku_extracted.csv"], "stat_values_v1"),
    ("rs", resas, {}, ["resas/resas_population_composition_perYear_7prefs_extracted.json"], "stat_values_v1"),
]


@pytest.fixture
def lake(tmp_path, monkeypatch) -> Lake:
    monkeypatch.delenv("MIRYOKU_ENV", raising=False)
    return Lake.from_settings(str(tmp_path / "lake"))


def test_bronze_and_silver_suites_pass_on_real_files(lake):
    from miryoku.quality.gate import validate_table

    ctx = FetchContext(DT, "run-gx")
    for source, module, options, files, table in SOURCES:
        for rel in files:
            lake.write_bytes(f"landing/files/{source}/dt={DT}/{Path(rel).name}", (REALDATA / rel).read_bytes())
        module.ingest(lake, ctx, source, options)
        staged = lake.read_parquet(staged_dir(ctx, table, source))
        outcome = validate_table(lake, f"bronze.{table}", staged, DT, f"run-gx-{source}")
        assert outcome.success, outcome.describe()
        publish_source(lake, "run-gx", "run-gx", table, DT, source)
    result = conform(lake, DT, "run-gx")
    assert all(t["gate"] for t in result["tables"].values())
    assert set(result["tables"]) == {"opendata_tourism_v1", "opendata_wifi_v1", "opendata_events_v1",
                                     "shipments_v1", "stat_values_v1"}
    assert lake.read_parquet(lake.partition_dir("silver", "stat_values_v1", DT)).num_rows == 240 + 15 + 882
