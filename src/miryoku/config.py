"""The one place that maps the environment to lake roots, endpoints, Spark master and secrets' names.

Nothing else in the code base reads environment variables for paths, hosts or credentials: every
module asks ``settings()``. Secrets themselves are never stored here — only the *names* of the
environment variables or Airflow connections that hold them, so logs and reprs never carry a key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

ENVIRONMENTS = ("local", "s3", "aws")
# The checkout the package runs from (editable install): expectations/ and sql/ live beside src/.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Names of secrets (environment variables), never their values.
AUTHOR_KEY_ENV = "MIRYOKU_AUTHOR_KEY"
# Used only in the "local" environment so the embedded demo runs with no set-up. It is a public,
# well-known value: author keys it produces are pseudonymous only within a laptop's demo lake.
LOCAL_DEMO_AUTHOR_KEY = "miryoku-local-demo-key-not-secret"


class ConfigError(RuntimeError):
    """The environment is missing something the pipeline needs; the message says what."""


@dataclass(frozen=True)
class Settings:
    env: str
    lake_root: str
    spark_master: str
    s3_endpoint: str | None
    s3_region: str | None
    late_days: int
    max_text_chars: int
    sources_file: str
    shuffle_partitions: int
    expectations_dir: str = ""
    aws_conn_id: str = "miryoku_s3"
    author_key_env: str = AUTHOR_KEY_ENV
    extra: dict = field(default_factory=dict)

    @property
    def is_s3(self) -> bool:
        return self.lake_root.startswith("s3://")

    def author_key(self) -> bytes:
        """The HMAC key for pseudonymous author ids, read when needed and never cached in a repr."""
        value = os.environ.get(self.author_key_env)
        if value:
            return value.encode("utf-8")
        if self.env == "local":
            return LOCAL_DEMO_AUTHOR_KEY.encode("utf-8")
        raise ConfigError(
            f"{self.author_key_env} is not set: the {self.env!r} environment needs a secret HMAC key "
            "for author pseudonyms (set the environment variable or the Airflow variable backend)."
        )

    def sources(self) -> dict:
        """The sources configuration (which sources run, their queries and base URLs)."""
        return load_sources_file(self.sources_file)


def _default_sources_file() -> str:
    return str(resources.files("miryoku.conf").joinpath("sources.toml"))


@cache
def load_sources_file(path: str) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _normalise_root(root: str) -> str:
    if "://" in root:
        return root.rstrip("/")
    return str(Path(root).expanduser().resolve())


def settings(lake_root: str | None = None) -> Settings:
    """Settings for the current environment; ``lake_root`` overrides ``MIRYOKU_LAKE``."""
    env = os.environ.get("MIRYOKU_ENV", "local")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"MIRYOKU_ENV={env!r} is not one of {', '.join(ENVIRONMENTS)}")
    root = lake_root or os.environ.get("MIRYOKU_LAKE") or "./lake"
    return Settings(
        env=env,
        lake_root=_normalise_root(root),
        spark_master=os.environ.get("MIRYOKU_SPARK_MASTER", "local[*]"),
        s3_endpoint=os.environ.get("MIRYOKU_S3_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL"),
        s3_region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
        late_days=int(os.environ.get("MIRYOKU_LATE_DAYS", "1")),
        max_text_chars=int(os.environ.get("MIRYOKU_MAX_TEXT_CHARS", "5000")),
        sources_file=os.environ.get("MIRYOKU_SOURCES_FILE") or _default_sources_file(),
        shuffle_partitions=int(os.environ.get("MIRYOKU_SHUFFLE_PARTITIONS", "4")),
        expectations_dir=os.environ.get("MIRYOKU_EXPECTATIONS_DIR") or str(PROJECT_ROOT / "expectations"),
    )
