"""Stage → gate → publish: readers see a partition's old complete version or its new complete version.

Writers put their output under ``_staging/<run>/…`` (ignored by readers: the leading underscore is
skipped by Spark, pyarrow and the catalog's globs); a failed gate never calls publish. Publishing one
partition (docs/publishing.md has the whole protocol):

- local folder: a directory swap — on Linux one atomic ``renameat2(RENAME_EXCHANGE)`` of the staged
  and published folders, then the manifest, then the old folder (now at the staged path) is deleted;
  elsewhere the old folder is renamed aside and the staged one renamed in (for the instant between
  the two renames a reader finds none);
- S3 (no rename, a copy is not atomic): staged objects are copied to the partition under new names
  unique to this attempt, then the manifest ``_published/<layer>/<table>/<key>=<value>.json`` listing
  exactly them is written — one PUT, the atomic switch — then every other object of the partition
  (the previous version, leftovers of a crashed attempt) is deleted.

Readers inside the lake take a partition's files from ``published_files``: the manifest on S3, so
copies not yet switched in (or leftovers) are never read. Every step may be repeated after a crash:
a retried publish converges on one complete version, nothing lost, nothing duplicated.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

from miryoku.lake.storage import Lake, safe_key, table_name


def staging_table(run_key: str, layer: str, table: str) -> str:
    return f"_staging/{safe_key(run_key)}/{layer}/{table_name(table)}"


def manifest_path(layer: str, table: str, dt_value: str, key: str = "dt") -> str:
    return f"_published/{layer}/{table_name(table)}/{key}={dt_value}.json"


def source_manifest_path(table: str, dt_value: str, source: str, layer: str = "bronze") -> str:
    return f"_published/{layer}/{table_name(table)}/dt={dt_value}/{safe_key(source)}.json"


def symlink_manifest_path(layer: str, table: str, value: str, key: str = "dt") -> str:
    """Hive ``SymlinkTextInputFormat`` manifest (one URI per line) for Athena/Trino/Spark SQL on S3."""
    return f"_symlink/{layer}/{table_name(table)}/{key}={value}/manifest"


def _read_manifest(lake: Lake, rel: str, attempts: int = 5) -> dict | None:
    """The manifest, or None. S3 serves a PUT whole, but an S3-compatible server backed by a plain
    file system (S3Proxy's filesystem backend) can serve one while it is being written: a manifest
    that does not parse is read again, briefly, before giving up."""
    for attempt in range(attempts):
        if not lake.exists(rel):
            return None
        try:
            return json.loads(lake.read_bytes(rel))
        except ValueError:  # a truncated body: not JSON, or cut inside a UTF-8 character
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return None


def _write_manifest(lake: Lake, rel: str, record: dict, run_id: str, files: list[str]) -> None:
    lake.write_json(rel, {**record, "run_id": run_id, "published_at": dt.datetime.now(dt.UTC).isoformat(),
                          "files": files})


def _swap_local(lake: Lake, run_key: str, staged: str, final: str) -> list[str]:
    """Directory swap: one atomic exchange of the staged and published folders where the OS has it
    (readers see the old or the new folder, never none), else two renames.

    Every published folder carries ``_run.json`` naming the run that staged it, so a retry can tell
    a staged folder that is still its own (publish it) from the previous version an earlier attempt
    already exchanged out (delete it). The intent marker, written before anything moves, tells a
    retry whose staged folder is gone that it was moved in (finish) rather than never staged.
    """
    trash = f"_trash/{safe_key(run_key)}/{final}"
    intent = f"_staging/{safe_key(run_key)}/_publish/{final}.json"
    marker = f"{staged}/_run.json"
    if lake.exists(staged):
        owner = lake.read_json(marker).get("run") if lake.exists(marker) else run_key
        if owner != run_key:  # exchanged out by an earlier attempt: the previous version
            lake.delete(staged)
            return lake.files(final, ".parquet")
        lake.write_json(intent, {"staged": staged})
        lake.write_json(marker, {"run": run_key})
        if lake.exists(final) and lake.exchange(staged, final):
            lake.delete(staged)
            return lake.files(final, ".parquet")
    if lake.exists(staged) or not lake.exists(intent):
        if lake.exists(final):
            lake.delete(trash)
            lake.move(final, trash)
        if lake.exists(staged):
            lake.move(staged, final)
    return lake.files(final, ".parquet")


def _copy_switch(lake: Lake, run_key: str, staged: str, final: str, before_switch=None) -> list[str]:
    """Copy staged objects in under names unique to this attempt; ``before_switch(files)`` writes the
    manifest(s) that make them visible; then everything else in the partition goes."""
    token = f"{safe_key(run_key)}-{uuid.uuid4().hex[:8]}"
    files = []
    for src in lake.files(staged, ".parquet"):
        folder, _, name = src[len(staged):].rpartition("/")
        dst = f"{final}{folder}/{token}-{name}"
        lake.copy_file(src, dst)
        files.append(dst)
    before_switch(files)
    keep = set(files)
    for old in lake.files(final):
        if old not in keep:
            lake.delete(old)
    return files


def _publish(lake: Lake, run_key: str, run_id: str, staged: str, final: str, manifest: str,
             record: dict, symlink: str | None = None) -> list[str]:
    """Publish ``staged`` (absent = the run computed this partition empty) as ``final``."""
    current = _read_manifest(lake, manifest)
    if current is not None and current.get("run_id") == run_id and not lake.exists(staged):
        lake.delete(f"_trash/{safe_key(run_key)}/{final}")
        return current["files"]  # this run published it already: a retry after staging was cleaned

    def switch(files: list[str]) -> None:
        if symlink:
            lake.write_bytes(symlink, "".join(f"{lake.uri(f)}\n" for f in files).encode())
        _write_manifest(lake, manifest, record, run_id, files)

    if not lake.is_local:
        return _copy_switch(lake, run_key, staged, final, switch)
    files = _swap_local(lake, run_key, staged, final)
    switch(files)
    lake.delete(f"_trash/{safe_key(run_key)}/{final}")
    return files


def publish_partitions(
    lake: Lake, run_key: str, run_id: str, layer: str, table: str, dts: list[str], key: str = "dt"
) -> dict[str, int]:
    """Publish the staged ``key=`` partitions of ``dts``; a value with nothing staged becomes empty.

    The run owns exactly the partitions in ``dts``: a partition it computed with no rows must not
    keep rows from an earlier run, otherwise re-running a date could leave stale data behind.
    ``key`` names the partition column (``dt`` for daily tables, ``month`` for monthly ones).
    Returns the number of files published per partition.
    """
    staged_root = staging_table(run_key, layer, table)
    published: dict[str, int] = {}
    for value in sorted(set(dts)):
        record = {"table": f"{layer}.{table_name(table)}", key: value}
        files = _publish(lake, run_key, run_id, f"{staged_root}/{key}={value}",
                         f"{lake.table_dir(layer, table)}/{key}={value}", manifest_path(layer, table, value, key),
                         record, None if lake.is_local else symlink_manifest_path(layer, table, value, key))
        published[value] = len(files)
    return published


def publish_source(lake: Lake, run_key: str, run_id: str, table: str, dt_value: str, source: str,
                   layer: str = "bronze") -> int:
    """Publish one source's staged folder of partition ``dt``; returns its file count.

    Bronze is per (date, source): re-running one source for a date replaces only that source's files.
    The enriched-posts store uses the same layout with one folder per bronze origin.
    """
    staged = f"{staging_table(run_key, layer, table)}/dt={dt_value}/{safe_key(source)}"
    final = f"{lake.partition_dir(layer, table, dt_value)}/{safe_key(source)}"
    record = {"table": f"{layer}.{table_name(table)}", "dt": dt_value, "source": source}
    return len(_publish(lake, run_key, run_id, staged, final,
                        source_manifest_path(table, dt_value, source, layer), record))


def publish_file(lake: Lake, staged: str, final: str) -> None:
    """Publish one staged file over ``final`` (a rename on a local folder, copy+delete on S3)."""
    lake.move(staged, final)


def clean_staging(lake: Lake, run_key: str) -> None:
    lake.delete(f"_staging/{safe_key(run_key)}")
    lake.delete(f"_trash/{safe_key(run_key)}")


# --- readers ------------------------------------------------------------------------------------------
def published_files(lake: Lake, layer: str, table: str, value: str, key: str = "dt",
                    pending: dict | None = None) -> list[str]:
    """Lake-relative Parquet files of one published partition — what readers inside the lake use.

    Every reader of published data (Spark jobs, the catalog, the report) goes through here, so the
    publish protocol decides what a partition contains. A partition of a run whose commit is in
    progress is its previous version, kept by the commit (``commit.py``), until the whole run is
    switched in. Otherwise, locally that is the folder (the swap keeps it whole); on S3 it is the
    partition's manifest, or the union of its per-source manifests (bronze); a folder without any
    manifest (written before manifests existed) is listed. ``pending`` is ``pending_versions(lake)``
    when the caller resolves many partitions at once.
    """
    from miryoku.lake.commit import pending_versions

    pending = pending_versions(lake) if pending is None else pending
    if (retained := pending.get((layer, table_name(table), key, value))) is not None:
        return lake.files(retained, ".parquet")
    partition = f"{lake.table_dir(layer, table)}/{key}={value}"
    if lake.is_local:
        return _local_files(lake, partition, manifest_path(layer, table, value, key))
    manifest = _read_manifest(lake, manifest_path(layer, table, value, key))
    if manifest is not None:
        return sorted(manifest["files"])
    files, covered = [], []
    for rel in lake.files(f"_published/{layer}/{table_name(table)}/{key}={value}", ".json"):
        files += lake.read_json(rel)["files"]
        covered.append(f"{partition}/{rel.rsplit('/', 1)[1][:-len('.json')]}/")
    files += [f for f in lake.files(partition, ".parquet") if not f.startswith(tuple(covered))]
    return sorted(files)


def _local_files(lake: Lake, partition: str, manifest: str, attempts: int = 5) -> list[str]:
    """The partition folder's files. A listing that began in the previous version's folder just as
    a publish exchanged and removed it comes back empty; when the manifest says the partition has
    files, list again (the path now holds the new version)."""
    for _ in range(attempts):
        files = lake.files(partition, ".parquet")
        if files:
            return files
        record = _read_manifest(lake, manifest)
        if not record or not record.get("files"):
            return files
    return files


def published_partitions(lake: Lake, layer: str, table: str) -> list[tuple[str, str]]:
    """(key, value) of every partition of a table that has a folder or a manifest, or that a commit
    in progress is replacing (its previous version is what readers see until the switch)."""
    from miryoku.lake.commit import pending_versions

    names = set(lake.listdir(lake.table_dir(layer, table)))
    names |= {f"{k}={v}" for (lay, tab, k, v) in pending_versions(lake) if (lay, tab) == (layer, table_name(table))}
    if not lake.is_local:
        names |= {n.removesuffix(".json") for n in lake.listdir(f"_published/{layer}/{table_name(table)}")}
    return sorted(tuple(n.split("=", 1)) for n in names if "=" in n)


def published_table_files(lake: Lake, layer: str, table: str) -> list[str]:
    """Every published Parquet file of a table (the catalog's and the report's input)."""
    from miryoku.lake.commit import pending_versions

    pending = pending_versions(lake)
    return [f for key, value in published_partitions(lake, layer, table)
            for f in published_files(lake, layer, table, value, key, pending)]
