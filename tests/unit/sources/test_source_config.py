"""The shipped sources.toml: every source names a known kind, real connectors are off by default."""

from __future__ import annotations

import tomllib
from importlib import resources

from miryoku.sources.registry import INGESTORS, configured_sources, enabled_sources, ingestor_for

CONFIG = tomllib.loads(resources.files("miryoku.conf").joinpath("sources.toml").read_text(encoding="utf-8"))


def test_every_configured_kind_has_an_ingestor():
    for name, opts in configured_sources(CONFIG).items():
        assert callable(ingestor_for(opts["kind"])), name


def test_real_connectors_are_disabled_so_the_demo_stays_offline():
    assert set(enabled_sources(CONFIG)) <= {"sample", "sample_shipments", "file"}
    for kind in ("mastodon", "x", "bluesky", "estat", "estat_csv", "resas", "ckan", "opendata_csv", "csv_market"):
        assert kind in INGESTORS and callable(ingestor_for(kind))


def test_configuration_holds_names_of_secrets_never_values():
    for name, opts in configured_sources(CONFIG).items():
        for key, value in opts.items():
            if any(word in key for word in ("token", "password", "app_id", "api_key", "identifier")):
                assert key.endswith(("_env", "_conn")), (name, key)
                assert str(value).isupper() or str(value).startswith("miryoku_"), (name, key, value)
