"""A date's landing files read side by side in worker processes, their pages returned in file order.

Reading an export is pure Python (JSON decoding, checks, handle scrubbing, HMAC pseudonyms, the
Arrow table), one core's work per file: a 1M-post date took 37 s on one core while the others
waited. Worker processes each read whole files — lines to posts and rejects, posts to the bronze
table — and the connector hands the pages on in the order of the files, so what is staged, what is
quarantined and where a retry resumes are the same as when one process reads them all.

Workers come from a ``forkserver``: the night's Spark JVM starts in a thread of this process
meanwhile, and a process forked from a threaded one may inherit a lock some thread held. Tables
travel back as Arrow buffers; only counts, rejects and the pages' resume points besides.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pyarrow as pa

from miryoku.lake.quarantine import Rejected
from miryoku.sources.base import FetchContext, bronze_posts_table

# Below this many bytes of files to read a date is read in this process: starting workers costs
# more than it saves (a worker reads ~10 MB/s).
PARALLEL_MIN_BYTES = 8 << 20


@dataclass
class ReadPage:
    """One page of a file as a worker read it: the bronze table of its posts (None if it has none),
    its rejects, its input rows, and ``partial`` (where to resume inside the file) or, for the
    file's last page, ``finished`` (the file's ``[rel, size, sha256]`` for the connector's done list)."""

    table: pa.Table | None
    rejected: list[Rejected]
    rows_in: int
    unit: str | None
    partial: dict | None
    finished: list | None


def worker_count(configured: int, files: int) -> int:
    """``configured`` processes (0: one per core), never more than there are files."""
    return max(1, min(configured or os.cpu_count() or 1, files))


def _read_file(connector, file, start: dict | None, ctx: FetchContext, key: bytes) -> tuple[list[ReadPage], list]:
    """In a worker: every page of one file, and what the connector skipped while opening it."""
    connector.skipped = []
    pages = []
    for page in connector.file_pages(file, [], start, ctx):
        partial = page.resume["partial"]
        pages.append(ReadPage(
            table=bronze_posts_table(page.records, ctx, key) if page.records else None,
            rejected=page.rejected, rows_in=page.rows_in, unit=page.unit, partial=partial,
            finished=None if partial else page.resume["done"][-1]))
    return pages, connector.skipped


def read_in_workers(connector, files: list, starts: dict, ctx: FetchContext, key: bytes,
                    processes: int) -> Iterator[tuple[list[ReadPage], list]]:
    """(its pages, what was skipped) for each of ``files`` in order, read by ``processes``
    workers; ``starts`` maps a file's ``rel`` to where a crashed attempt stopped inside it."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["miryoku.sources.filedrop"])
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=context)
    try:
        futures = [pool.submit(_read_file, connector, f, starts.get(f.rel), ctx, key) for f in files]
        for future in futures:
            yield future.result()
    finally:  # a failed staging step closes this generator: files not started yet are not read
        pool.shutdown(wait=True, cancel_futures=True)
