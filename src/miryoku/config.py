"""The one place that maps the environment to lake roots, endpoints, Spark master and secrets' names.

Nothing else in the code base reads environment variables for paths, hosts or credentials: every
module asks ``settings()``. Secrets themselves are never stored in ``Settings`` — only the *names* of
the environment variables or Airflow connections that hold them, so logs and reprs never carry a key.
S3 credentials are resolved by ``s3_access()`` at the moment a client is built (pyarrow's
``S3FileSystem`` in ``Lake``, Spark's s3a settings in ``miryoku.spark``) and kept out of reprs.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

ENVIRONMENTS = ("local", "s3", "aws")
# The source checkout in an editable install (``src/miryoku`` → two levels up). Installed from a wheel
# this is a folder inside the interpreter's lib/, so nothing the pipeline runs may depend on it: package
# data (GX suites, s3a settings, SQL, dictionaries) is read with importlib.resources, and the few
# deployment paths below default to the checkout only when there is one (``checkout_root``).
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Names of secrets (environment variables, Airflow connections), never their values.
AUTHOR_KEY_ENV = "MIRYOKU_AUTHOR_KEY"
AUTHOR_KEY_CONN = "miryoku_author_key"  # an Airflow connection whose password is the key
# Where a local lake keeps its generated key (a file beside the lake folder, never inside it).
AUTHOR_KEY_FILE_ENV = "MIRYOKU_AUTHOR_KEY_FILE"
MIN_AUTHOR_KEY_BYTES = 16


# Package data, readable the same from a checkout and from an installed wheel.
SQL_DIR = resources.files("miryoku.sql")  # sql/ of the checkout, installed as miryoku.sql
EXPECTATIONS_DIR = resources.files("miryoku.expectations")


class ConfigError(RuntimeError):
    """The environment is missing something the pipeline needs; the message says what."""


def checkout_root() -> Path | None:
    """The source checkout this package runs from (editable install), or None for a wheel install."""
    return PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else None


def _deploy_path(*parts: str) -> str:
    """A deployment artefact's default path: under the checkout if there is one, else the working dir."""
    return str((checkout_root() or Path.cwd()).joinpath(*parts))


@dataclass(frozen=True)
class SparkPlacement:
    """Where the driver listens and what travels to executors — the part of Spark that changes between
    a laptop and a cluster. Master, deploy mode and resources of submitted jobs come from the Airflow
    Spark connection instead (``conn_id``, see ``miryoku.spark_submit``)."""

    # Address executors use to reach the driver; "" lets Spark pick (a cluster node's own address).
    driver_host: str = "127.0.0.1"
    # Address the driver binds; "" = Spark's default (all interfaces in client mode on a cluster node).
    bind_address: str = "127.0.0.1"
    # The packed executor environment (``make spark-env``): a local path or a URI (s3://, hdfs://,
    # gs://) the cluster can fetch; "none" = the executors' own Python already has everything.
    env_archive: str = ""
    # hadoop-aws and the AWS SDK bundle for s3a:// (``make jars``).
    jars_dir: str = ""
    # The Airflow Spark connection submitted jobs use.
    conn_id: str = "spark_default"
    # A submitted job's driver interpreter; "" = the submitting one (client mode). Cluster deploy
    # mode: ./env/bin/python, the archive's.
    driver_python: str = ""
    # Any further Spark settings (resources, queues' tuning), from MIRYOKU_SPARK_CONF as a JSON object.
    extra_conf: dict = field(default_factory=dict)
    # The local driver JVM's class-data-sharing archive (``miryoku jvm-archive``, ``make``): it belongs to
    # the environment whose pyspark jars it maps, so it lives in that venv; "none" = never used.
    class_archive: str = ""
    # A local-master night expected to carry this many posts or more runs its JVM with the full JIT.
    big_night_posts: int = 200_000
    # The driver JVM's heap (``spark.driver.memory``); a local master's tasks run inside it. A 1M-post
    # night needs about 2 GB live (BENCHMARKS.md): 3 GB leaves it room.
    driver_memory: str = "3g"

    @property
    def ships_env(self) -> bool:
        return self.env_archive.lower() != "none"


