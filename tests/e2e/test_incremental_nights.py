"""Nights in sequence with late posts, re-fetched posts and re-runs: incremental silver keeps every post once.

Expected counts are worked out by hand from the landing lines below; gold is also recomputed from the
published silver with DuckDB (an independent implementation of the aggregation) and must be identical.
"""

from __future__ import annotations

import json

import pytest

from miryoku.pipeline import run_all

pytestmark = [pytest.mark.e2e, pytest.mark.spark]

D1, D2, D3 = "2026-03-01", "2026-03-02", "2026-03-03"


def line(pid, created, text, author):
    return json.dumps({"id": pid, "created_at": created, "text": text, "author": author}, ensure_ascii=False)


LANDING = {
    D1: [line("a1", f"{D1}T09:00:00+09:00", "青森のりんごが最高", "u1"),
         line("a2", f"{D1}T10:00:00+09:00", "温泉最高", "u2"),
         line("a3", f"{D1}T11:00:00+09:00", "温泉最高", "u3"),          # another person: counted
         line("a4", f"{D1}T12:00:00+09:00", "温泉最高", "u2"),          # u2 again: a duplicate
         line("t1", f"{D1}T13:00:00+09:00", "佐賀のいちご", "u4"),
         line("t1", f"{D1}T13:00:00+09:00", "佐賀のいちご大好き", "u4")],  # same id twice in one fetch
    D2: [line("b1", f"{D2}T09:00:00+09:00", "佐賀の城", "u5"),
         line("late", f"{D1}T23:00:00+09:00", "北海道の牛乳", "u6"),   # posted on D1, arrived with D2
         line("a1", f"{D1}T09:00:00+09:00", "青森のりんごが最高", "u1")],  # D1's post fetched again
    D3: [line("c1", f"{D3}T09:00:00+09:00", "青森のりんご", "u7")],
}
# canonical posts per day, by hand: D1 = a1, a2, a3, t1, late; D2 = b1; D3 = c1
CANONICAL = {D1: 5, D2: 1, D3: 1}


def write_landing(lake, day, reverse=False):
    lines = LANDING[day][::-1] if reverse else LANDING[day]
    lake.write_bytes(f"landing/sns/dash/dt={day}/export.jsonl", ("\n".join(lines) + "\n").encode())


def night(lake, day, run):
    return run_all(day, run, ["file"], lake.root)


def posts(lake, day):
    import duckdb

    return duckdb.sql(f"select post_id, text_norm, is_duplicate_of from read_parquet('{lake.path('silver/posts_v1')}"
                      f"/dt={day}/*.parquet') order by post_id").fetchall()


def gold_terms(lake):
    import duckdb

    return duckdb.sql(
        f"select dt, pref_code, term, lemma, pos, posts, occurrences from read_parquet("
        f"'{lake.path('gold/term_daily_v1')}/*/*.parquet', hive_partitioning = true, hive_types_autocast = false) "
        "order by all").fetchall()


def recomputed_from_silver(lake):
    """term_daily recomputed from published posts_v1 + post_terms_v1 with SQL: canonical posts × prefectures."""
    import duckdb

    base = lake.path("silver")
    return duckdb.sql(f"""
        with posts as (
            select post_id, dt, list_distinct(list_concat(coalesce(pref_codes, []), ['00'])) as prefs
            from read_parquet('{base}/posts_v1/*/*.parquet', hive_partitioning = true, hive_types_autocast = false)
            where is_duplicate_of is null
        ), terms as (
            select * from read_parquet('{base}/post_terms_v1/*/*.parquet', hive_partitioning = true,
                                       hive_types_autocast = false)
        ), exploded as (
            select t.dt, unnest(p.prefs) as pref_code, t.term, t.lemma, t.pos, t.n
            from terms t join posts p using (dt, post_id)
        )
        select dt, pref_code, term, lemma, pos, count(*) as posts, sum(n) as occ
        from exploded group by all order by all""").fetchall()


def pref_daily_all_japan(lake):
    import duckdb

    return dict(duckdb.sql(
        f"select dt, posts from read_parquet('{lake.path('gold/pref_daily_v1')}/*/*.parquet', hive_partitioning = "
        "true, hive_types_autocast = false) where pref_code = '00'").fetchall())


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    from miryoku.lake import Lake

    lake = Lake.from_settings(str(tmp_path_factory.mktemp("nights") / "lake"))
    for day in LANDING:
        write_landing(lake, day)
    return lake


def test_late_and_refetched_posts_land_once_in_their_own_day_and_survive_a_rerun(lake):
    night(lake, D1, "n1")
    assert [p[0] for p in posts(lake, D1)] == ["dash:a1", "dash:a2", "dash:a3", "dash:a4", "dash:t1"]
    night(lake, D2, "n2")
    night(lake, D3, "n3")
    after_d2 = posts(lake, D1)
    assert [p[0] for p in after_d2] == ["dash:a1", "dash:a2", "dash:a3", "dash:a4", "dash:late", "dash:t1"]
    assert dict((p[0], p[2]) for p in after_d2)["dash:a4"] == "dash:a2"
    assert pref_daily_all_japan(lake) == CANONICAL

    write_landing(lake, D1, reverse=True)  # the same export re-delivered in another order
    summary = night(lake, D1, "n1-rerun")
    rerun = posts(lake, D1)
    assert [p[0] for p in rerun] == [p[0] for p in after_d2]  # the late post stays, nothing doubled
    assert dict((p[0], p[1]) for p in rerun)["dash:t1"] == dict((p[0], p[1]) for p in after_d2)["dash:t1"]
    assert pref_daily_all_japan(lake) == CANONICAL
    assert summary["steps"]["build_silver"]["days"] == [D1]


def test_gold_equals_a_recomputation_from_silver(lake):
    assert gold_terms(lake) == recomputed_from_silver(lake)


def test_each_bronze_folder_is_tokenized_once(lake):
    """A night enriches only bronze folders it has not seen; the re-run of D1 re-enriched only D1's."""
    summaries = {run: lake.read_json(f"_runs/dt={day}/{run}/summary.json")["steps"]["build_silver"]
                 for day, run in ((D2, "n2"), (D3, "n3"), (D1, "n1-rerun"))}
    assert summaries["n2"]["origins"] == [f"{D2}_dash"]
    assert summaries["n3"]["origins"] == [f"{D3}_dash"]
    assert summaries["n1-rerun"]["origins"] == [f"{D1}_dash"]
    assert summaries["n3"]["enriched"] == 1
