"""Which connector serves which ``kind`` in the sources configuration.

A source entry in ``sources.toml`` names its ``kind``; ``ingestor_for(kind)`` returns the function
that stages that source's bronze data for one date. SNS kinds feed ``sns_posts_v1`` through the
shared page loop; other kinds stage their own bronze tables. Imports are lazy so that listing the
sources (the DAG, the CLI's ``--help``) loads no connector code.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext

# kind → "module:function"; the function is ingest(lake, ctx, name, options) -> stats dict.
INGESTORS: dict[str, str] = {
    "sample": "miryoku.sources.sample:ingest",
    "filedrop": "miryoku.sources.filedrop:ingest",
    "sample_shipments": "miryoku.sources.sample_shipments:ingest",
    "mastodon": "miryoku.sources.mastodon:ingest",
    "x": "miryoku.sources.xapi:ingest",
    "bluesky": "miryoku.sources.bluesky:ingest",
    "estat": "miryoku.sources.estat:ingest",
    "estat_csv": "miryoku.sources.estat_csv:ingest",
    "resas": "miryoku.sources.resas:ingest",
    "ckan": "miryoku.sources.ckan:ingest",
    "opendata_csv": "miryoku.sources.opendata:ingest",
    "csv_market": "miryoku.sources.market:ingest",
}

Ingestor = Callable[[Lake, FetchContext, str, dict], dict]


class UnknownSource(KeyError):
    pass


def ingestor_for(kind: str) -> Ingestor:
    try:
        module, func = INGESTORS[kind].split(":")
    except KeyError as exc:
        raise UnknownSource(f"no connector for kind {kind!r}; known kinds: {', '.join(sorted(INGESTORS))}") from exc
    return getattr(import_module(module), func)


def configured_sources(config: dict) -> dict[str, dict]:
    """name → options for every source in the configuration (enabled or not)."""
    return {name: dict(opts) for name, opts in config.get("sources", {}).items()}


def enabled_sources(config: dict) -> list[str]:
    return [name for name, opts in configured_sources(config).items() if opts.get("enabled", True)]
