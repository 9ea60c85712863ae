"""The lake on S3 by configuration alone: the nightly run for two dates against S3Proxy on loopback
gives the same gold tables as on a local folder, and no credential reaches a log or the lake.

Also the mapping from the environment to pyarrow and Spark s3a settings (endpoint, path style, TLS,
credentials from the environment or an Airflow connection, never in a repr).
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from lake_cli import AUTHOR_KEY, base_env, blobs_containing, miryoku, s3_env, s3_files, set_s3_env
from s3_server import S3Server, spark_jars

from miryoku.config import ConfigError, S3Access, s3_access, settings
from miryoku.lake import Lake

pytestmark = pytest.mark.integration

DATES = ["2026-01-14", "2026-01-15"]
GOLD = ["term_daily_v1", "category_daily_v1", "product_volume_daily_v1", "cooccurrence_monthly_v1",
        "shipment_buzz_monthly_v1"]


@pytest.fixture(scope="module")
def s3():
    with S3Server(access_key="miryoku-test", secret_key=f"s3-secret-{uuid.uuid4().hex}") as server:
        yield server


# --- configuration ----------------------------------------------------------------------------------
def test_s3_settings_from_the_environment_reach_pyarrow_and_spark_without_showing_secrets(monkeypatch):
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("MIRYOKU_ENV", "s3")
    monkeypatch.setenv("MIRYOKU_S3_ENDPOINT", "http://127.0.0.1:9000")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret-value")
    monkeypatch.setenv("AWS_REGION", "ap-northeast-1")
    cfg = settings("s3://bucket/lake")
    access = s3_access(cfg)
    assert "very-secret-value" not in repr(access) + repr(cfg) + repr(Lake(cfg))
    assert access.origin == "environment" and access.region == "ap-northeast-1"
    assert access.pyarrow_kwargs() == {"region": "ap-northeast-1", "scheme": "http", "endpoint_override":
                                       "127.0.0.1:9000", "access_key": "AKIDEXAMPLE",
                                       "secret_key": "very-secret-value", "session_token": None}
    conf = access.s3a_conf()
    assert "very-secret-value" not in json.dumps(conf)
    assert conf["spark.hadoop.fs.s3a.endpoint"] == "http://127.0.0.1:9000"
    assert conf["spark.hadoop.fs.s3a.path.style.access"] == "true"
    assert conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "false"
    assert conf["spark.sql.sources.commitProtocolClass"].endswith("SQLHadoopMapReduceCommitProtocol")
    assert access.s3a_conf(with_secrets=True)["spark.hadoop.fs.s3a.secret.key"] == "very-secret-value"

    # Real AWS: no endpoint, virtual-host addressing, TLS, and the SDK chain when no keys are set.
    for key in ("MIRYOKU_S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("MIRYOKU_ENV", "aws")
    aws = s3_access(settings("s3://bucket/lake")).s3a_conf()
    assert "spark.hadoop.fs.s3a.endpoint" not in aws and "spark.hadoop.fs.s3a.aws.credentials.provider" not in aws
    assert aws["spark.hadoop.fs.s3a.path.style.access"] == "false"
    assert aws["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "true"
    monkeypatch.setenv("MIRYOKU_ENV", "s3")
    with pytest.raises(ConfigError, match="MIRYOKU_S3_ENDPOINT"):
        s3_access(settings("s3://bucket/lake"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")
    with pytest.raises(ConfigError, match="AWS_ACCESS_KEY_ID"):
        s3_access(settings("s3://bucket/lake"))


def test_an_airflow_connection_is_read_only_inside_a_task(monkeypatch):
    from airflow.sdk import Connection

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("MIRYOKU_ENV", "s3")
    monkeypatch.setenv("MIRYOKU_AWS_CONN_ID", "lake_s3")
    conn = Connection(conn_id="lake_s3", conn_type="aws", login="AKIDCONN", password="conn-secret",
                      extra=json.dumps({"endpoint_url": "http://127.0.0.1:9100", "region_name": "eu-west-1"}))
    asked = []
    monkeypatch.setattr(Connection, "get", classmethod(lambda cls, conn_id: asked.append(conn_id) or conn))
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID", raising=False)
    monkeypatch.delenv("MIRYOKU_S3_ENDPOINT", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with pytest.raises(ConfigError):
        s3_access(settings("s3://bucket/lake"))  # outside a task: no connection lookup, no endpoint
    assert asked == []
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "miryoku_nightly")
    access = s3_access(settings("s3://bucket/lake"))
    assert asked == ["lake_s3"]
    assert (access.endpoint, access.region, access.access_key) == ("http://127.0.0.1:9100", "eu-west-1", "AKIDCONN")
    assert "conn-secret" not in repr(access)
    assert isinstance(access, S3Access) and access.origin == "airflow connection 'lake_s3'"


def test_spark_without_the_s3a_jars_says_how_to_fetch_them(monkeypatch, tmp_path):
    import miryoku.spark

    monkeypatch.setenv("MIRYOKU_SPARK_JARS_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match=r"make jars"):
        miryoku.spark.s3a_jars(settings())


def test_lake_moves_folders_and_files_on_s3(s3, monkeypatch):
    s3.create_bucket("moves")
    set_s3_env(monkeypatch, s3)
    lake = Lake.from_settings("s3://moves/lake")
    for name in ("a.parquet", "sub/b.parquet"):
        lake.write_bytes(f"src/{name}", name.encode())
    lake.move("src", "dst/here")
    assert lake.files("dst") == ["dst/here/a.parquet", "dst/here/sub/b.parquet"]
    assert not lake.exists("src") and lake.read_bytes("dst/here/sub/b.parquet") == b"sub/b.parquet"
    lake.move("dst/here/a.parquet", "a.parquet")
    assert lake.read_bytes("a.parquet") == b"a.parquet" and not lake.exists("dst/here/a.parquet")


# --- the nightly run, S3 vs a local folder --------------------------------------------------------------
def gold_rows(catalog: str, table: str) -> tuple[list[str], list[tuple]]:
    from miryoku.catalog import open_catalog

    with open_catalog(catalog) as con:
        columns = sorted(r[0] for r in con.execute(f"describe {table}").fetchall())
        rows = con.execute(f"select {', '.join(columns)} from {table}").fetchall()
    return columns, sorted(rows, key=repr)


def report_lines(text: str, root: str) -> list[str]:
    """The report without the lines naming where the lake is."""
    return [line for line in text.splitlines() if root.removeprefix("s3://") not in line]


@pytest.mark.spark
def test_nightly_run_on_s3_matches_a_local_folder_and_keeps_credentials_out(s3, tmp_path):
    spark_jars()  # fetch in the parent, where a failure is easiest to read
    s3.create_bucket("nightly")
    s3_root, local_root = "s3://nightly/lake", str(tmp_path / "lake")
    logs = {"s3": tmp_path / "s3.log", "local": tmp_path / "local.log"}
    envs = {"s3": s3_env(s3), "local": base_env()}
    roots = {"s3": s3_root, "local": local_root}
    timings, reports = {}, {}
    for kind in ("s3", "local"):
        for day in DATES:
            t0 = time.perf_counter()
            miryoku(["run", "--date", day, "--lake", roots[kind], "--run-id", f"{kind}-{day}"], envs[kind], logs[kind])
            timings[f"{kind} run {day}"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        miryoku(["catalog", "--lake", roots[kind], "--output", str(tmp_path / f"{kind}.duckdb")], envs[kind], logs[kind])
        timings[f"{kind} catalog"] = round(time.perf_counter() - t0, 1)
        reports[kind] = report_lines(miryoku(["report", "--date", DATES[-1], "--lake", roots[kind]], envs[kind],
                                             logs[kind]), roots[kind])
    print("timings (s):", timings)

    # Same gold, row for row; the same report (rows per table, gates, top terms).
    for table in GOLD:
        s3_cols, s3_rows = gold_rows(str(tmp_path / "s3.duckdb"), table)
        local_cols, local_rows = gold_rows(str(tmp_path / "local.duckdb"), table)
        assert s3_cols == local_cols, table
        assert s3_rows and s3_rows == local_rows, table
    assert reports["s3"] == reports["local"]

    # Every published S3 partition holds exactly its manifest's files: the second date republished
    # the first one's window, and the previous version's objects are gone. No staging is left.
    assert s3_files(s3, "nightly/lake/_published/_pending") == []  # every run's commit switched
    assert len(s3_files(s3, "nightly/lake/_published/_commits")) == 2
    for manifest in s3_files(s3, "nightly/lake/_published"):
        if "/_published/_" in manifest:  # the run commits, not partition manifests
            continue
        files = json.loads(s3.pyarrow_fs().open_input_stream(manifest).read())["files"]
        folder = manifest.replace("/_published/", "/").removesuffix(".json")
        assert s3_files(s3, folder) == sorted(f"nightly/lake/{f}" for f in files), manifest
        assert "/bronze/" in manifest or len(files) <= 4, manifest  # a handful of files per partition
    assert s3_files(s3, "nightly/lake/_staging") == [] and s3_files(s3, "nightly/lake/_trash") == []

    # Credentials: not in anything the runs printed, not in any object of the lake, not in the catalog.
    for secret in (s3.secret_key, AUTHOR_KEY):
        for kind, log in logs.items():
            assert secret.encode() not in log.read_bytes(), f"{kind} log"
        assert blobs_containing(s3.data_dir / "blobs", secret.encode()) == []
        assert blobs_containing(tmp_path / "lake", secret.encode()) == []
        assert secret.encode() not in (tmp_path / "s3.duckdb").read_bytes()
