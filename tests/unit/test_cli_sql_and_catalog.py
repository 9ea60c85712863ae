"""The CLI's input checks and exit codes, ``miryoku sql``, the catalog and the distinctiveness score,
over a small lake written by hand (no JVM): every expected number below is worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from miryoku.cli import main

ROOT = Path(__file__).resolve().parents[2]
Q06 = str(ROOT / "sql" / "questions" / "06_distinctive_terms.sql")


def _write(root: Path, rel: str, rows: list[dict]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)


@pytest.fixture
def small_lake(tmp_path) -> Path:
    """2026-01-01: 40 canonical posts, 10 of them naming 北海道 (01), one duplicate (not counted);
    ソフト in 4 Hokkaido posts and 5 posts nationwide; 北海道 (a place name) in all 10."""
    root = tmp_path / "lake"
    posts = [{"post_id": f"s:{i}", "pref_codes": ["01"] if i < 10 else [], "is_duplicate_of": None}
             for i in range(40)]
    posts.append({"post_id": "s:dup", "pref_codes": ["01"], "is_duplicate_of": "s:0"})
    _write(root, "silver/posts_v1/dt=2026-01-01/part-0.parquet", posts)
    term = lambda pref, t, n: {"pref_code": pref, "term": t, "lemma": t, "pos": "名詞", "posts": n,  # noqa: E731
                               "occurrences": n}
    _write(root, "gold/term_daily_v1/dt=2026-01-01/part-0.parquet",
           [term("01", "ソフト", 4), term("00", "ソフト", 5), term("01", "北海道", 10), term("00", "北海道", 10),
            term("01", "景色", 2), term("00", "景色", 20)])
    _write(root, "bronze/sns_posts_v1/dt=2026-01-01/sample/page-00000.parquet",
           [{"post_id": "1", "raw": '{"synthetic": true}'}])
    return root


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err


@pytest.mark.parametrize("bad", ["20260310", "2026-W07-2", "../../x", "2026-02-30",
                                 "2026-01-01'; copy (select 42) to 'x.csv'; --"])
def test_a_date_not_yyyy_mm_dd_is_a_one_line_usage_error(bad, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (["run", "--date", bad], ["report", "--date", bad], ["report", "--from", bad]):
        with pytest.raises(SystemExit) as exit_info:
            main(command)
        assert exit_info.value.code == 2
        err = _one_line_error(capsys)
        assert "YYYY-MM-DD" in err or "not a calendar date" in err
    assert not list(tmp_path.iterdir())


def test_report_without_a_lake_names_the_fix(tmp_path, capsys):
    assert main(["report", "--lake", str(tmp_path / "nowhere")]) == 3
    assert "--lake" in _one_line_error(capsys)


def test_report_outside_the_published_dates(small_lake, capsys):
    assert main(["report", "--lake", str(small_lake), "--from", "2027-01-01", "--to", "2027-01-02"]) == 3
    assert "2026-01-01" in _one_line_error(capsys)


def test_distinctiveness_by_hand(small_lake, capsys, tmp_path):
    out = tmp_path / "q06.csv"
    assert main(["sql", Q06, "--lake", str(small_lake), "--var", "dt_from=2026-01-01", "--var", "dt_to=2026-01-01",
                 "--var", "min_posts=2", "--var", "top_n=5", "--output", str(out)]) == 0
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    # ソフト: (4 / 10) / (5 / 40) = 3.2; 景色: (2 / 10) / (20 / 40) = 0.4; 北海道 is a place name
    assert [(r["term"], round(float(r["distinctiveness"]), 6)) for r in rows] == [("ソフト", 3.2), ("景色", 0.4)]
    assert {r["pref_posts"] for r in rows} == {"10"} and {r["national_posts"] for r in rows} == {"40"}
    assert rows[0]["pref_name"] == "北海道"


def test_minimum_support_leaves_small_counts_out(small_lake, capsys):
    assert main(["sql", Q06, "--lake", str(small_lake), "--var", "dt_from=2026-01-01", "--var", "dt_to=2026-01-01",
                 "--var", "min_posts=3", "--var", "top_n=5"]) == 0
    printed = capsys.readouterr().out
    assert "ソフト" in printed and "景色" not in printed


def test_an_unset_variable_is_named(small_lake, capsys):
    assert main(["sql", Q06, "--lake", str(small_lake), "--var", "dt_from=2026-01-01"]) == 2
    assert "'dt_to'" in _one_line_error(capsys)
    assert main(["sql", Q06, "--lake", str(small_lake), "--var", "dt_from=2026-01-01", "--var", "dt_to=2026-01-01",
                 "--var", "min_posts=many", "--var", "top_n=5"]) == 2
    assert "integer" in _one_line_error(capsys)


def test_values_are_bound_not_pasted(small_lake, tmp_path, monkeypatch):
    from miryoku.lake import Lake
    from miryoku.report import connect
    from miryoku.report.queries import run_file

    monkeypatch.chdir(tmp_path)
    hostile = "2026-01-01'; copy (select 42) to 'pwned.csv'; --"
    _cols, rows = run_file(connect(Lake.from_settings(str(small_lake))), Q06,
                           {"dt_from": hostile, "dt_to": hostile, "min_posts": 1, "top_n": 5})
    assert rows == [] and not (tmp_path / "pwned.csv").exists()


def test_catalog_exposes_bronze_only_when_asked_and_moves_with_the_lake(small_lake, tmp_path, capsys):
    from miryoku.catalog import open_catalog

    site = tmp_path / "site"
    site.mkdir()
    lake = small_lake.rename(site / "lake")
    plain, full = site / "plain.duckdb", site / "full.duckdb"
    assert main(["catalog", "--lake", str(lake), "--output", str(plain)]) == 0
    assert main(["catalog", "--lake", str(lake), "--output", str(full), "--include-bronze"]) == 0
    moved = site.rename(tmp_path / "elsewhere")
    con = open_catalog(moved / "plain.duckdb")
    tables = {r[0] for r in con.execute("show tables").fetchall()}
    assert "sns_posts_v1" not in tables and {"posts_v1", "term_daily_v1", "v_pref_daily"} <= tables
    assert con.execute("select posts from v_pref_daily where pref_code = '01'").fetchall() == [(10,)]
    full_con = open_catalog(moved / "full.duckdb")
    assert full_con.execute("select count(*) from sns_posts_v1").fetchone() == (1,)


def test_catalog_of_an_empty_lake_is_an_error(tmp_path, capsys):
    (tmp_path / "lake").mkdir()
    assert main(["catalog", "--lake", str(tmp_path / "lake"), "--output", str(tmp_path / "c.duckdb")]) == 3
    assert "no published tables" in _one_line_error(capsys)
    assert not (tmp_path / "c.duckdb").exists()


def test_every_command_and_option_has_help():
    from miryoku.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        assert any(a.help for a in sub._choices_actions if a.dest == name), name
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest}"


def test_html_report_of_a_lake_with_only_some_tables(small_lake, capsys):
    """Sections whose gold is not published say so; the rest draw; the sample's notice is shown."""
    term = lambda pref, t, n: {"pref_code": pref, "term": t, "lemma": t, "pos": "名詞", "posts": n,  # noqa: E731
                               "occurrences": n}
    _write(small_lake, "gold/term_daily_v1/dt=2026-01-01/part-0.parquet",  # above the report's minimum of 5
           [term("01", "ソフト", 6), term("00", "ソフト", 8), term("01", "北海道", 10), term("00", "北海道", 10)])
    out = small_lake.parent / "r.html"
    assert main(["report", "--lake", str(small_lake), "--html", str(out), "--no-data-docs"]) == 0
    page = out.read_text("utf-8")
    assert "合成データ" in page and "データ期間 2026-01-01 ～ 2026-01-01" in page
    assert "category_daily_v1 はまだ公開されていません" in page
    distinctive = page.split('id="distinctive-terms"')[1].split("</section>")[0]
    assert "<svg" in distinctive and "term: ソフト; pref_name: 北海道; posts: 6; distinctiveness: 3" in distinctive
    assert "<script" not in page and "http://" not in page.replace('http://www.w3.org/', '')
