"""``miryoku catalog``: a DuckDB database file that analysts and BI tools open.

Local lake: one view per published table over its Parquet folders (``read_parquet`` with Hive
partitions), so the file stays small and always shows the latest published data — the directory swap
keeps every folder a complete version (whole per partition; across the tables of one run's commit,
only once it has switched: docs/publishing.md). The views name the lake by a path *relative to the catalog
file's folder* (or by the root given as ``views_root``), so the lake and its catalog can be moved or
mounted elsewhere together; whoever opens the file sets DuckDB's ``file_search_path`` to that folder
(``miryoku sql --catalog`` does) or opens it from there.

S3 lake: DuckDB 2.x reads S3 only through its ``httpfs`` extension, which is not bundled and which
``INSTALL`` downloads at run time (impossible offline; PyPI's ``duckdb-extension-httpfs`` stops at the
1.5 series). Pinning DuckDB 1.5 for it would hold the whole project back, so the catalog reads S3
through ``pyarrow.fs`` — the lake's own storage layer, with the same endpoint and credential
resolution — and stores the gold tables *as tables* in the file: a snapshot refreshed by each
``miryoku catalog`` run, which BI tools open without S3 credentials. The files read are exactly the
published ones (``published_files``: the partition manifests), so a partition being published while
the catalog builds contributes its old or its new version, never both. Silver tables on S3 are left to
Trino/Athena/Spark (``sql/ddl/``).

Bronze keeps raw payloads as fetched; it is exposed only when asked for (``include_bronze``). The
``sql/views`` definitions, the ``prefectures`` lookup and the ``place_names`` list (prefectures and
municipalities with their short and romanised names, for views that exclude place names) are added on
top; a view whose primary definition needs a table or column not published yet is created from its
``sql/views/fallback/`` definition instead. The file is built under a temporary name and renamed into
place.
"""

from __future__ import annotations

import os
from pathlib import Path

from miryoku import config
from miryoku.contracts import is_internal
from miryoku.lake import Lake
from miryoku.lake.commit import consistently
from miryoku.lake.publish import published_table_files

# the installed miryoku.sql package: a folder on disk, so DuckDB can read its CSV by path
SQL_DIR = Path(str(config.SQL_DIR))
LAYERS = ("bronze", "silver", "gold")


class NoTablesFound(RuntimeError):
    """The lake has no published table: the catalog would be empty."""


def published_tables(lake: Lake, include_bronze: bool = True) -> list[tuple[str, str]]:
    """(layer, table) of every table that has published Parquet files."""
    out = []
    for layer in LAYERS if include_bronze else LAYERS[1:]:
        for table in lake.listdir(layer):
            if is_internal(table):
                continue
            has_files = lake.files(f"{layer}/{table}", ".parquet") if lake.is_local else \
                published_table_files(lake, layer, table)
            if has_files:
                out.append((layer, table))
    return out


def _glob(root: str, layer: str, table: str) -> str:
    depth = "*/*/*.parquet" if layer == "bronze" else "*/*.parquet"  # bronze: dt=/<source>/
    return f"{root.rstrip('/')}/{layer}/{table}/{depth}"


def _sql_literal(text: str) -> str:
    """A DuckDB string literal. Table functions take no bound parameters in a view definition; the
    paths quoted here come from the lake's own folder names, never from a query's user values."""
    return "'" + text.replace("'", "''") + "'"


def remote_dataset(lake: Lake, layer: str, table: str, files: list[str] | None = None):
    """A pyarrow dataset over exactly the published files of a table (``files``, else looked up),
    partition column as string, with the files' schemas unified by name (as ``union_by_name`` does
    for local views). Each file's partition value is taken from the ``key=value`` folder it sits in,
    wherever that is (a version a commit in progress keeps lives under ``_retired/<run>/``)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    files = published_table_files(lake, layer, table) if files is None else files
    parts = [next(seg.split("=", 1) for seg in reversed(f.split("/")[:-1]) if "=" in seg) for f in files]
    key = parts[0][0]
    paths = [lake.path(f) for f in files]
    fmt = ds.ParquetFileFormat()
    physical = [fmt.make_fragment(p, filesystem=lake.fs).physical_schema for p in paths]
    schema = pa.unify_schemas(physical, promote_options="permissive")
    if key not in schema.names:
        schema = schema.append(pa.field(key, pa.string()))
    return ds.FileSystemDataset.from_paths(paths, schema=schema, format=fmt, filesystem=lake.fs,
                                           partitions=[ds.field(key) == value for _, value in parts])


def _gazetteer() -> list[dict[str, str]]:
    from importlib.resources import files

    text = files("miryoku.text.data").joinpath("gazetteer.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def place_names() -> list[str]:
    """Every prefecture and municipality name as written, without its suffix, and romanised
    (lower case): the terms a distinctiveness ranking must not put first."""
    names: set[str] = set()
    for rec in _gazetteer():
        for key in ("name", "short"):
            if rec.get(key):
                names.add(rec[key])
        if rec.get("english"):
            names.add(rec["english"].lower())
    return sorted(names)


def _create_views(con) -> list[str]:
    """The ``sql/views`` definitions; a fallback definition where the primary's input is missing."""
    names = []
    for view in sorted((SQL_DIR / "views").glob("*.sql")):
        for candidate in (view, SQL_DIR / "views" / "fallback" / view.name):
            if not candidate.exists():
                continue
            try:
                con.execute(candidate.read_text("utf-8"))
            except Exception as exc:  # noqa: BLE001 - a view over a table or column not yet published
                if not any(m in str(exc) for m in ("does not exist", "not found", "does not have a column")):
                    raise
                continue
            names.append(view.stem)
            break
    return names


