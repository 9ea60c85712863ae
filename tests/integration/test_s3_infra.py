"""The local S3 stack works end to end: S3Proxy on loopback, pyarrow, and Spark s3a with the
conf in src/miryoku/conf/spark-s3a.json (classic committer, dynamic partition overwrite) and with the S3A magic
and partitioned committers opted in per job.

Jars are fetched by the helpers on first use, so these tests also run on a fresh clone.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from pyarrow import fs as pafs
from s3_server import S3Server, spark_jars

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def s3():
    with S3Server() as server:
        yield server


def test_objects_survive_restart():
    with S3Server() as server:
        server.create_bucket("restart")
        fs = server.pyarrow_fs()
        with fs.open_output_stream("restart/a/b.txt") as f:
            f.write(b"kept")
        old_pid = server.pid

        server.stop()
        assert server.pid is None
        assert not os.path.exists(f"/proc/{old_pid}")
        server.start()

        assert server.pid != old_pid
        with server.pyarrow_fs().open_input_stream("restart/a/b.txt") as f:
            assert f.read() == b"kept"


def test_pyarrow_hive_partitioned_dataset(s3):
    s3.create_bucket("arrow")
    fs = s3.pyarrow_fs()
    table = pa.table({"day": ["2024-05-01", "2024-05-02"] * 3, "n": list(range(6))})
    ds.write_dataset(
        table,
        "arrow/posts",
        filesystem=fs,
        format="parquet",
        partitioning=["day"],
        partitioning_flavor="hive",
    )

    back = ds.dataset("arrow/posts", filesystem=fs, format="parquet", partitioning="hive").to_table()
    assert sorted(zip(back["day"].to_pylist(), back["n"].to_pylist(), strict=True)) == sorted(
        zip(table["day"].to_pylist(), table["n"].to_pylist(), strict=True)
    )
    assert fs.get_file_info("arrow/posts/day=2024-05-01").type == pafs.FileType.Directory


# Per-job opt-in to the S3A magic committer (infra/README.md): these SQL confs plus the write option
# fs.s3a.committer.name=magic. The Hadoop half (factory binding, magic support) is in spark-s3a.json.
MAGIC_OPT_IN = {
    "spark.sql.sources.commitProtocolClass": "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol",
    "spark.sql.parquet.output.committer.class": "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter",
}


def _spark_session(s3: S3Server):
    from pyspark.sql import SparkSession

    conf = {
        "spark.master": "local[2]",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        # As the lake's own sessions do: mode("overwrite") replaces only the partitions written.
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        "spark.jars": ",".join(spark_jars()),
        **s3.s3a_conf(),
    }
    builder = SparkSession.builder.appName("test_s3_infra")
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _spark_observations(s3: S3Server) -> dict:
    """Does the Spark work in a fresh interpreter (see `_in_fresh_jvm`) and returns plain data for the
    parent test to assert on, so failures keep pytest's assertion messages."""
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    t0 = time.perf_counter()
    spark = _spark_session(s3)
    obs: dict = {"timings": {"session_s": time.perf_counter() - t0}}
    fs = s3.pyarrow_fs()

    def rows(df):
        return sorted(tuple(r) for r in df.select("id", "day", "text").collect())

    def counts(path):
        return {r["day"]: r["count"] for r in spark.read.parquet(path).groupBy("day").count().collect()}

    def committer_of(bucket_path):
        """S3A committers write a JSON _SUCCESS naming themselves; Spark's classic path does not."""
        info = fs.get_file_info(f"{bucket_path}/_SUCCESS")
        if info.type != pafs.FileType.File or info.size == 0:
            return None
        with fs.open_input_stream(f"{bucket_path}/_SUCCESS") as f:
            return json.loads(f.read())["committer"]

    def timed(name, fn):
        t = time.perf_counter()
        result = fn()
        obs["timings"][name] = time.perf_counter() - t
        return result

    try:
        df = spark.createDataFrame(
            [(i, f"2024-05-0{i % 3 + 1}", f"post {i}") for i in range(300)], "id int, day string, text string"
        )
        update = spark.createDataFrame([(1000 + i, "2024-05-02", "late") for i in range(5)], df.schema)
        obs["expected"] = rows(df)

        # 1. The conf as shipped: Spark's classic commit protocol, dynamic partition overwrite.
        classic = "s3a://spark-lake/classic/"
        timed("classic_write_s", lambda: df.write.mode("overwrite").partitionBy("day").parquet(classic))
        obs["classic_rows"] = timed("classic_read_s", lambda: rows(spark.read.parquet(classic)))
        obs["classic_committer"] = committer_of("spark-lake/classic")
        update.write.mode("overwrite").partitionBy("day").parquet(classic)
        obs["classic_after_dynamic_overwrite"] = counts(classic)

        # 2. Magic committer opted in for one job (static overwrite: S3A committers refuse dynamic).
        for key, value in MAGIC_OPT_IN.items():
            spark.conf.set(key, value)
        magic = df.write.option("fs.s3a.committer.name", "magic")
        timed(
            "magic_write_s",
            lambda: (
                magic.mode("overwrite")
                .option("partitionOverwriteMode", "static")
                .partitionBy("day")
                .parquet("s3a://spark-lake/x/")
            ),
        )
        obs["magic_rows"] = timed("magic_read_s", lambda: rows(spark.read.parquet("s3a://spark-lake/x/")))
        obs["magic_committer"] = committer_of("spark-lake/x")
        listing = fs.get_file_info(pafs.FileSelector("spark-lake/x", recursive=True))
        obs["magic_leftovers"] = [i.path for i in listing if "__magic" in i.path]

        # 3. Replacing partitions under the S3A committers.
        (
            update.write.mode("append")
            .partitionBy("day")
            .option("fs.s3a.committer.name", "partitioned")
            .option("fs.s3a.committer.staging.conflict-mode", "replace")
            .parquet("s3a://spark-lake/x/")
        )
        obs["partitioned_replace"] = counts("s3a://spark-lake/x/")
        try:
            update.write.mode("overwrite").option("fs.s3a.committer.name", "magic").partitionBy(
                "day"
            ).parquet("s3a://spark-lake/x/")
            obs["magic_dynamic_error"] = None
        except Exception as e:  # noqa: BLE001 - the message is what the test checks
            obs["magic_dynamic_error"] = str(e)
    finally:
        spark.stop()
    return obs


