"""The S3 lake on the standalone cluster: executors read and write s3a:// against S3Proxy on loopback,
the gold rows equal local[2]'s, and the secret key never appears on a process's command line, in the
run's output, or in the cluster's logs and executors' work directories."""

from __future__ import annotations

import sys
import threading
import uuid
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from conftest import ROOT, run_date
from pyarrow import fs as pafs

sys.path.insert(0, str(ROOT / "tests" / "integration"))
from s3_server import S3Server, spark_jars  # noqa: E402

pytestmark = pytest.mark.cluster


class CommandLineWatch(threading.Thread):
    """Reads every process's command line until stopped, remembering any that holds ``needle``."""

    def __init__(self, needle: bytes):
        super().__init__(daemon=True)
        self.needle, self.seen, self.scans = needle, [], 0
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.2):
            for proc in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    if self.needle in proc.read_bytes():
                        self.seen.append(proc.parent.name)
                except OSError:
                    pass
            self.scans += 1


def _s3_gold_rows(server: S3Server, root: str) -> dict[str, list[tuple]]:
    fs = server.pyarrow_fs()
    rows = {}
    for info in fs.get_file_info(pafs.FileSelector(f"{root}/gold")):
        table = info.path.rsplit("/", 1)[-1]
        if table.startswith("partial_"):
            continue  # the pipeline's internal daily partials: local_gold compares the published tables
        data = ds.dataset(info.path, filesystem=fs, format="parquet", partitioning="hive").to_table()
        rows[table] = sorted(tuple(str(v) for v in r.values()) for r in data.to_pylist())
    return rows


def test_an_s3_lake_on_the_cluster_matches_local_and_keeps_the_key_secret(standalone_cluster, spark_env_archive,
                                                                          sources_file, local_gold, tmp_path):
    jars = spark_jars()
    secret = f"s3-secret-{uuid.uuid4().hex}"
    with S3Server(access_key="miryoku-cluster", secret_key=secret) as server:
        server.create_bucket("cluster")
        watch = CommandLineWatch(secret.encode())
        watch.start()
        try:
            done = run_date("s3://cluster/lake", sources_file, MIRYOKU_ENV="s3",
                            MIRYOKU_SPARK_MASTER=standalone_cluster.master,
                            MIRYOKU_SPARK_ENV_ARCHIVE=str(spark_env_archive),
                            MIRYOKU_SPARK_JARS_DIR=str(Path(jars[0]).parent), MIRYOKU_S3_ENDPOINT=server.endpoint,
                            AWS_ACCESS_KEY_ID=server.access_key, AWS_SECRET_ACCESS_KEY=secret,
                            MIRYOKU_AUTHOR_KEY="cluster-test-author-key")
        finally:
            watch.done.set()
            watch.join()
        assert done.returncode == 0, done.stderr[-3000:]
        assert watch.scans > 10
        # The test's own run_date child holds the key in its environment, never in a command line.
        assert watch.seen == [], "the S3 secret key was on a process's command line"
        assert secret not in done.stdout and secret not in done.stderr
        leaked = [str(p) for p in standalone_cluster.run_dir.rglob("*")
                  if p.is_file() and not p.is_symlink() and "/env/" not in str(p) and p.suffix != ".jar"
                  and secret.encode() in p.read_bytes()]
        assert leaked == []
        assert _s3_gold_rows(server, "cluster/lake") == local_gold
