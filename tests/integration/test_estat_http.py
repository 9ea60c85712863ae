"""e-Stat getStatsData against a replaying server built from the real 労働力調査 response."""

from __future__ import annotations

import copy
import json

import pytest
from replay_server import REALDATA, Reply

from miryoku.conform import stats as conform_stats
from miryoku.sources import estat
from miryoku.sources.base import FetchContext
from miryoku.sources.estat import EstatError
from miryoku.sources.http import HttpClient, RetryPolicy
from miryoku.sources.tabular import run_tabular, staged_dir

pytestmark = pytest.mark.integration

DT = "2026-11-20"
PATH = "/rest/3.0/app/json/getStatsData"
APP_ID = "0123456789abcdef-app-id"


def real() -> dict:
    return json.loads((REALDATA / "estat" / "estat_getStatsData_0003005798_roudouryoku_extracted.json").read_text())


def paged(values: list[dict], start: int, next_key: int | None, total: int, template=None) -> dict:
    body = copy.deepcopy(template or real())
    data = body["GET_STATS_DATA"]["STATISTICAL_DATA"]
    data["DATA_INF"]["VALUE"] = values[0] if len(values) == 1 else values
    info = {"TOTAL_NUMBER": total, "FROM_NUMBER": start, "TO_NUMBER": start + len(values) - 1}
    if next_key:
        info["NEXT_KEY"] = next_key
    data["RESULT_INF"] = info
    return body


def options(replay, **extra):
    return {"base_url": replay.base + "/rest/3.0/app/json", "app_id_env": "TEST_ESTAT_APP_ID",
            "tables": [{"id": "0003005798", "params": {"cdTime": "2024000101"}}], "page_size": 6, **extra}


def client(sleeps):
    return HttpClient(policy=RetryPolicy(attempts=3, base_delay=0.01, max_wait_total=30), sleep=sleeps.append)


@pytest.fixture(autouse=True)
def app_id(monkeypatch):
    monkeypatch.setenv("TEST_ESTAT_APP_ID", APP_ID)


def staged(lake, ctx, table="stat_values_v1"):
    return lake.read_parquet(staged_dir(ctx, table, "estat")).to_pylist()


def test_next_key_paging_class_names_and_no_app_id_in_the_lake(replay, lake, sleeps):
    values = real()["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"]
    replay.add(PATH, Reply(200, paged(values[:6], 1, 7, 15)), Reply(503, "busy", {"Retry-After": "1"}),
               Reply(200, paged(values[6:12], 7, 13, 15)), Reply(200, paged(values[12:], 13, None, 15)))
    ctx = FetchContext(DT, "run-1")
    result = run_tabular(lake, "estat", estat.fetch_for("estat", options(replay), client(sleeps)), ctx,
                         ["stat_values_v1"])
    assert result["rows_out"] == 15 and result["pages"] == 3 and sleeps[0] >= 1.0
    hits = replay.hits(PATH)
    assert [h.query["startPosition"] for h in hits] == ["1", "7", "7", "13"]
    assert hits[0].query["appId"] == APP_ID and hits[0].query["cdTime"] == "2024000101"
    rows = staged(lake, ctx)
    assert rows[0]["value"] == "10993" and rows[0]["unit"] == "万人"
    assert json.loads(rows[0]["cat_names"]) == {"cat01": "全産業", "cat02": "15歳以上人口", "cat03": "総数"}
    assert rows[0]["area_name"] == "全国" and rows[0]["time_name"] == "2024年1月"
    assert APP_ID not in json.dumps(rows, default=str, ensure_ascii=False)
    assert "appId=***" in rows[0]["source_url"]


