"""How many posts a night will carry, estimated before its Spark JVM starts.

A local JVM's compilers are fixed when it starts, and the right ones depend on the night's size
(BENCHMARKS.md, "The JIT by night size"): C1 alone starts a 1,000-post night with a third less JVM
CPU than the full tiered JIT, whose C2 compiler spends its first seconds compiling code a small
night runs a few times; on a 1M-post night C2's code halves the JVM's CPU. ``miryoku run`` starts
the JVM while the sources are still being fetched, so the night's size is an estimate taken from
what the lake already holds: the date's published bronze (a re-run, or a submitted step after the
bronze gate), the bytes waiting in the date's landing folders, and the median of the previous
published days.
"""

from __future__ import annotations

import statistics

import pyarrow.fs as pafs
import pyarrow.parquet as pq

from miryoku.lake.storage import Lake

LANDING = "landing/sns"
BYTES_PER_POST = 300  # a dashboard export's JSONL line: ~64 characters of text and its fields
HISTORY_DAYS = 7


def published_rows(lake: Lake, layer: str, table: str, part: str, key: str = "dt") -> int:
    """Rows of one published partition, from its files' footers (no data read)."""
    from miryoku.lake.publish import published_files

    total = 0
    for rel in published_files(lake, layer, table, part, key):
        with lake.fs.open_input_file(lake.path(rel)) as fh:
            total += pq.ParquetFile(fh).metadata.num_rows
    return total


def landing_bytes(lake: Lake, day: str) -> int:
    """Bytes of every file in the date's landing folders (``landing/sns/<source>/dt=<day>/``)."""
    total = 0
    for source in lake.listdir(LANDING):
        folder = f"{LANDING}/{source}/dt={day}"
        if lake.is_dir(folder):
            infos = lake.fs.get_file_info(pafs.FileSelector(lake.path(folder), recursive=True))
            total += sum(i.size or 0 for i in infos if i.type == pafs.FileType.File)
    return total


def previous_days_posts(lake: Lake, day: str, days: int = HISTORY_DAYS) -> list[int]:
    """Posts of each of the ``days`` days before ``day`` that has a non-empty published silver partition."""
    from jobs.common import shift

    return [n for i in range(1, days + 1) if (n := published_rows(lake, "silver", "posts", shift(day, -i)))]


def expected_posts(lake: Lake, day: str) -> int:
    """The largest of the three signals: a night is as big as the biggest sign of it."""
    history = previous_days_posts(lake, day)
    return max(published_rows(lake, "bronze", "sns_posts", day), landing_bytes(lake, day) // BYTES_PER_POST,
               int(statistics.median(history)) if history else 0)
