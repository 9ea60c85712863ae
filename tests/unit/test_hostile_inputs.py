"""Landing files of the file-based sources (market, open data, e-Stat CSV, RESAS) never follow links."""

from __future__ import annotations

import os

from miryoku.sources.base import FetchContext
from miryoku.sources.inputs import iter_inputs, list_inputs, refused_inputs

CTX = FetchContext("2026-01-02", "run1")


def test_links_are_refused_and_listed_regular_files_read(lake, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("secret,row\n")
    folder = "landing/files/market/dt=2026-01-02"
    lake.write_bytes(f"{folder}/a.csv", b"item,amount\n")
    os.symlink(outside, lake.path(f"{folder}/b.csv"))
    os.symlink(tmp_path, lake.path(f"{folder}/linked"))
    assert list_inputs(lake, CTX, "market", {}, (".csv",)) == [f"{folder}/a.csv"]
    assert {(s.file, s.reason) for s in refused_inputs(lake, CTX, "market", {})} == {
        (f"{folder}/b.csv", "symlink_refused"), (f"{folder}/linked", "symlink_refused")}
    assert [f.data for _, f in iter_inputs(lake, CTX, "market", {}, (".csv",))] == [b"item,amount\n"]
