"""A private Spark standalone cluster for tests: ``infra/spark/cluster-up.sh`` on a free block of
loopback ports, in its own run directory, stopped again by ``cluster-down.sh`` (by PID).

Shared by the cluster tests (``miryoku run`` and probes on the cluster) and the stack drill that
points the scheduler's Spark connection at it.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SPARK_SCRIPTS = Path(__file__).resolve().parents[1] / "infra" / "spark"


@dataclass(frozen=True)
class Cluster:
    host: str
    port: int
    run_dir: Path

    @property
    def master(self) -> str:
        return f"spark://{self.host}:{self.port}"

    def applications(self) -> set[str]:
        """The applications whose executors ran on a worker (each worker keeps one folder per app)."""
        return {p.name for p in self.run_dir.glob("worker-*/app-*")}


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def free_port_block(size: int = 4) -> int:
    """The first of ``size`` consecutive free loopback ports: master, its UI, the workers' UIs."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base < 65000 and all(_free(p) for p in range(base, base + size)):
            return base
    raise RuntimeError("no free block of loopback ports")


@contextlib.contextmanager
def standalone_cluster(run_dir: Path, env: dict[str, str], venv_bin: Path) -> Iterator[Cluster]:
    """A master and two workers under ``run_dir``; ``env`` is the scripts' environment."""
    base = free_port_block()
    env = {**env, "SPARK_CLUSTER_DIR": str(run_dir), "SPARK_MASTER_PORT": str(base),
           "SPARK_MASTER_UI_PORT": str(base + 1), "VENV_BIN": str(venv_bin), "SPARK_START_TIMEOUT": "300"}
    subprocess.run([str(SPARK_SCRIPTS / "cluster-up.sh")], env=env, check=True, timeout=600)
    try:
        yield Cluster("127.0.0.1", base, run_dir)
    finally:
        subprocess.run([str(SPARK_SCRIPTS / "cluster-down.sh")], env=env, check=True, timeout=120)
