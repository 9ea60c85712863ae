"""Paths of the real files copied from the shared research folder (see each folder's SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

REALDATA = Path(__file__).resolve().parents[2] / "fixtures" / "realdata"


def real(rel: str) -> bytes:
    return (REALDATA / rel).read_bytes()
