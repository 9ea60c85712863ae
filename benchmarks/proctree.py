"""Run a command and sample the memory of its whole process tree (driver, JVM, Python workers).

``/usr/bin/time -v`` and ``ru_maxrss`` see one process; Spark's JVM and its Python workers are
children of the driver. Every 0.2 s this reads the RSS of the process and all its descendants
(psutil over /proc) and keeps the peak of their sum, the peak of each role, and each process's
last seen CPU time, so the report can say where memory and CPU went.

RSS counts a shared page once in every process that maps it: the Python workers are forked from one
daemon and share its libraries, so the sum of their RSS is more than the memory they take. The
sampler also sums each process's PSS (proportional set size: a page shared by k processes counts
1/k in each), which adds up to the physical memory the tree occupies — the figure a machine is sized
by. Both are reported.

The JVM starts short-lived helpers (Hadoop's local file system forks ``chmod`` for every file it
writes without its native library). Such a child is made by ``vfork``: until it execs, it shares the
JVM's pages and /proc reports the JVM's whole RSS for it. So a process's role is read before its
memory, a ``java`` child of ``java`` is a helper not yet exec'd and is skipped, and the tree's sum
counts the driver, the JVM and the Python workers; other processes keep their own line.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass, field

import psutil

INTERVAL = 0.2
IN_TREE_SUM = ("driver", "jvm", "python workers")


@dataclass
class TreeStats:
    seconds: float = 0.0
    returncode: int | None = None
    peak_tree_rss: int = 0                                   # bytes, sum over the tree at one instant
    peak_tree_pss: int = 0                                   # bytes, the same sum of PSS (shared pages split)
    peak_role_rss: dict[str, int] = field(default_factory=dict)  # role → bytes (each role's own peak)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # role → user + system seconds
    processes: int = 0


def role_of(proc: psutil.Process, root_pid: int) -> str:
    if proc.pid == root_pid:
        return "driver"
    try:
        name = proc.name()
    except psutil.Error:
        return "other"
    if name == "java":
        try:
            parent = proc.parent()
            if parent is not None and parent.pid != root_pid and parent.name() == "java":
                return "vfork"
        except psutil.Error:
            return "other"
        return "jvm"
    if name.startswith("python"):
        return "python workers"
    return "other"


def run_sampled(cmd: list[str], env: dict | None = None, cwd=None, log_path=None) -> TreeStats:
    """Run ``cmd`` to completion; return its wall time and the tree's memory and CPU."""
    stats = TreeStats()
    cpu: dict[int, tuple[str, float]] = {}
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    root = psutil.Process(child.pid)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            total, total_pss, by_role = 0, 0, {}
            for proc in procs:
                role = role_of(proc, child.pid)  # before the memory: see the module's docstring
                if role == "vfork":
                    continue
                try:
                    rss = proc.memory_info().rss
                    times = proc.cpu_times()
                    pss = proc.memory_full_info().pss if role in IN_TREE_SUM else 0
                except psutil.Error:
                    continue
                if role in IN_TREE_SUM:
                    total += rss
                    total_pss += pss
                by_role[role] = by_role.get(role, 0) + rss
                cpu[proc.pid] = (role, times.user + times.system)
            stats.peak_tree_rss = max(stats.peak_tree_rss, total)
            stats.peak_tree_pss = max(stats.peak_tree_pss, total_pss)
            for role, rss in by_role.items():
                stats.peak_role_rss[role] = max(stats.peak_role_rss.get(role, 0), rss)
            done.wait(INTERVAL)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stats.returncode = child.wait()
    finally:
        stats.seconds = time.perf_counter() - t0
        done.set()
        sampler.join()
        if log_path:
            log.close()
    for role, seconds in cpu.values():
        stats.cpu_seconds[role] = stats.cpu_seconds.get(role, 0.0) + seconds
    stats.processes = len(cpu)
    return stats
