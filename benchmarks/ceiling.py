"""The ceiling: raw MeCab parsing and splitting every post text, in one process and in N processes.

Nothing a real pipeline can skip is left out, and nothing else is added: one Tagger per process
with the fastest output format (the baseline script's rc file: surface, written base form, first
POS field), ``parse`` then ``str.split`` of each line. Texts are loaded before the clock starts and
the pool's processes are started (and their taggers built) before it too, so the figure is the
best MeCab itself can do on these cores.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

from benchmarks.baseline_script import make_tagger

CHUNK = 2_000
_TAGGER = None


def load_texts(folder: Path) -> list[str]:
    texts = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    return texts


def _init() -> None:
    global _TAGGER
    _TAGGER = make_tagger()


def parse_split(texts: list[str]) -> int:
    """Parse and split every text; return the number of tokens (so the work cannot be skipped)."""
    parse = _TAGGER.parse
    tokens = 0
    for text in texts:
        for line in parse(text).splitlines():
            tokens += len(line.split("\t")) > 2
    return tokens


def one_process(texts: list[str]) -> float:
    """Seconds to parse and split ``texts`` in this process."""
    _init()
    t0 = time.perf_counter()
    parse_split(texts)
    return time.perf_counter() - t0


def n_processes(texts: list[str], n: int | None = None) -> tuple[float, int]:
    """(seconds, N) to parse and split ``texts`` in a ``multiprocessing.Pool(N)``, N = cpu_count()."""
    n = n or os.cpu_count() or 1
    chunks = [texts[i:i + CHUNK] for i in range(0, len(texts), CHUNK)]
    with multiprocessing.get_context("fork").Pool(n, initializer=_init) as pool:
        pool.map(parse_split, [texts[:10]] * n)  # processes started, taggers built
        t0 = time.perf_counter()
        sum(pool.imap_unordered(parse_split, chunks))
        seconds = time.perf_counter() - t0
    return seconds, n
