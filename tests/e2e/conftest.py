"""One sample lake for the end-to-end report and SQL tests: three nightly runs and the disaster watch."""

from __future__ import annotations

import pytest

SAMPLE_DATES = ["2026-01-08", "2026-01-09", "2026-01-10"]


@pytest.fixture(scope="session")
def sample_lake(tmp_path_factory, airflow_db):
    from miryoku.demo import run_disaster_watch
    from miryoku.lake import Lake
    from miryoku.pipeline import run_all

    lake = Lake.from_settings(str(tmp_path_factory.mktemp("sample") / "lake"))
    for day in SAMPLE_DATES:
        run_all(day, f"test-{day}", ["sample", "sample_shipments"], lake.root)
    assert all("success" in s for s in run_disaster_watch(["2026-01-10T21"], lake.root))
    return lake
