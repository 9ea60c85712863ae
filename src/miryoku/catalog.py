"""``miryoku catalog``: a DuckDB database file that analysts and BI tools open.

Local lake: one view per published table over its Parquet folders (``read_parquet`` with Hive
partitions), so the file stays small and always shows the latest published data — the directory swap
keeps every folder a complete version.

S3 lake: DuckDB 2.x reads S3 only through its ``httpfs`` extension, which is not bundled and which
``INSTALL`` downloads at run time (impossible offline; PyPI's ``duckdb-extension-httpfs`` stops at the
1.5 series). Pinning DuckDB 1.5 for it would hold the whole project back, so the catalog reads S3
through ``pyarrow.fs`` — the lake's own storage layer, with the same endpoint and credential
resolution — and stores the gold tables *as tables* in the file: a snapshot refreshed by each
``miryoku catalog`` run, which BI tools open without S3 credentials. The files read are exactly the
published ones (``published_files``: the partition manifests), so a partition being published while
the catalog builds contributes its old or its new version, never both. Silver tables on S3 are left to
Trino/Athena/Spark (``sql/ddl/``). Either way the ``sql/views`` definitions and the ``prefectures``
lookup are added on top, and the file is built under a temporary name and renamed into place.
"""

from __future__ import annotations

import os
from pathlib import Path

from miryoku.config import PROJECT_ROOT
from miryoku.lake import Lake
from miryoku.lake.publish import published_table_files

SQL_DIR = PROJECT_ROOT / "sql"
LAYERS = ("bronze", "silver", "gold")


def published_tables(lake: Lake) -> list[tuple[str, str]]:
    """(layer, table) of every table that has published Parquet files."""
    out = []
    for layer in LAYERS:
        for table in lake.listdir(layer):
            has_files = lake.files(f"{layer}/{table}", ".parquet") if lake.is_local else \
                published_table_files(lake, layer, table)
            if has_files:
                out.append((layer, table))
    return out


def _glob(lake: Lake, layer: str, table: str) -> str:
    depth = "*/*/*.parquet" if layer == "bronze" else "*/*.parquet"  # bronze: dt=/<source>/
    return lake.path(f"{layer}/{table}", depth)


def remote_dataset(lake: Lake, layer: str, table: str):
    """A pyarrow dataset over exactly the published files of a table, partition column as string,
    with the files' schemas unified by name (as ``union_by_name`` does for local views)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    files = published_table_files(lake, layer, table)
    base = lake.path(lake.table_dir(layer, table))
    key = files[0][len(lake.table_dir(layer, table)) + 1:].split("=", 1)[0]
    partitioning = ds.partitioning(pa.schema([(key, pa.string())]), flavor="hive")
    paths = [lake.path(f) for f in files]
    found = ds.dataset(paths, filesystem=lake.fs, format="parquet", partitioning=partitioning,
                       partition_base_dir=base)
    schema = pa.unify_schemas([f.physical_schema for f in found.get_fragments()], promote_options="permissive")
    if key not in schema.names:
        schema = schema.append(pa.field(key, pa.string()))
    return ds.dataset(paths, schema=schema, filesystem=lake.fs, format="parquet", partitioning=partitioning,
                      partition_base_dir=base)


def register(con, lake: Lake, materialize_remote: bool = True) -> list[str]:
    """Create a view (local) or table (S3 snapshot) per published table; returns their names.

    ``materialize_remote=False`` (the report, an in-memory connection) registers every S3 table as an
    Arrow dataset instead of copying the gold tables into the database.
    """
    names = []
    for layer, table in published_tables(lake):
        if lake.is_local:
            con.execute(
                f"create or replace view {table} as select * from read_parquet('{_glob(lake, layer, table)}', "
                "hive_partitioning = true, union_by_name = true, hive_types_autocast = false)")
        elif not materialize_remote:
            con.register(table, remote_dataset(lake, layer, table))
        elif layer == "gold":
            arrow_table = remote_dataset(lake, layer, table).to_table()  # noqa: F841 - DuckDB replacement scan
            con.execute(f"create or replace table {table} as select * from arrow_table")
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
    """Build the file under a temporary name and rename it over ``path``: a BI tool opening the
    catalog meanwhile gets the previous complete file, never a half-built one."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.building")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        names = register(con, lake)
    finally:
        con.close()
    tmp.replace(path)
    return names
