"""``miryoku run`` for one date, and a failing gate that leaves the last good data served."""

from __future__ import annotations

import json
import shutil
from importlib import resources

import pytest

from miryoku.cli import main

pytestmark = [pytest.mark.e2e, pytest.mark.spark]


def gold_files(lake):
    return {p: lake.read_bytes(p) for p in lake.files("gold/term_daily_v1", ".parquet")}


def test_run_one_date_with_only_the_file_drop_then_a_failing_gold_gate(lake, tmp_path, monkeypatch, capsys):
    post = {"id": "p1", "created_at": "2026-02-01T12:00:00+09:00", "text": "佐賀のいちご"}
    lake.write_bytes("landing/sns/dash/dt=2026-02-01/a.jsonl", json.dumps(post, ensure_ascii=False).encode())
    assert main(["run", "--date", "2026-02-01", "--lake", lake.root, "--sources", "file", "--run-id", "r1"]) == 0
    assert '"gate_gold": true' in capsys.readouterr().out
    summary = lake.read_json("_runs/dt=2026-02-01/r1/summary.json")
    assert list(k for k in summary["steps"] if k.startswith("ingest")) == ["ingest_file"]
    assert summary["gates"] == {"gate_bronze": True, "gate_silver": True, "gate_gold": True}
    good = gold_files(lake)
    assert good

    strict = tmp_path / "expectations"
    shutil.copytree(str(resources.files("miryoku.expectations")), strict)
    suite = json.loads((strict / "gold.term_daily_v1.json").read_text())
    suite["expectations"].append({"type": "expect_table_row_count_to_be_between",
                                  "kwargs": {"min_value": 1000000}})
    (strict / "gold.term_daily_v1.json").write_text(json.dumps(suite))
    monkeypatch.setenv("MIRYOKU_EXPECTATIONS_DIR", str(strict))
    lake.write_bytes("landing/sns/dash/dt=2026-02-01/b.jsonl",
                     json.dumps({**post, "id": "p2", "text": "青森のりんご"}, ensure_ascii=False).encode())
    assert main(["run", "--date", "2026-02-01", "--lake", lake.root, "--sources", "file", "--run-id", "r2"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "expect_table_row_count_to_be_between" in error  # one line, names the check
    assert gold_files(lake) == good
    assert not lake.exists("silver/posts_v1/dt=2026-02-01") or lake.read_parquet(
        "silver/posts_v1/dt=2026-02-01").num_rows == 1


def test_an_export_with_regional_language_tags_passes_every_gate(lake, capsys):
    """Dashboards export BCP 47 tags ('ja-JP', 'EN-us'): silver keeps the language, not the spelling, so
    such an export is published instead of failing the silver gate night after night."""
    tags = ["ja-JP", "ja_JP", "EN-us", "en-GB", "zh-Hant-TW", "fr"]
    texts = ["佐賀のいちごが甘い", "青森のりんご", "great strawberries in Saga", "lovely onsen in Beppu",
             "台灣的草莓", "京都の抹茶パフェ"]
    lines = [json.dumps({"id": f"t{i}", "created_at": "2026-02-01T12:00:00+09:00", "text": text, "lang": tag,
                         "author": f"a{i}"}, ensure_ascii=False) for i, (tag, text) in enumerate(zip(tags, texts, strict=True))]
    lake.write_bytes("landing/sns/dash/dt=2026-02-01/a.jsonl", "\n".join(lines).encode())
    assert main(["run", "--date", "2026-02-01", "--lake", lake.root, "--sources", "file", "--run-id", "tags"]) == 0
    assert '"gate_silver": true' in capsys.readouterr().out
    posts = lake.read_parquet("silver/posts_v1/dt=2026-02-01").to_pylist()
    # 'fr' is no language silver records: the text's script decides (Japanese here)
    assert {p["post_id"]: p["lang"] for p in posts} == {
        "dash:t0": "ja", "dash:t1": "ja", "dash:t2": "en", "dash:t3": "en", "dash:t4": "zh", "dash:t5": "ja"}
