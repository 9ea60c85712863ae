"""Smoke tests of the benchmark's corpus generator and of the baseline script it is compared with."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter

import pytest

from benchmarks import baseline_script, corpus

DAY = "2026-03-02"
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def posts():
    return corpus.generate_posts(DAY, 5000)


def test_same_date_and_size_give_the_same_bytes(tmp_path):
    a = corpus.write_day(tmp_path / "a", DAY, 1500)
    b = corpus.write_day(tmp_path / "b", DAY, 1500)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert corpus.generate_posts("2026-03-03", 1500) != corpus.generate_posts(DAY, 1500)


def test_file_drop_layout_and_every_line_accepted_by_the_ingest_parser(tmp_path):
    from miryoku.lake.quarantine import Rejected
    from miryoku.sources.filedrop import parse_line

    files = corpus.write_day(tmp_path, DAY, 1200)
    assert len(files) >= 4
    assert all(p.parent == tmp_path / "landing" / "sns" / "dashboard" / f"dt={DAY}" for p in files)
    assert all(re.fullmatch(r"part-\d{3}\.jsonl", p.name) for p in files)
    lines = [line for p in files for line in p.read_bytes().splitlines()]
    assert len(lines) == 1200
    parsed = [parse_line(line, "file", f"f:{i}", 5000) for i, line in enumerate(lines)]
    assert not [p for p in parsed if isinstance(p, Rejected)]
    records = [json.loads(line) for line in lines]
    assert all(r["created_at"].endswith("+09:00") and r["author"] and r["url"] for r in records)
    assert all(isinstance(r["hashtags"], list) for r in records)
    missing_lang = sum("lang" not in r for r in records)
    assert 0.05 * len(records) < missing_lang < 0.3 * len(records)


def test_english_share_and_length(posts):
    english = sum(not JAPANESE.search(p["text"]) for p in posts) / len(posts)
    assert 0.06 <= english <= 0.10
    assert 55 <= statistics.median(len(p["text"]) for p in posts) <= 75


def test_duplicates_reposts_and_late_posts_present(posts):
    ids = Counter(p["id"] for p in posts)
    same_id = sum(n - 1 for n in ids.values())
    reposts = sum(p["text"].startswith("RT @") for p in posts)
    unique = {p["id"]: p for p in posts}.values()
    same_author_text = len(unique) - len({(p["author"], p["text"]) for p in unique})
    assert same_id > 0 and reposts > 0 and same_author_text > 0
    assert 0.015 <= (same_id + reposts + same_author_text) / len(posts) <= 0.05
    late = sum(p["created_at"].startswith("2026-03-01") for p in posts)
    assert 0 < late < 0.02 * len(posts)


def test_many_places_from_the_gazetteer(posts):
    from miryoku.text.gazetteer import detect_places
    from miryoku.text.normalize import normalize_text

    prefs, munis = set(), set()
    for p in posts[:2000]:
        found = detect_places(normalize_text(p["text"]))
        prefs.update(found[0])
        munis.update(found[1])
    assert len(prefs) >= 40
    assert len(munis) >= 200
    assert sum(p["text"].count("#") > 0 for p in posts) > 0.2 * len(posts)
    assert sum("https://" in p["text"] for p in posts) > 0.1 * len(posts)


HAND_WRITTEN = [
    {"id": "1", "author": "a", "created_at": "2026-03-02T10:00:00+09:00", "text": "青森のりんごを食べた"},
    {"id": "2", "author": "b", "created_at": "2026-03-02T11:00:00+09:00", "text": "RT @a: 青森のりんごを食べた"},
    {"id": "1", "author": "a", "created_at": "2026-03-02T10:00:00+09:00", "text": "青森のりんごを食べた"},
    {"id": "3", "author": "a", "created_at": "2026-03-02T12:00:00+09:00", "text": "青森のりんごを食べた"},
    {"id": "4", "author": "c", "created_at": "2026-03-01T16:00:00Z", "text": "青森の海は寒い https://example.com/x"},
    {"id": "5", "author": "a", "created_at": "2026-03-01T23:30:00+09:00", "text": "静かな青森"},
    {"id": "6", "author": "d", "created_at": "2026-03-02T13:00:00+09:00", "text": "ＲＴする青森"},
]


def test_baseline_counts_on_a_hand_written_corpus(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    lines = [json.dumps(p, ensure_ascii=False) for p in HAND_WRITTEN]
    (folder / "part-000.jsonl").write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    (folder / "part-001.jsonl").write_text("\n".join(lines[4:]) + "\n", encoding="utf-8")
    # kept: 1 (3 is author a's repeat, 2 a repost, the second 1 a re-export), 4 (16:00Z = 01:00 JST
    # on 03-02), 5 (dated 03-01), 6 (full-width ＲＴ folded to RT but no "@x:": not a repost)
    expected = {
        ("2026-03-02", "青森"): 3, ("2026-03-02", "りんご"): 1, ("2026-03-02", "食べる"): 1,
        ("2026-03-02", "海"): 1, ("2026-03-02", "寒い"): 1,
        ("2026-03-02", "RT"): 1, ("2026-03-02", "する"): 1,
        ("2026-03-01", "静か"): 1, ("2026-03-01", "青森"): 1,
    }
    assert dict(baseline_script.count_terms(folder)) == expected
    out = tmp_path / "counts.tsv"
    assert baseline_script.main([str(folder), "--output", str(out)]) == 0
    rows = out.read_text("utf-8").splitlines()
    assert rows[0] == "dt\tterm\tposts"
    assert rows[1] == "2026-03-01\t青森\t1"
    assert "2026-03-02\t青森\t3" in rows


def test_step_times_use_reported_seconds_else_the_gap_between_steps():
    import datetime as dt

    from benchmarks.lake_run import step_times

    summary = {"steps": {
        "ingest_file": {"finished_at": "2026-03-02T00:00:10+00:00"},
        "build_silver": {"finished_at": "2026-03-02T00:01:00+00:00", "seconds": 42.5, "tokenize_seconds": 30.0},
        "publish": {"finished_at": "2026-03-02T00:01:05+00:00"},
    }}
    rows = step_times(summary, dt.datetime(2026, 3, 2, 0, 0, 4, tzinfo=dt.UTC))
    assert [(r["step"], r["seconds"], r["how"]) for r in rows] == [
        ("ingest_file", 6.0, "since the command started"), ("build_silver", 42.5, "reported"),
        ("publish", 5.0, "finished_at gap")]
    assert rows[1]["extra"] == {"tokenize_seconds": 30.0}


def test_top_term_agreement_on_hand_written_counts():
    from benchmarks.agreement import compare

    script = {"青森": 9, "りんご": 8, "食べる": 7, "市": 6}
    lake = {"青森": 10, "りんご": 7, "食べる": 8, "産": 5}
    result = compare(script, lake, n=3)
    assert result.overlap == 3  # 青森, りんご, 食べる are the top three on both sides
    assert result.spearman_common == pytest.approx(0.5)  # ranks 1,2,3 vs 1,3,2
    assert result.baseline_only == [] and result.lake_only == []


def test_process_tree_peak_includes_children(tmp_path):
    import sys

    from benchmarks.proctree import run_sampled

    child = "import time; b = b\"x\" * (300 * 1024 * 1024); time.sleep(1.5)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    stats = run_sampled([sys.executable, "-c", parent])
    assert stats.returncode == 0
    assert stats.peak_role_rss["python workers"] >= 300 * 1024 * 1024
    assert stats.peak_tree_rss >= stats.peak_role_rss["python workers"] + stats.peak_role_rss["driver"] - 1


def test_a_java_child_of_the_jvm_is_a_helper_not_counted_as_the_jvm():
    from benchmarks.proctree import IN_TREE_SUM, role_of

    class Proc:
        def __init__(self, pid, name, parent=None):
            self.pid, self._name, self._parent = pid, name, parent

        def name(self):
            return self._name

        def parent(self):
            return self._parent

    driver = Proc(1, "python3.11")
    jvm = Proc(2, "java", driver)
    assert role_of(driver, 1) == "driver"
    assert role_of(jvm, 1) == "jvm"
    assert role_of(Proc(3, "java", jvm), 1) == "vfork"  # forked, not yet exec'd: the JVM's pages
    assert role_of(Proc(4, "chmod", jvm), 1) == "other"
    assert role_of(Proc(5, "python3.11", jvm), 1) == "python workers"
    assert "vfork" not in IN_TREE_SUM and "other" not in IN_TREE_SUM


def test_pages_a_forked_worker_shares_count_once_in_the_pss_sum():
    import sys

    from benchmarks.proctree import run_sampled

    # 300 MB touched before the fork: both processes map the same pages until one writes them
    code = ("import os, time; b = bytearray(300 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); "
            "pid = os.fork(); time.sleep(2.0); pid and os.waitpid(pid, 0)")
    stats = run_sampled([sys.executable, "-c", code])
    assert stats.returncode == 0
    assert stats.peak_tree_rss >= 2 * 300 * 1024 * 1024
    assert 300 * 1024 * 1024 <= stats.peak_tree_pss < 1.3 * 300 * 1024 * 1024