def spark_placement() -> SparkPlacement:
    env = os.environ
    host = env.get("MIRYOKU_SPARK_DRIVER_HOST", "127.0.0.1")
    return SparkPlacement(
        driver_host=host,
        bind_address=env.get("MIRYOKU_SPARK_BIND_ADDRESS", host),
        env_archive=env.get("MIRYOKU_SPARK_ENV_ARCHIVE") or _deploy_path("build", "spark-env.tar.gz"),
        jars_dir=env.get("MIRYOKU_SPARK_JARS_DIR") or _deploy_path("infra", "jars", "spark"),
        conn_id=env.get("MIRYOKU_SPARK_CONN_ID") or "spark_default",
        driver_python=env.get("MIRYOKU_SPARK_DRIVER_PYTHON", ""),
        extra_conf=_spark_conf_json(env.get("MIRYOKU_SPARK_CONF", "")),
        class_archive=env.get("MIRYOKU_SPARK_CLASS_ARCHIVE") or default_class_archive(),
        big_night_posts=int(env.get("MIRYOKU_BIG_NIGHT_POSTS") or 200_000),
        driver_memory=env.get("MIRYOKU_SPARK_DRIVER_MEMORY") or "3g",
    )


def default_class_archive() -> str:
    return str(Path(sys.prefix) / "share" / "miryoku" / "spark-driver.jsa")


def _spark_conf_json(text: str) -> dict[str, str]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"MIRYOKU_SPARK_CONF is not JSON: {exc}") from exc
    if not isinstance(value, dict) or not all(str(k).startswith("spark.") for k in value):
        raise ConfigError('MIRYOKU_SPARK_CONF must be a JSON object of Spark settings, e.g. {"spark.executor.memory": "4g"}')
    return {str(k): str(v) for k, v in value.items()}


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
    # Spark jobs a step runs side by side from driver threads (its writes, its gate aggregates).
    concurrent_jobs: int = 4
    # Processes that read a date's landing files side by side (0: one per core; 1: this process only).
    ingest_processes: int = 0
    # "" = the suites shipped in the package (miryoku.expectations); a folder overrides them.
    expectations_dir: str = ""
    # how long a version replaced by a run's commit stays readable for jobs that resolved it during
    # the commit (lake/commit.py); longer than the longest job that reads published tables.
    retain_replaced_seconds: float = 21600.0
    spark: SparkPlacement = field(default_factory=SparkPlacement)
    aws_conn_id: str = "miryoku_s3"
    aws_profile: str | None = None
    author_key_env: str = AUTHOR_KEY_ENV
    extra: dict = field(default_factory=dict)

    @property
    def is_s3(self) -> bool:
        return self.lake_root.startswith("s3://")

    def author_key(self) -> bytes:
        """The HMAC key for pseudonymous author ids, read when needed and never cached in a repr.

        First match wins: ``MIRYOKU_AUTHOR_KEY``; the password of the Airflow connection
        ``miryoku_author_key`` (inside a task); on a local lake only, the lake's own random key in
        ``author_key_file()``, created on first use. No key ships with the code: a fixed one would let
        anyone with a list of candidate handles recompute every ``author_key``.
        """
        value = os.environ.get(self.author_key_env)
        if not value and (conn := _airflow_connection(AUTHOR_KEY_CONN)) is not None:
            value = conn.password
        if value:
            if len(value.encode("utf-8")) < MIN_AUTHOR_KEY_BYTES:
                raise ConfigError(f"the author HMAC key ({self.author_key_env}) is shorter than "
                                  f"{MIN_AUTHOR_KEY_BYTES} bytes: use a long random value")
            return value.encode("utf-8")
        if self.env == "local" and not self.is_s3 and "://" not in self.lake_root:
            return _lake_author_key(self.author_key_file())
        raise ConfigError(
            f"{self.author_key_env} is not set: the {self.env!r} environment needs a secret HMAC key "
            f"for author pseudonyms (the environment variable or the Airflow connection {AUTHOR_KEY_CONN!r})."
        )

    def author_key_file(self) -> Path:
        """``<parent>/.<lake folder name>.author-key`` beside a local lake (or ``MIRYOKU_AUTHOR_KEY_FILE``):
        outside every folder of the lake, so copying, publishing or cataloguing the lake never carries it."""
        override = os.environ.get(AUTHOR_KEY_FILE_ENV)
        if override:
            return Path(override).expanduser().resolve()
        root = Path(self.lake_root)
        return root.parent / f".{root.name}.author-key"

    def sources(self) -> dict:
        """The sources configuration (which sources run, their queries and base URLs)."""
        return load_sources_file(self.sources_file)


