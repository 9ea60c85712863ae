"""Typed companions of text columns (``fee_yen``, ``note_date``) and the standard datasets' headers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from miryoku.conform.companions import date_of, yen_of
from miryoku.conform.opendata import conform_table
from miryoku.conform.opendata_schemas import match_columns, muni_code_column
from miryoku.sources import opendata
from miryoku.sources.base import FetchContext
from miryoku.sources.tabular import staged_dir

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "opendata"
DT = "2026-11-20"


@pytest.mark.parametrize(("text", "value"), [
    ("３２０円", (320, None)), ("600円", (600, None)), ("無料", (0, None)), ("0円", (0, None)),
    ("¥1,000", (1000, None)), ("1,200円（税込）", (1200, None)), ("千円", (1000, None)), ("1万円", (10000, None)),
    ("600", (600, None)), ("大人500円・子ども300円", (None, "several_amounts")),
    ("大人500円、小学生以下無料", (None, "several_amounts")), ("有料", (None, "no_amount")),
    ("要問合せ", (None, "no_amount")), ("千二三四円", (None, "unreadable")), ("", (None, None)), (None, (None, None)),
])
def test_yen_of(text, value):
    assert yen_of(text) == value


@pytest.mark.parametrize(("text", "value"), [
    ("備考: 令和元年5月1日更新", ("2019-05-01", None)), ("平成元年1月8日開園", ("1989-01-08", None)),
    ("年末年始を除く", (None, "no_date")), ("", (None, None)),
])
def test_date_of(text, value):
    assert date_of(text) == value


def standard_headers() -> list[tuple[str, list[str]]]:
    rows = []
    for line in (FIXTURES / "standard_headers.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            dataset, header = line.split("\t")
            rows.append((dataset, header.split(",")))
    return rows


@pytest.mark.parametrize(("dataset", "headers"), standard_headers(), ids=[d for d, _ in standard_headers()])
def test_every_standard_header_is_recognised(dataset, headers):
    mapped = set(match_columns(dataset, headers).values())
    code = muni_code_column(headers)
    unmapped = [h for h in headers if h not in mapped and (code is None or h != code[0])]
    assert unmapped == []


def test_cp932_standard_tourism_file_gets_typed_companions(lake):
    lake.write_bytes(f"landing/files/od/dt={DT}/kanko.csv", (FIXTURES / "standard_tourism_cp932.csv").read_bytes())
    ctx = FetchContext(DT, "run-od")
    stats = opendata.ingest(lake, ctx, "od", {"dataset": "tourism"})
    bronze = lake.read_parquet(staged_dir(ctx, "opendata_tourism_v1", "od"))
    silver, rejected = conform_table("tourism", bronze)
    rows = {r["record_id"]: r for r in silver.to_pylist()}
    assert stats["rows_out"] == 4 and not rejected and bronze.column("encoding")[0].as_py() == "cp932"
    park, museum, onsen, view = rows["T0001"], rows["T0002"], rows["T0003"], rows["T0004"]
    assert park["name_en"] == "Kakuu Castle Park" and park["description_en"] == "Castle ruins park."
    assert (park["fee"], park["fee_yen"], park["fee_yen_flag"]) == ("無料", 0, None)
    assert (park["lat"], park["lon"]) == (35.6812, 139.7671)  # full-width digits and point
    assert park["note_date"] == "2019-05-01" and park["note"] == "備考: 令和元年5月1日更新"
    assert (museum["fee"], museum["fee_yen"]) == ("３２０円", 320)
    assert museum["fee_detail"] == "大人３２０円\n小中学生１６０円" and museum["fee_detail_yen_flag"] == "several_amounts"
    assert museum["address_detail"] == "㈱架空ビル２階" and museum["note_date"] == "1989-01-08"
    assert (onsen["fee_yen"], onsen["note_date"]) == (600, "2020-04-01")
    assert (view["fee_yen"], view["fee_yen_flag"], view["note_date"], view["note_date_flag"]) == (
        None, "no_amount", None, None)
    assert json.loads(park["attributes"])["名称_英字"] == "Kakuu Castle Park"
