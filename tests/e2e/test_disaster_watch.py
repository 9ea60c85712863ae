"""The hourly disaster watch publishes its gold table and nothing else: the nightly run is the one
writer of published bronze, so the two DAGs never swap a partition under each other."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.spark]


def test_the_watch_publishes_only_disaster_hourly(sample_lake):
    day = "2026-01-10"  # the sample lake's last nightly date, watched at 21:00 JST
    bronze = sample_lake.files(f"_published/bronze/sns_posts_v1/dt={day}", ".json")
    assert bronze
    # every published bronze folder of the watched day is the nightly run's, none the watch's
    assert {sample_lake.read_json(m)["run_id"] for m in bronze} == {f"test-{day}"}
    hourly = sample_lake.read_json(f"_published/gold/disaster_hourly_v1/dt={day}.json")
    assert hourly["run_id"] != f"test-{day}" and hourly["files"]
    assert sample_lake.files("_staging") == []  # the watch's staged bronze went with its publish