def _lake_author_key(path: Path) -> bytes:
    """The key in ``path``, creating it once (32 random bytes, hex, mode 0600) if it does not exist.

    Creation is race-free: the key is written to a private temporary file and linked into place, so
    two tasks starting together both end up with the one key that won.
    """
    import secrets

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text("utf-8").strip()
    if len(key) < MIN_AUTHOR_KEY_BYTES:
        raise ConfigError(f"the author key file {path} is empty or too short: delete it to generate a new key "
                          "(see docs/security.md on what rotation means for author_key)")
    return key.encode("utf-8")


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
        concurrent_jobs=max(1, int(os.environ.get("MIRYOKU_CONCURRENT_JOBS", "4"))),
        ingest_processes=max(0, int(os.environ.get("MIRYOKU_INGEST_PROCESSES", "0"))),
        expectations_dir=os.environ.get("MIRYOKU_EXPECTATIONS_DIR") or "",
        retain_replaced_seconds=float(os.environ.get("MIRYOKU_RETAIN_REPLACED_SECONDS", "21600")),
        spark=spark_placement(),
        aws_conn_id=os.environ.get("MIRYOKU_AWS_CONN_ID", "miryoku_s3"),
        aws_profile=os.environ.get("AWS_PROFILE") or None,
    )


# --- S3: one resolution of endpoint, region and credentials for pyarrow and Spark s3a ---------------
S3A_CONF_FILE = resources.files("miryoku.conf").joinpath("spark-s3a.json")
DEFAULT_REGION = "us-east-1"
_S3A = "spark.hadoop.fs.s3a."
_PROVIDERS = {
    "keys": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    "session": "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider",
    "profile": "software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider",
}


