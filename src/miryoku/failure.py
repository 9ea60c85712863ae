"""Why a step failed, in one line for the person who reads it: the CLI's error line, and the task log
and alert of a Spark step submitted with ``spark-submit`` (whose own error is only an exit status).

A submitted step writes its reason to the file named by ``REASON_FILE_ENV`` before it exits; the
submitting operator (``miryoku.submitted_step``) reads it back. The lake's file system being full is
told apart from every other error because its remedy is an operator's, not a developer's.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

REASON_FILE_ENV = "MIRYOKU_STEP_REASON_FILE"
DISK_FULL = "the lake's file system is full (No space left on device)"
MAX_CHARS = 600


def disk_full(exc: BaseException | None) -> bool:
    """ENOSPC anywhere in the chain — an ``OSError`` here, or a Spark job's Java trace (Py4J error text)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if getattr(exc, "errno", None) == errno.ENOSPC or "No space left on device" in str(exc):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def reason(exc: BaseException) -> str:
    """The error's kind and its first line (a Java trace's first line names the Java exception)."""
    if disk_full(exc):
        return DISK_FULL
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {first}"[:MAX_CHARS] if first else type(exc).__name__


def keep_reason(exc: BaseException) -> None:
    """Write ``reason(exc)`` where the submitting operator looks for it; best effort (the disk may be full
    — the file is the worker's, not the lake's, but a failure here must not hide the original error)."""
    target = os.environ.get(REASON_FILE_ENV)
    if target:
        try:
            Path(target).write_text(reason(exc), encoding="utf-8")
        except OSError:
            pass


def read_reason(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
