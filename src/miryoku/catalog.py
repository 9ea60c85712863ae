"""``miryoku catalog``: a DuckDB database file that analysts and BI tools open.

Local lake: one view per published table over its Parquet folders (``read_parquet`` with Hive
partitions), so the file stays small and always shows the latest published data.
S3 lake: DuckDB 2.x cannot read S3 without downloading its ``httpfs`` extension at run time, which is
not possible offline, so the catalog reads each table through ``pyarrow.fs`` (the lake's own storage
layer) and stores gold tables *as tables* in the file — a snapshot refreshed by each nightly run.
Silver tables on S3 are left to Trino/Athena/Spark (``sql/ddl/``). Either way the ``sql/views``
definitions and the ``prefectures`` lookup are added on top.
"""

from __future__ import annotations

from pathlib import Path

from miryoku.config import PROJECT_ROOT
from miryoku.lake import Lake

SQL_DIR = PROJECT_ROOT / "sql"
LOCAL_TABLES = [("bronze", "sns_posts_v1", "*/*/*.parquet")]


def published_tables(lake: Lake) -> list[tuple[str, str]]:
    """(layer, table) of every table folder that has Parquet files."""
    out = []
    for layer in ("bronze", "silver", "gold"):
        for table in lake.listdir(layer):
            if lake.files(f"{layer}/{table}", ".parquet"):
                out.append((layer, table))
    return out


def _glob(lake: Lake, layer: str, table: str) -> str:
    depth = "*/*/*.parquet" if layer == "bronze" and table == "sns_posts_v1" else "*/*.parquet"
    return lake.path(f"{layer}/{table}", depth)


def register(con, lake: Lake, materialize_remote: bool = True) -> list[str]:
    """Create a view (local) or table (S3 snapshot) per published table; returns their names."""
    names = []
    for layer, table in published_tables(lake):
        if lake.is_local:
            con.execute(
                f"create or replace view {table} as select * from read_parquet('{_glob(lake, layer, table)}', "
                "hive_partitioning = true, union_by_name = true, hive_types_autocast = false)")
        elif layer == "gold" or not materialize_remote:
            import pyarrow.dataset as ds

            dataset = ds.dataset(lake.path(f"{layer}/{table}"), filesystem=lake.fs, format="parquet",
                                 partitioning="hive")
            if materialize_remote:
                arrow_table = dataset.to_table()  # noqa: F841 - read by DuckDB's replacement scan
                con.execute(f"create or replace table {table} as select * from arrow_table")
            else:
                con.register(table, dataset)
        else:
            continue
        names.append(table)
    con.execute("create or replace table prefectures as select * from "
                f"read_csv('{SQL_DIR / 'prefectures.csv'}', all_varchar = true)")
    for view in sorted((SQL_DIR / "views").glob("*.sql")):
        try:
            con.execute(view.read_text("utf-8"))
            names.append(view.stem)
        except Exception as exc:  # noqa: BLE001 - a view over a table not yet published
            if "does not exist" not in str(exc):
                raise
    return names


def build_catalog(lake: Lake, path: Path) -> list[str]:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building.duckdb")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        names = register(con, lake)
    finally:
        con.close()
    tmp.replace(path)  # BI tools never open a half-built file
    return names
