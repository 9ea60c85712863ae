"""Stage → gate → publish: nothing reaches a table's published folder before its gate passed.

Every writer puts its output under ``_staging/<run>/…`` (ignored by readers: the leading underscore
is skipped by Spark, pyarrow and the catalog's globs). After the gate, ``publish_*`` moves the staged
files over the published ones, partition by partition, and records a manifest per partition under
``_published/``. A failed gate simply never calls publish, so the last good data stays served.
"""

from __future__ import annotations

import datetime as dt
import uuid

from miryoku.lake.storage import Lake, safe_key, table_name


def staging_table(run_key: str, layer: str, table: str) -> str:
    return f"_staging/{safe_key(run_key)}/{layer}/{table_name(table)}"


def manifest_path(layer: str, table: str, dt_value: str, key: str = "dt") -> str:
    return f"_published/{layer}/{table_name(table)}/{key}={dt_value}.json"


def _manifest(lake: Lake, layer: str, table: str, key: str, dt_value: str, run_id: str, final_dir: str) -> dict:
    files = lake.files(final_dir, ".parquet")
    return {
        "table": f"{layer}.{table_name(table)}",
        key: dt_value,
        "run_id": run_id,
        "published_at": dt.datetime.now(dt.UTC).isoformat(),
        "files": files,
    }


def _swap(lake: Lake, staged: str, final: str, run_key: str) -> None:
    """Replace ``final`` by ``staged``; the old copy is moved aside first and removed last."""
    trash = f"_trash/{safe_key(run_key)}/{uuid.uuid4().hex}"
    if lake.exists(final):
        lake.move(final, trash)
    if staged is not None:
        lake.move(staged, final)
    lake.delete(trash)


def publish_partitions(
    lake: Lake, run_key: str, run_id: str, layer: str, table: str, dts: list[str], key: str = "dt"
) -> dict[str, int]:
    """Publish the staged ``dt=`` partitions of ``dts``; a date with nothing staged becomes empty.

    The run owns exactly the partitions in ``dts``: a partition it computed with no rows must not
    keep rows from an earlier run, otherwise re-running a date could leave stale data behind.
    ``key`` names the partition column (``dt`` for daily tables, ``month`` for monthly ones).
    Returns the number of files published per partition.
    """
    staged_root = staging_table(run_key, layer, table)
    published: dict[str, int] = {}
    for dt_value in sorted(set(dts)):
        staged = f"{staged_root}/{key}={dt_value}"
        final = f"{lake.table_dir(layer, table)}/{key}={dt_value}"
        has_staged = lake.exists(staged)
        _swap(lake, staged if has_staged else None, final, run_key)
        published[dt_value] = len(lake.files(final, ".parquet")) if has_staged else 0
        lake.write_json(
            manifest_path(layer, table, dt_value, key),
            _manifest(lake, layer, table, key, dt_value, run_id, final),
        )
    return published


def publish_file(lake: Lake, staged: str, final: str) -> None:
    """Publish one staged file over ``final`` (a rename on a local folder, copy+delete on S3)."""
    lake.move(staged, final)


def clean_staging(lake: Lake, run_key: str) -> None:
    lake.delete(f"_staging/{safe_key(run_key)}")
    lake.delete(f"_trash/{safe_key(run_key)}")


def publish_source(lake: Lake, run_key: str, run_id: str, table: str, dt_value: str, source: str) -> int:
    """Swap one source's staged bronze folder for ``dt`` into the table; returns its file count.

    Bronze is per (date, source): re-running one source for a date replaces only that source's files.
    """
    staged = f"{staging_table(run_key, 'bronze', table)}/dt={dt_value}/{safe_key(source)}"
    final = f"{lake.partition_dir('bronze', table, dt_value)}/{safe_key(source)}"
    has_staged = lake.exists(staged)
    _swap(lake, staged if has_staged else None, final, run_key)
    files = lake.files(final, ".parquet") if has_staged else []
    lake.write_json(
        f"_published/bronze/{table_name(table)}/dt={dt_value}/{safe_key(source)}.json",
        {"table": f"bronze.{table_name(table)}", "dt": dt_value, "source": source, "run_id": run_id,
         "published_at": dt.datetime.now(dt.UTC).isoformat(), "files": files},
    )
    return len(files)


def published_files(lake: Lake, layer: str, table: str, value: str, key: str = "dt") -> list[str]:
    """Lake-relative Parquet files of one published partition — what readers inside the lake use.

    Every reader of published data (Spark jobs, the catalog, the report) goes through here, so the
    publish protocol decides what a partition contains.
    """
    return lake.files(f"{lake.table_dir(layer, table)}/{key}={value}", ".parquet")