@dataclass(frozen=True)
class S3Access:
    """Where S3 calls go and as whom. The secret fields never show in ``repr`` (so never in logs)."""

    endpoint: str | None  # e.g. http://127.0.0.1:9000 for an S3-compatible server; None = AWS itself
    region: str
    origin: str  # where the credentials came from, safe to log
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    profile: str | None = None

    @property
    def scheme(self) -> str:
        return "http" if (self.endpoint or "").startswith("http://") else "https"

    def pyarrow_kwargs(self) -> dict:
        """``pyarrow.fs.S3FileSystem`` arguments. With an endpoint override Arrow addresses buckets
        path-style (S3Proxy, MinIO and Ceph need it); without keys the AWS SDK's default chain
        applies, which also honours ``AWS_PROFILE``."""
        kwargs: dict = {"region": self.region, "scheme": self.scheme}
        if self.endpoint:
            kwargs["endpoint_override"] = self.endpoint.split("://", 1)[-1].rstrip("/")
        if self.access_key:
            kwargs.update(access_key=self.access_key, secret_key=self.secret_key,
                          session_token=self.session_token)
        return kwargs

    def s3a_conf(self, with_secrets: bool = False) -> dict[str, str]:
        """Spark's s3a settings: ``miryoku/conf/spark-s3a.json`` adapted to this endpoint and credential kind.

        Keys go in only with ``with_secrets`` (at session build); Spark redacts ``*.secret.key`` and
        ``*.access.key`` in its UI and event logs (``spark.redaction.regex``).
        """
        # The file's ${endpoint}/${access_key}/${secret_key} placeholders are filled below, or dropped.
        conf = {k: v for k, v in json.loads(S3A_CONF_FILE.read_text("utf-8")).items() if "${" not in v}
        conf[_S3A + "endpoint.region"] = self.region
        conf[_S3A + "path.style.access"] = "true" if self.endpoint else "false"
        conf[_S3A + "connection.ssl.enabled"] = "true" if self.scheme == "https" else "false"
        if self.endpoint:
            conf[_S3A + "endpoint"] = self.endpoint
        kind = ("session" if self.session_token else "keys") if self.access_key else \
            ("profile" if self.profile else None)
        if kind:
            conf[_S3A + "aws.credentials.provider"] = _PROVIDERS[kind]
        else:  # IAM role / web identity: Hadoop's default provider chain
            conf.pop(_S3A + "aws.credentials.provider", None)
        if with_secrets and self.access_key:
            conf[_S3A + "access.key"] = self.access_key
            conf[_S3A + "secret.key"] = self.secret_key or ""
            if self.session_token:
                conf[_S3A + "session.token"] = self.session_token
        return conf


def _airflow_connection(conn_id: str):
    """The Airflow connection ``conn_id``, only inside a running Airflow task (where Airflow exports
    ``AIRFLOW_CTX_DAG_ID``) and only if it exists; ``None`` everywhere else, without importing Airflow."""
    if not conn_id or "AIRFLOW_CTX_DAG_ID" not in os.environ:
        return None
    try:
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:
        return None
    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


def s3_access(cfg: Settings) -> S3Access:
    """Endpoint, region and credentials, first match wins: ``AWS_ACCESS_KEY_ID`` +
    ``AWS_SECRET_ACCESS_KEY`` (+ ``AWS_SESSION_TOKEN``); the Airflow AWS connection ``cfg.aws_conn_id``
    (login/password, extras ``endpoint_url``, ``region_name``, ``aws_session_token``); ``AWS_PROFILE``;
    the SDK default chain (``aws`` only: an S3-compatible server has no instance role)."""
    endpoint, region = cfg.s3_endpoint, cfg.s3_region
    env = os.environ
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        access = S3Access(endpoint, region or DEFAULT_REGION, "environment", env["AWS_ACCESS_KEY_ID"],
                          env["AWS_SECRET_ACCESS_KEY"], env.get("AWS_SESSION_TOKEN") or None)
    elif (conn := _airflow_connection(cfg.aws_conn_id)) is not None and conn.login:
        extra = conn.extra_dejson or {}
        access = S3Access(endpoint or extra.get("endpoint_url"), region or extra.get("region_name") or
                          DEFAULT_REGION, f"airflow connection {cfg.aws_conn_id!r}", conn.login,
                          conn.password, extra.get("aws_session_token"))
    elif cfg.aws_profile:
        access = S3Access(endpoint, region or DEFAULT_REGION, f"profile {cfg.aws_profile!r}",
                          profile=cfg.aws_profile)
    else:
        access = S3Access(endpoint, region or DEFAULT_REGION, "default chain")
    if cfg.env == "s3" and not access.endpoint:
        raise ConfigError("MIRYOKU_ENV=s3 needs the server's URL in MIRYOKU_S3_ENDPOINT (or AWS_ENDPOINT_URL)")
    if access.endpoint and access.origin == "default chain":
        raise ConfigError(
            f"no S3 credentials for {access.endpoint}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            f"AWS_PROFILE, or the Airflow connection {cfg.aws_conn_id!r} (MIRYOKU_AWS_CONN_ID)")
    return access
