"""Watermarks of the enriched-posts store: which bronze folders were tokenized, and into which days.

``silver/posts_enriched_v1/dt=P/origin=<bronze date>_<source>/`` holds the enriched rows (text
normalised, terms, places, products …) of every post dated P that bronze (date, source) brought.
Each bronze (date, source) folder is enriched once per published version; its watermark
``_state/posts_enriched/dt=<bronze date>/<source>.json`` records

- ``bronze_version``: the bronze manifest's run id and publish time that was enriched;
- ``dates``: the post dates it contributed to (its ``origin=`` folders);
- ``silver_run``: the run that published silver for those dates, or null while they still wait
  (a failed gate, a crash): later runs keep rebuilding those days until one publishes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from miryoku.lake.publish import _read_manifest, source_manifest_path
from miryoku.lake.storage import Lake, safe_key

TABLE = "posts_enriched"


@dataclass(frozen=True)
class Origin:
    bronze_dt: str
    source: str

    @property
    def key(self) -> str:
        """The ``origin=`` value: one path segment naming the bronze folder."""
        return f"{self.bronze_dt}_{safe_key(self.source)}"


def watermark_path(origin: Origin) -> str:
    return f"_state/posts_enriched/dt={origin.bronze_dt}/{safe_key(origin.source)}.json"


def load_watermark(lake: Lake, origin: Origin) -> dict:
    path = watermark_path(origin)
    return lake.read_json(path) if lake.exists(path) else {}


def save_watermark(lake: Lake, origin: Origin, mark: dict) -> None:
    lake.write_json(watermark_path(origin), mark)


def bronze_version(lake: Lake, origin: Origin) -> str | None:
    """The published bronze folder's version (its manifest's run id and publish time), or None."""
    manifest = _read_manifest(lake, source_manifest_path("sns_posts", origin.bronze_dt, origin.source))
    if not manifest:
        return None
    return f"{manifest.get('run_id')}@{manifest.get('published_at')}"


def bronze_files(lake: Lake, origin: Origin) -> list[str]:
    """The published Parquet files of one bronze (date, source) folder, as its manifest lists them."""
    manifest = _read_manifest(lake, source_manifest_path("sns_posts", origin.bronze_dt, origin.source))
    return sorted(manifest.get("files", [])) if manifest else []


def bronze_origins(lake: Lake, bronze_dts: list[str]) -> list[Origin]:
    """Every published bronze (date, source) of ``bronze_dts``."""
    out = []
    for day in bronze_dts:
        folder = f"_published/bronze/sns_posts_v1/dt={day}"
        out += [Origin(day, rel.rsplit("/", 1)[1][: -len(".json")]) for rel in lake.files(folder, ".json")]
    return out


def plan(lake: Lake, bronze_dts: list[str]) -> tuple[list[tuple[Origin, str]], dict[Origin, dict]]:
    """(origins to enrich with their bronze version, watermarks of the already enriched ones)."""
    pending, done = [], {}
    for origin in bronze_origins(lake, bronze_dts):
        version = bronze_version(lake, origin)
        mark = load_watermark(lake, origin)
        if mark.get("bronze_version") == version:
            done[origin] = mark
        else:
            pending.append((origin, version))
    return pending, done


def origin_dir(lake: Lake, post_dt: str, origin: Origin) -> str:
    return f"{lake.table_dir('silver', TABLE)}/dt={post_dt}/origin={origin.key}"


def origin_manifest(post_dt: str, origin: Origin) -> str:
    return f"_published/silver/posts_enriched_v1/dt={post_dt}/origin={origin.key}.json"


def drop_origin(lake: Lake, post_dt: str, origin: Origin) -> None:
    """Remove an origin's folder of a day it no longer contributes to (its bronze was re-fetched)."""
    lake.delete(origin_manifest(post_dt, origin))
    lake.delete(origin_dir(lake, post_dt, origin))
