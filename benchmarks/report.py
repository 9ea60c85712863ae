"""BENCHMARKS.md: the method (rewritten each run), then dated result sections, newest first, older kept.

Each section states the machine, the versions and the exact command and variables it was run
with, then the tables; the goals of issue 8 are judged on ratios measured in that same run.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

MARKER = "<!-- results: newest first; each `make bench` inserts its section below this line -->"
PACKAGES = ("pyspark", "great_expectations", "mecab-python3", "unidic-lite", "pyarrow", "duckdb", "pandas",
            "psutil")
GB = 1024 ** 3
MB = 1024 ** 2

METHOD = """# Benchmarks

`make bench` (`python -m benchmarks.run`) measures, in one run on one corpus per size, the nightly
run end to end next to what a user would compare it with, and quotes the goals of issue 8 as ratios
of figures measured in that run. Absolute rates vary ±20 % between runs on shared machines; ratios
measured side by side vary less.

## Method

- **Corpus** (`benchmarks/corpus.py`): deterministic (same date and size → the same bytes) posts for
  one JST date, written as the file drop's JSONL (`<lake>/landing/sns/dashboard/dt=D/part-NNN.jsonl`,
  4–24 files a day): places drawn from the package's whole gazetteer with a long-tailed popularity,
  products and aliases from `products.csv`, one to four clauses from many templates (median ≈ 64
  characters), ≈ 8 % English, ≈ 3 % duplicates (a record exported twice, an author repeating a text,
  reposts `RT @x: …`), hashtags, URLs, mentions, emoji, `lang` missing on ≈ 15 %, ≈ 0.4 % late posts
  created the evening before.
- **Ceiling** (`benchmarks/ceiling.py`): raw MeCab (mecab-python3 + unidic-lite) with the fastest
  output format (an rc file passed with `-r`, `node-format = %m\\t%f[10]\\t%f[0]\\n`), `parse` + `split`
  of every post text, in one process and in `multiprocessing.Pool(N)`, N = `os.cpu_count()`; texts
  loaded and workers started before the clock.
- **Baseline script** (`benchmarks/baseline_script.py`, runnable on its own): JSONL → NFKC → drop
  duplicates (seen id; same author + same text the same day; reposts) → URLs/mentions removed → MeCab
  (same format; first POS field exactly 名詞/動詞/形容詞/形状詞; written base form) → dt × term distinct
  posts. One process, run as a subprocess and timed from start to exit. Its top-50 terms for the date
  are compared with the lake's gold `term_daily_v1` (pref_code '00'): overlap of the top-50 sets and
  Spearman's rank correlation over the shared terms and over the union (reported, not asserted — the lake keeps place and
  product names whole and drops stop words and numerals).
- **The lake**: a fresh lake folder per run, the corpus hard-linked into its landing folder, then
  `MIRYOKU_LAKE=<lake> .venv/bin/miryoku run --date D --sources file --lake <lake>` as a subprocess.
  Wall time from start to exit; peak RSS of the whole process tree (driver, JVM, Python workers: the
  sum over the process and all descendants, sampled from /proc every 0.2 s) and each role's own peak;
  the same sum of PSS (a page shared by k processes counts 1/k in each: the forked Python workers
  share the daemon's libraries, which an RSS sum counts once per worker) — the memory goal is judged
  on the PSS sum, the tree's physical footprint;
  CPU seconds per role (last sample); per-step times from `<lake>/_runs/dt=D/<run>/summary.json` (a
  step's `seconds` when reported, else the gap between consecutive steps' `finished_at`); files and
  sizes of every published partition. When build_silver reports `tokenize_seconds`, the tokenization
  stage's rate is its `tokenized_posts` (or the corpus's posts) divided by it, next to the ceiling.
- **Fixed cost**: the same end-to-end run on a 1,000-post date.
- **History**: one lake, K consecutive nights at the same daily volume (default 30 × 10,000 posts),
  each night's `miryoku run` timed; night K / night 2.
- **Repeats**: `BENCH_REPEAT` runs of each timing per size; medians reported (peak memory: the
  maximum; steps and files: the median run). History nights run once each.

Posts/s always divide the corpus's number of lines (duplicates included) by the wall time, so all
rows of a table divide the same number.

## Running it

```bash
make bench                                   # 1,000 + 100k + 300k posts, 30-night history of 10k posts
make bench BENCH_FULL=1                      # adds 1M posts
make bench BENCH_SIZES=100000,1000000 BENCH_REPEAT=3
make bench BENCH_QUICK=1                     # harness check: 2,000 posts, 3 nights of 2,000 (not results)
```

| variable | default | meaning |
|---|---|---|
| `BENCH_SIZES` | `100000,300000` | corpus sizes (posts per date), comma-separated |
| `BENCH_FULL` | `0` | `1` adds 1,000,000 to the sizes |
| `BENCH_FIXED_POSTS` | `1000` | size of the fixed-cost date (`0` skips it) |
| `BENCH_HISTORY_NIGHTS` | `30` | nights of the history lake (`0` skips it) |
| `BENCH_HISTORY_POSTS` | `10000` | posts per night in the history lake |
| `BENCH_REPEAT` | `1` | repeated runs per timing; medians reported |
| `BENCH_QUICK` | `0` | `1`: sizes 2000, history 3 × 2000 unless set explicitly |
| `BENCH_DATE` | `2026-03-02` | the date measured (history nights start here) |
| `BENCH_WORKDIR` | a new folder under the temp dir | corpora, lakes, logs |
| `BENCH_KEEP` | `0` | `1` keeps the lakes after the run |
| `BENCH_OUTPUT` | `BENCHMARKS.md` | the file the results section is written into |
| `BENCH_ENRICHMENT` | `0` | `1` adds the secondary mapInArrow vs row-UDF table |

"""


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> list[str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import psutil

    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1]).stdout.strip()
    versions = ", ".join(f"{p} {_version(p)}" for p in PACKAGES)
    return [
        f"- Machine: {os.cpu_count()} cores ({model or platform.processor()}), "
        f"{psutil.virtual_memory().total / GB:.0f} GB RAM, {platform.system()} {platform.release()}",
        f"- Versions: Python {platform.python_version()}, {java[0] if java else 'java ?'}, {versions}; "
        f"miryoku-lake {_version('miryoku-lake')} at commit {commit or '?'}",
    ]


def fmt_rate(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}×" if value < 0.1 else f"{value:.2f}×"


def fmt_bytes(value: int | None) -> str:
    if value is None:
        return "–"
    return f"{value / GB:.2f} GB" if value >= GB else f"{value / MB:,.0f} MB" if value >= MB else f"{value / 1024:,.0f} KB"


def table(header: list[str], rows: list[list], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    return ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |",
            *["| " + " | ".join(str(c) for c in row) + " |" for row in rows]]


def write(output: Path, title: str, section: list[str]) -> None:
    """Rewrite the method above the marker, insert ``section`` below it, keep every older section."""
    old = output.read_text("utf-8") if output.exists() else ""
    if MARKER in old:
        older = old.split(MARKER, 1)[1].lstrip("\n")
    else:  # a file from before the marker: keep its dated sections
        start = old.find("\n## 20")
        older = old[start + 1:] if start >= 0 else ""
    body = [f"## {dt.date.today().isoformat()} — {title}", "", *section, ""]
    output.write_text(METHOD + MARKER + "\n\n" + "\n".join(body) + "\n" + older, encoding="utf-8")
