"""The nightly DAG run by Airflow (dag.test) for two logical dates on a temporary lake.

Expected gold counts are computed here with plain Python from the posts the test writes: every
text is built so the chosen terms appear as whole words, and prefectures are mapped by hand.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pendulum
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.spark]

PREF = {"青森": "02", "佐賀": "41", "北海道": "01"}
TERMS = ["りんご", "いちご", "牛乳", "城"]
POSTS = {
    "2026-01-02": [
        ("a1", "2026-01-01T23:30:00Z", "青森のりんごが最高"),          # 08:30 JST on 01-02
        ("a2", "2026-01-02T10:00:00+09:00", "佐賀のいちご、いちご大好き"),
        ("a3", "2026-01-02T11:00:00+09:00", "北海道の牛乳と青森のりんご"),
        ("a4", "2026-01-02T12:00:00+09:00", "佐賀の城を見た"),
        ("a5", "2026-01-02T12:30:00+09:00", "佐賀のいちご、いちご大好き"),   # a2's author again: a duplicate
        ("a9", "2026-01-02T12:40:00+09:00", "佐賀のいちご、いちご大好き"),   # another person: counted
        ("a6", "2026-01-02T13:00:00+09:00", "RT @someone: 北海道の牛乳と青森のりんご"),  # repost of a3
        ("a7", "2026-01-02T23:59:59+09:00", "牛乳を飲む"),
        ("a8", "2026-01-02T15:00:00+09:00", "Visited Aomori, loved the apples"),  # English
    ],
    "2026-01-03": [
        ("b1", "2026-01-03T00:00:00+09:00", "青森のりんごといちご"),
        ("b2", "2026-01-03T09:00:00+09:00", "佐賀の城といちご https://example.com/x"),
        ("b3", "2026-01-03T10:00:00+09:00", "北海道の牛乳"),
    ],
}
AUTHOR = {"a5": "a2"}  # a5 is written by a2's author
BAD_LINES = [b"{not json", b'{"id": "x1", "created_at": "2026-01-02T10:00:00+09:00"}']


def expected_gold(day: str) -> dict[tuple[str, str], int]:
    """(pref_code, term) → distinct canonical posts, by plain string matching (Japanese posts)."""
    seen, counts = set(), defaultdict(int)
    for post_id, _, text in POSTS[day]:
        if text.isascii():
            continue
        canonical = text.removeprefix("RT @someone: ").split(" https://")[0]
        key = canonical if text.startswith("RT @") else (AUTHOR.get(post_id, post_id), canonical)
        if key in seen or (text.startswith("RT @") and any(k[1] == canonical for k in seen if isinstance(k, tuple))):
            continue
        seen.add(key)
        prefs = {"00"} | {code for name, code in PREF.items() if name in canonical}
        for term in TERMS:
            if term in canonical:
                for pref in prefs:
                    counts[(pref, term)] += 1
    return dict(counts)


def write_landing(lake) -> None:
    for day, posts in POSTS.items():
        lines = [json.dumps({"id": i, "created_at": c, "text": t, "author": f"user-{AUTHOR.get(i, i)}"}, ensure_ascii=False).encode()
                 for i, c, t in posts]
        if day == "2026-01-02":
            lines += BAD_LINES
        lake.write_bytes(f"landing/sns/dashboard/dt={day}/export.jsonl", b"\n".join(lines) + b"\n")


def run_dag(lake, day: str):
    from miryoku.demo import load_dag

    logical = pendulum.datetime(*map(int, day.split("-")), tz="Asia/Tokyo")
    return load_dag().test(logical_date=logical, run_conf={"lake": lake.root, "sources": ["file"]})


def gold(lake):
    import duckdb

    return duckdb.sql(
        f"select dt, pref_code, term, lemma, pos, posts, occurrences from read_parquet("
        f"'{lake.path('gold/term_daily_v1')}/*/*.parquet', hive_partitioning = true, hive_types_autocast = false) "
        "order by all").fetchall()


@pytest.fixture(scope="module")
def nightly(tmp_path_factory, airflow_db):
    from miryoku.lake import Lake

    lake = Lake.from_settings(str(tmp_path_factory.mktemp("e2e") / "lake"))
    write_landing(lake)
    states = [str(run_dag(lake, day).state) for day in POSTS]
    return lake, states


def test_both_dag_runs_succeed(nightly):
    _, states = nightly
    assert all("success" in s for s in states), states


def test_gold_counts_match_an_independent_count(nightly):
    lake, _ = nightly
    rows = gold(lake)
    for day in POSTS:
        got = {(pref, term): posts for dt, pref, term, _, _, posts, _ in rows if dt == day and term in TERMS}
        assert got == expected_gold(day), day


def test_english_posts_are_tokenized_as_english_and_placed(nightly):
    lake, _ = nightly
    rows = {(pref, term, lemma) for dt, pref, term, lemma, _, posts, _ in gold(lake) if dt == "2026-01-02"}
    assert ("02", "apples", "林檎") in rows and ("02", "aomori", "aomori") in rows
    assert not {term for _, term, _ in rows} & {"the", "Aomori", "Apples"}  # stopwords out, lower-cased


def test_a_post_at_2330_utc_lands_on_the_next_jst_day(nightly):
    import duckdb

    lake, _ = nightly
    dt = duckdb.sql(
        f"select dt from read_parquet('{lake.path('silver/posts_v1')}/*/*.parquet', hive_partitioning = true, "
        "hive_types_autocast = false) where post_id = 'dashboard:a1'").fetchall()
    assert dt == [("2026-01-02",)]


def test_rerunning_a_date_gives_identical_gold_rows(nightly):
    lake, _ = nightly
    before = gold(lake)
    assert "success" in str(run_dag(lake, "2026-01-03").state)
    assert gold(lake) == before


def test_bad_lines_are_quarantined_and_counted_in_the_run_summary(nightly):
    from miryoku.lake.quarantine import read_quarantine

    lake, _ = nightly
    reasons = sorted(q["reason"] for q in read_quarantine(lake, "sns_posts", "2026-01-02"))
    assert reasons == ["malformed_json", "missing_text"]
    summaries = [lake.read_json(p) for p in lake.files("_runs/dt=2026-01-02", "summary.json")]
    assert summaries and all(s["rows_quarantined"] == 2 for s in summaries)
    ingest = summaries[0]["steps"]["ingest_file"]
    assert (ingest["rows_in"], ingest["rows_out"], ingest["rows_quarantined"]) == (11, 9, 2)


def test_gate_results_are_kept_under_quality(nightly):
    lake, _ = nightly
    suites = set(p.split("/")[1] for p in lake.files("_quality", ".json"))
    assert suites >= {"bronze.sns_posts_v1", "silver.posts_v1", "silver.post_terms_v1", "gold.term_daily_v1",
                      "gold.category_daily_v1", "gold.cooccurrence_monthly_v1"}
    assert all(lake.read_json(p)["success"] for p in lake.files("_quality", ".json"))


def test_demo_output_is_one_line_per_run_and_the_airflow_log_goes_to_a_file(nightly, tmp_path, capfd):
    from miryoku.demo import nightly_runs, output_to, run_logged

    lake, _ = nightly
    log_file = tmp_path / "demo.log"
    with output_to(log_file) as terminal:
        states = run_logged(nightly_runs(["2026-01-03"], lake.root, ["file"]), terminal, 1, 1)
    # loggers configured before the redirect may still hold pytest's capture stream, so the captured
    # output is checked for the progress line; the demo's own terminal gets only that line
    progress = [line for line in capfd.readouterr().out.splitlines() if line.startswith("[")]
    assert states == ["success"]
    assert len(progress) == 1, progress
    assert progress[0].startswith("[" + "#" * 24 + "]  1/1 miryoku_nightly 2026-01-03")
    assert " success " in progress[0] and "tasks: 11 success" in progress[0]
    logged = log_file.read_text(errors="replace")
    assert "build_gold" in logged and len(logged.splitlines()) > 50