def register(con, lake: Lake, materialize_remote: bool = True, include_bronze: bool = False,
             views_root: str | None = None) -> list[str]:
    """Create a view (local) or table (S3 snapshot) per published table; returns their names.

    ``materialize_remote=False`` (the report, an in-memory connection) registers every table, local
    or S3, as an Arrow dataset of its published files, all resolved on one side of any run's commit
    (``commit.consistently``), instead of views over folders or copies of the gold tables.
    ``views_root`` is the lake root written into local views (default: the lake's absolute path).
    """
    names = []
    root = views_root if views_root is not None else lake.path()
    datasets = {}
    if not lake.is_local or not materialize_remote:  # one side of every run's commit, for all tables
        def resolve() -> dict:
            return {(layer, table): files for layer, table in published_tables(lake, include_bronze)
                    if (files := published_table_files(lake, layer, table))}
        datasets = consistently(lake, resolve)
    for layer, table in datasets or published_tables(lake, include_bronze):
        if lake.is_local and materialize_remote:
            con.execute(
                f"create or replace view {table} as select * from read_parquet("
                f"{_sql_literal(_glob(root, layer, table))}, "
                "hive_partitioning = true, union_by_name = true, hive_types_autocast = false)")
        elif not materialize_remote:
            con.register(table, remote_dataset(lake, layer, table, datasets[(layer, table)]))
        elif layer == "gold":
            arrow_table = remote_dataset(lake, layer, table, datasets[(layer, table)]).to_table()  # noqa: F841
            con.execute(f"create or replace table {table} as select * from arrow_table")
        else:
            continue
        names.append(table)
    con.execute("create or replace table prefectures as select * from read_csv(?, all_varchar = true)",
                [str(SQL_DIR / "prefectures.csv")])
    import pyarrow as pa

    gazetteer = _gazetteer()
    place_table = pa.table({"name": place_names()})  # noqa: F841 - read by DuckDB's replacement scan
    munis = [r for r in gazetteer if r["kind"] != "pref"]
    muni_table = pa.table({"muni_code": [r["code"] for r in munis], "pref_code": [r["pref_code"] for r in munis],  # noqa: F841
                           "muni_name": [r["name"] for r in munis]})
    con.execute("create or replace table place_names as select * from place_table")
    con.execute("create or replace table municipalities as select * from muni_table")
    return names + _create_views(con)


def build_catalog(lake: Lake, path: Path, include_bronze: bool = False, views_root: str | None = None) -> list[str]:
    """Build the file under a temporary name and rename it over ``path``: a BI tool opening the
    catalog meanwhile gets the previous complete file, never a half-built one.

    Local views name the lake relative to ``path``'s folder unless ``views_root`` is given.
    Raises ``NoTablesFound`` when the lake has no published silver or gold table.
    """
    import duckdb

    if not published_tables(lake, include_bronze):
        raise NoTablesFound(f"no published tables under {lake.root}")
    path = path.absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.building")
    tmp.unlink(missing_ok=True)
    if views_root is None and lake.is_local:
        views_root = os.path.relpath(lake.path(), path.parent)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("set file_search_path = ?", [str(path.parent)])
        names = register(con, lake, include_bronze=include_bronze, views_root=views_root)
    finally:
        con.close()
    tmp.replace(path)
    return names


def open_catalog(path: Path):
    """Open a catalog file read-only with relative view paths resolved against its folder."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    con.execute("set file_search_path = ?", [str(Path(path).absolute().parent)])
    return con
