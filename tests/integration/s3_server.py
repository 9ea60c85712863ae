"""A throw-away local S3 server for tests, started with the same script developers use
(infra/s3proxy/start.sh) so tests and manual runs share one command line.

Each `S3Server` listens on a free 127.0.0.1 port with its own data dir (a temp dir unless given);
`stop()` + `start()` reuse the data dir, which is how tests prove objects survive a restart.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import string
import subprocess
import tempfile
import time
from importlib import resources
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
REGION = "us-east-1"  # S3Proxy accepts any region; clients only need to agree on one for SigV4.


def ensure_jars() -> None:
    """Fetch the pinned jars on first use (a no-op afterwards), so tests work on a fresh clone."""
    subprocess.run([str(INFRA / "fetch-jars.sh")], check=True)


def spark_jars() -> list[str]:
    """The jars `spark.jars` must list for s3a:// and the S3A committers."""
    ensure_jars()
    return sorted(str(p) for p in (INFRA / "jars" / "spark").glob("*.jar"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    """S3Proxy on 127.0.0.1, controlled through infra/s3proxy/{start,stop}.sh and stopped by PID."""

    def __init__(
        self,
        data_dir: str | os.PathLike | None = None,
        port: int | None = None,
        access_key: str = "miryoku",
        secret_key: str = "miryoku-secret",
    ) -> None:
        self._owns_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="miryoku-s3-"))
        self.port = port or free_port()
        self.access_key = access_key
        self.secret_key = secret_key
        self.start_seconds: float | None = None

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"http://{self.host_port}"

    @property
    def pid(self) -> int | None:
        pid_file = self.data_dir / "s3proxy.pid"
        return int(pid_file.read_text()) if pid_file.exists() else None

    def _run(self, script: str) -> None:
        env = {
            **os.environ,
            "S3_PORT": str(self.port),
            "S3_ACCESS_KEY": self.access_key,
            "S3_SECRET_KEY": self.secret_key,
        }
        proc = subprocess.run(
            [str(INFRA / "s3proxy" / script), str(self.data_dir)], env=env, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{script} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")

    def start(self) -> S3Server:
        ensure_jars()  # outside the timing: the first call may download the jars
        t0 = time.perf_counter()
        self._run("start.sh")
        self.start_seconds = time.perf_counter() - t0
        return self

    def stop(self) -> None:
        """Stop the server by PID and keep the data dir (see `close`)."""
        self._run("stop.sh")

    def close(self) -> None:
        self.stop()
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pyarrow_fs(self, **kwargs):
        from pyarrow import fs

        return fs.S3FileSystem(
            endpoint_override=self.host_port,
            scheme="http",
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=REGION,
            **kwargs,
        )

    def create_bucket(self, name: str) -> None:
        # pyarrow is a core dependency, so creating buckets needs no extra S3 client.
        self.pyarrow_fs(allow_bucket_creation=True).create_dir(name)

    def s3a_conf(self) -> dict[str, str]:
        """The package's spark-s3a.json with this server's endpoint and keys filled in."""
        raw = json.loads(resources.files("miryoku.conf").joinpath("spark-s3a.json").read_text("utf-8"))
        values = {"endpoint": self.endpoint, "access_key": self.access_key, "secret_key": self.secret_key}
        return {k: string.Template(v).substitute(values) for k, v in raw.items()}