def test_single_object_value_and_note_placeholders_become_null_with_flag(replay, lake, sleeps):
    body = real()
    values = body["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"]
    values[3]["$"], values[4]["$"], values[5]["$"], values[6]["$"] = "***", "…", "0", "-"
    replay.add(PATH, Reply(200, paged(values[:7], 1, 8, 8, body)), Reply(200, paged(values[7:8], 8, None, 8, body)))
    ctx = FetchContext(DT, "run-2")
    run_tabular(lake, "estat", estat.fetch_for("estat", options(replay, page_size=7), client(sleeps)), ctx,
                ["stat_values_v1"])
    rows = staged(lake, ctx)
    assert len(rows) == 8 and rows[7]["value"] == "3682"  # the one-object VALUE page
    import pyarrow as pa

    silver, rejected = conform_stats.conform_table(pa.Table.from_pylist(rows))
    got = silver.to_pylist()
    assert rejected == []
    assert [(r["value"], r["note_flag"]) for r in got[3:7]] == [(None, "***"), (None, "…"), (0.0, "0"), (None, "-")]
    assert got[3]["note_text"].startswith("該当数値がないもの")
    assert got[0]["value"] == 10993.0 and got[0]["period"] == "2024-01" and got[0]["pref_code"] == "00"


def test_non_zero_status_is_an_error_with_its_message(replay, lake, sleeps):
    replay.add(PATH, Reply(200, {"GET_STATS_DATA": {"RESULT": {
        "STATUS": 100, "ERROR_MSG": "認証に失敗しました。アプリケーションIDを確認して下さい。",
        "DATE": "2026-11-21T00:10:00.000+09:00"}, "PARAMETER": {"LANG": "J", "DATA_FORMAT": "J"}}}))
    with pytest.raises(EstatError, match="STATUS 100.*アプリケーションIDを確認") as err:
        run_tabular(lake, "estat", estat.fetch_for("estat", options(replay), client(sleeps)),
                    FetchContext(DT, "run-3"), ["stat_values_v1"])
    assert APP_ID not in str(err.value)


def test_status_1_is_an_empty_result(replay, lake, sleeps):
    replay.add(PATH, Reply(200, {"GET_STATS_DATA": {"RESULT": {
        "STATUS": 1, "ERROR_MSG": "正常に終了しましたが、該当データはありませんでした。"}}}))
    ctx = FetchContext(DT, "run-4")
    result = run_tabular(lake, "estat", estat.fetch_for("estat", options(replay), client(sleeps)), ctx,
                         ["stat_values_v1"])
    assert result["rows_out"] == 0
    assert lake.read_parquet(staged_dir(ctx, "stat_values_v1", "estat")).num_rows == 0  # D is replaced by empty


def test_truncated_then_good_body_and_shipments_mapping(replay, lake, sleeps):
    values = real()["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"]
    replay.add(PATH, Reply(200, paged(values[:3], 1, None, 3), truncate=True), Reply(200, paged(values[:3], 1, None, 3)))
    opts = options(replay)
    opts["tables"][0]["shipments"] = {"item": "cat02", "unit": "万人"}
    ctx = FetchContext(DT, "run-5")
    result = run_tabular(lake, "estat", estat.fetch_for("estat", opts, client(sleeps)), ctx,
                         ["stat_values_v1", "shipments_raw_v1"])
    assert result["tables"] == {"shipments_raw_v1": 3, "stat_values_v1": 3}
    ship = staged(lake, ctx, "shipments_raw_v1")
    assert (ship[0]["item"], ship[0]["origin"], ship[0]["period"], ship[0]["quantity"]) == (
        "15歳以上人口", "全国", "2024000101", "10993")


def test_killed_between_pages_resumes_from_next_key(replay, lake, sleeps):
    values = real()["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"]
    pages = [Reply(200, paged(values[i:i + 5], i + 1, i + 6 if i + 5 < 15 else None, 15)) for i in (0, 5, 10)]
    replay.add(PATH, *pages)
    ctx = FetchContext(DT, "run-kill")
    fetch = estat.fetch_for("estat", options(replay, page_size=5), client(sleeps))

    def dies_after_two(c, resume):
        for n, page in enumerate(fetch(c, resume), start=1):
            yield page
            if n == 2:
                raise ConnectionResetError("worker lost")

    with pytest.raises(ConnectionResetError):
        run_tabular(lake, "estat", dies_after_two, ctx, ["stat_values_v1"])
    replay.add(PATH, pages[2])
    run_tabular(lake, "estat", fetch, ctx, ["stat_values_v1"])
    rows = staged(lake, ctx)
    keys = [(r["value"], r["cat_codes"]) for r in rows]
    assert len(rows) == 15 and len(set(keys)) == 15
    assert replay.hits(PATH)[-1].query["startPosition"] == "11"
