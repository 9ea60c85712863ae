"""The table contracts, the GX suites and the generated DDL say the same thing."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from miryoku.contracts import CONTRACTS
from miryoku.ddl import DDL_DIR, render

ROOT = Path(__file__).resolve().parents[2]


def test_committed_ddl_matches_the_contracts():
    for name, text in render().items():
        assert (DDL_DIR / name).read_text("utf-8") == text, f"run `python -m miryoku.ddl` ({name})"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.table)
def test_each_contract_matches_its_gx_suite(contract):
    suite = json.loads(resources.files("miryoku.expectations").joinpath(f"{contract.layer}.{contract.table}.json").read_text("utf-8"))
    column_sets = [e["kwargs"]["column_set"] for e in suite["expectations"]
                   if e["type"] == "expect_table_columns_to_match_set"]
    assert column_sets, "the suite must pin the table's columns"
    assert set(column_sets[0]) == {name for name, _ in contract.columns} | {contract.partition}


def test_every_gold_table_has_a_sql_folder_with_a_grain():
    for contract in CONTRACTS:
        if contract.layer == "gold":
            folder = ROOT / "sql" / contract.table.removesuffix("_v1")
            assert (folder / "query.sql").exists() and "Grain" in (folder / "README.md").read_text("utf-8")


def test_athena_tables_read_the_symlink_manifests():
    athena = render()["athena.sql"]
    assert athena.count("SymlinkTextInputFormat") == len(CONTRACTS)
    assert "/_symlink/gold/term_daily_v1/" in athena


def test_ddl_can_be_written_to_any_folder(tmp_path, capsys):
    from miryoku.ddl import main

    assert main(["--output", str(tmp_path / "ddl")]) == 0
    written = {p.name: p.read_text("utf-8") for p in (tmp_path / "ddl").iterdir()}
    committed = {p.name: p.read_text("utf-8") for p in (ROOT / "sql" / "ddl").glob("*.sql")}
    assert written == committed
    assert str(tmp_path / "ddl" / "trino.sql") in capsys.readouterr().out
