"""Running ``miryoku`` in a child process against a local folder or the test S3 server.

A child process, because Spark reads ``spark.jars`` only when its JVM starts and the pytest process
may already hold a JVM without the s3a jars. Each child's stdout and stderr go to a log file so tests
can search everything a run printed (for credentials, say).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.fs as pafs
from s3_server import REGION, S3Server

MIRYOKU = str(Path(sys.executable).parent / "miryoku")
AUTHOR_KEY = "author-hmac-key-for-tests-7f3a9c"  # a secret too: must not show up in logs either


def base_env() -> dict[str, str]:
    """The test process's environment without any lake, S3 or AWS setting."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MIRYOKU_LAKE", "MIRYOKU_S3", "AWS_", "MIRYOKU_AWS"))}
    return {**env, "SPARK_LOCAL_IP": "127.0.0.1", "MIRYOKU_SPARK_MASTER": "local[2]",
            "MIRYOKU_ENV": "local", "MIRYOKU_AUTHOR_KEY": AUTHOR_KEY}


def s3_env(server: S3Server) -> dict[str, str]:
    return {**base_env(), "MIRYOKU_ENV": "s3", "MIRYOKU_S3_ENDPOINT": server.endpoint,
            "AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key,
            "AWS_REGION": REGION}


def set_s3_env(monkeypatch, server: S3Server) -> None:
    """The same configuration for Lake objects built inside the test process."""
    for key, value in s3_env(server).items():
        if key.startswith(("MIRYOKU_", "AWS_")):
            monkeypatch.setenv(key, value)


def miryoku(args: list[str], env: dict[str, str], log: Path, timeout: float = 900) -> str:
    """Run ``miryoku ARGS``; fail with the log's tail if it fails; return its stdout."""
    with open(log, "ab") as out:
        proc = subprocess.run([MIRYOKU, *args], env=env, stdout=subprocess.PIPE, stderr=out, timeout=timeout)
        out.write(proc.stdout)
    if proc.returncode != 0:
        raise AssertionError(f"miryoku {' '.join(args)} failed ({proc.returncode}):\n{log.read_text()[-4000:]}")
    return proc.stdout.decode()


def start_miryoku(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start ``miryoku ARGS`` in its own process group (the CLI, its JVM and Python workers)."""
    with open(log, "ab") as out:
        return subprocess.Popen([MIRYOKU, *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group this test started (a machine dying mid-job), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def s3_files(server: S3Server, prefix: str) -> list[str]:
    """Every object under ``bucket/prefix``, listed straight from the server."""
    infos = server.pyarrow_fs().get_file_info(pafs.FileSelector(prefix, recursive=True, allow_not_found=True))
    return sorted(i.path for i in infos if i.type == pafs.FileType.File)


def blobs_containing(root: Path, needle: bytes) -> list[str]:
    """Files under ``root`` (S3Proxy's blob store or a lake folder) whose bytes contain ``needle``."""
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]
