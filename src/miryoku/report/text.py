"""The text report (the demo's closing summary), read back from the published lake with DuckDB through ``sql/``.

Every table is registered as a pyarrow dataset over exactly the files ``published_files`` names,
resolved on one side of any run's commit (``commit.consistently``), on a local folder as on S3
(DuckDB 2.x cannot reach S3 offline, see DESIGN.md): a report never mixes two runs' tables.
"""

from __future__ import annotations

import json
from pathlib import Path

from miryoku.config import SQL_DIR
from miryoku.lake import Lake
from miryoku.lake.storage import table_name

TABLES = [
    ("bronze", "sns_posts"), ("silver", "posts"), ("silver", "post_terms"), ("silver", "shipments"),
    ("gold", "term_daily"), ("gold", "category_daily"), ("gold", "product_volume_daily"),
    ("gold", "cooccurrence_monthly"), ("gold", "shipment_buzz_monthly"), ("gold", "disaster_hourly"),
]


def connect(lake: Lake):
    """An in-memory DuckDB with the lake's tables registered as Arrow datasets of their published files."""
    import duckdb

    from miryoku.catalog import register

    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    register(con, lake, materialize_remote=False)
    return con


def top_terms(con, dt: str, top_n: int = 5):
    from miryoku.report.queries import run_sql

    sql = (SQL_DIR / "term_daily" / "query.sql").read_text("utf-8")
    return run_sql(con, sql, {"dt": dt, "top_n": int(top_n)}).fetchall()


def rows_per_table(con) -> dict[str, int]:
    out = {}
    for layer, table in TABLES:
        name = table_name(table)
        try:
            out[f"{layer}.{name}"] = con.execute(f"select count(*) from {name}").fetchone()[0]
        except Exception:  # noqa: BLE001 - a table not yet written has no view
            out[f"{layer}.{name}"] = 0
    return out


def gate_results(lake: Lake) -> dict[str, dict[str, int]]:
    """Passed/failed validations per suite, from ``_quality/``."""
    out: dict[str, dict[str, int]] = {}
    for rel in lake.files("_quality", ".json"):
        suite = rel.split("/")[1]
        success = json.loads(lake.read_bytes(rel)).get("success")
        counts = out.setdefault(suite, {"passed": 0, "failed": 0})
        counts["passed" if success else "failed"] += 1
    return out


def render(lake: Lake, dt: str, top_n: int = 5) -> str:
    con = connect(lake)
    lines = [f"Miryoku Lake at {lake.root}", "", "Rows per table:"]
    lines += [f"  {name:<32} {rows:>9,}" for name, rows in rows_per_table(con).items()]
    lines += ["", "Gate results (validations passed / failed):"]
    lines += [f"  {suite:<32} {c['passed']:>4} / {c['failed']}" for suite, c in sorted(gate_results(lake).items())]
    quarantined = len(lake.files("quarantine"))
    lines += ["", f"Quarantine files: {quarantined} under {lake.path('quarantine')}", "",
              f"Top {top_n} terms per prefecture on {dt} (posts, occurrences):"]
    current = None
    for pref_code, pref_name, rank, term, _lemma, _pos, posts, occ in top_terms(con, dt, top_n):
        if pref_code != current:
            lines.append(f"  {pref_code} {pref_name}")
            current = pref_code
        lines.append(f"      {rank}. {term}  ({posts}, {occ})")
    return "\n".join(lines)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