def _call_returning_plain_errors(fn, *args):
    """Py4J errors do not pickle; re-raise them as RuntimeError carrying the child's traceback."""
    try:
        return fn(*args)
    except Exception as e:
        raise RuntimeError(f"{type(e).__name__}: {e}\n{traceback.format_exc()}") from None


def _in_fresh_jvm(fn, *args):
    """spark.jars reach the driver's class path only when the JVM starts, and earlier tests in this
    pytest process may already hold a JVM (getOrCreate, dag.test) without the s3a jars: a spawned
    interpreter gets its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_call_returning_plain_errors, fn, *args).result()


@pytest.mark.spark
def test_spark_s3a_partitioned_parquet(s3):
    s3.create_bucket("spark-lake")
    spark_jars()  # fetch in the parent, where a failure is easiest to read
    obs = _in_fresh_jvm(_spark_observations, s3)
    print("spark s3a timings:", {k: round(v, 2) for k, v in obs["timings"].items()})
    kept = {"2024-05-01": 100, "2024-05-02": 5, "2024-05-03": 100}

    # Shipped conf: classic commit (rename = copy on S3), so dynamic partition overwrite works.
    assert obs["classic_rows"] == obs["expected"]
    assert obs["classic_committer"] is None
    assert obs["classic_after_dynamic_overwrite"] == kept

    # Magic committer: same rows, a _SUCCESS naming it, no pending-upload area left behind.
    assert obs["magic_rows"] == obs["expected"]
    assert obs["magic_committer"] == "magic"
    assert obs["magic_leftovers"] == []

    # S3A committers refuse dynamic overwrite; partitioned + conflict-mode=replace + append is the
    # S3A way to replace only the partitions written.
    assert obs["partitioned_replace"] == kept
    assert "does not support dynamicPartitionOverwrite" in (obs["magic_dynamic_error"] or "")
