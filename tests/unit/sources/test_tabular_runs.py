"""run_tabular: staging per (table, source), resume after a crash, stale files from a dead attempt."""

from __future__ import annotations

import pytest
from realfiles import real

from miryoku.sources import opendata
from miryoku.sources.base import FetchContext
from miryoku.sources.tabular import run_tabular, staged_dir

DT = "2026-11-20"


def test_file_source_killed_after_two_files_resumes_without_duplicates(lake):
    for name in ("a", "b", "c"):
        lake.write_bytes(f"landing/files/od/dt={DT}/{name}.csv", real("opendata/handa_232050_kanko.csv"))
    ctx = FetchContext(DT, "run-1")
    fetch = opendata.fetch_for(lake, "od", {"dataset": "tourism"})
    read = []

    def dies_after_two(c, resume):
        for n, page in enumerate(fetch(c, resume), start=1):
            read.append(page.resume)
            yield page
            if n == 2:
                raise MemoryError("OOM-killed")

    with pytest.raises(MemoryError):
        run_tabular(lake, "od", dies_after_two, ctx, ["opendata_tourism_v1"])
    result = run_tabular(lake, "od", fetch, ctx, ["opendata_tourism_v1"])
    table = lake.read_parquet(staged_dir(ctx, "opendata_tourism_v1", "od"))
    assert table.num_rows == 81 and result["rows_out"] == 81 and result["pages"] == 3
    keys = list(zip(table.column("source_url").to_pylist(), table.column("row_no").to_pylist(), strict=True))
    assert len(set(keys)) == 81


def test_fresh_attempt_clears_files_left_by_an_attempt_that_saved_no_progress(lake):
    ctx = FetchContext(DT, "run-2")
    stale = f"{staged_dir(ctx, 'opendata_tourism_v1', 'od')}/part-00001.parquet"
    lake.write_bytes(stale, b"junk")
    lake.write_bytes(f"landing/files/od/dt={DT}/a.csv", real("opendata/handa_232050_kanko.csv"))
    run_tabular(lake, "od", opendata.fetch_for(lake, "od", {"dataset": "tourism"}), ctx, ["opendata_tourism_v1"])
    assert lake.read_parquet(staged_dir(ctx, "opendata_tourism_v1", "od")).num_rows == 27


def test_declared_table_without_rows_is_staged_empty(lake):
    ctx = FetchContext(DT, "run-3")
    result = run_tabular(lake, "od", opendata.fetch_for(lake, "od", {"dataset": "tourism"}), ctx,
                         ["opendata_tourism_v1"])
    assert result["rows_out"] == 0
    assert lake.read_parquet(staged_dir(ctx, "opendata_tourism_v1", "od")).num_rows == 0
