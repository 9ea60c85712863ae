"""RESAS archive: the real saved perYear responses, and the error bodies RESAS sent with HTTP 200."""

from __future__ import annotations

import json

from realfiles import real

from miryoku.conform.stats import conform_table
from miryoku.sources import resas
from miryoku.sources.base import FetchContext
from miryoku.sources.tabular import staged_dir

DT = "2026-11-20"


def run(lake, files: dict[str, bytes], **options):
    for name, data in files.items():
        lake.write_bytes(f"landing/files/resas/dt={DT}/{name}", data)
    ctx = FetchContext(DT, "run-resas")
    stats = resas.ingest(lake, ctx, "resas", options)
    silver, rejected = conform_table(lake.read_parquet(staged_dir(ctx, "stat_values_v1", "resas")))
    return stats, silver.to_pylist(), rejected


def test_real_composition_per_year(lake):
    data = real("resas/resas_population_composition_perYear_7prefs_extracted.json")
    stats, rows, rejected = run(lake, {"perYear.json": data})
    # 7 prefectures × (4 labels × 18 years + 3 labels with rate × 18 years)
    assert stats["rows_out"] == 7 * (4 * 18 + 3 * 18) and not rejected
    yamaguchi = [r for r in rows if r["pref_code"] == "35"]
    total = [r for r in yamaguchi if r["tab_name"] == "総人口"]
    assert [(r["period"], r["value"]) for r in total[:3]] == [("1960", 1602207.0), ("1965", 1543573.0),
                                                              ("1970", 1511448.0)]
    young_rate = [r for r in yamaguchi if r["tab_name"] == "年少人口（割合）"]
    assert (young_rate[0]["value"], young_rate[0]["unit"], young_rate[2]["value"]) == (30.6, "%", 23.0)
    assert {r["annotation"] for r in total if int(r["period"]) <= 2015} == {None}
    assert {r["annotation"] for r in total if int(r["period"]) > 2015} == {"projection"}
    assert {r["pref_code"] for r in rows} == {"35", "34", "33", "32", "31", "30", "07"}
    assert yamaguchi[0]["area_name"] == "山口県" and yamaguchi[0]["dataset_id"] == "resas:population/composition/perYear"


def test_errors_returned_with_http_200_are_quarantined(lake):
    good = json.loads(real("resas/resas_population_composition_perYear_7prefs_extracted.json"))[0]
    good.pop("extensions")
    files = {
        "prefCode=35_ok.json": json.dumps(good).encode(),
        "forbidden.json": b'{"statusCode":"403","message":"Forbidden.","description":""}',
        "bad_request.json": b'"400"',
        "null_result.json": b'{"message":"Too Many Requests.","result":null}',
        "unknown.json": b'{"message":null,"result":{"prefName":"x"}}',
        "broken.json": b'{"message":null,"res',
    }
    stats, rows, _ = run(lake, files)
    assert stats["quarantine_reasons"] == {"resas_error": 3, "resas_unknown_shape": 1, "malformed_json": 1}
    assert {r["pref_code"] for r in rows} == {"35"}  # from prefCode=35 in the file name
    quarantined = lake.read_bytes(f"quarantine/stat_values_v1/dt={DT}/resas.jsonl").decode()
    assert "RESAS error 403: Forbidden." in quarantined and "Too Many Requests." in quarantined
