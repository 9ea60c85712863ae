"""The lake: one root URI, versioned Hive-partitioned tables, staging, publish, quarantine, run logs."""

from miryoku.lake.storage import Lake

__all__ = ["Lake"]
