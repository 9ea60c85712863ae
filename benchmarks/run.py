"""``make bench``: the nightly run end to end next to raw MeCab and the baseline script, on one corpus.

For each corpus size: generate the corpus, measure the ceiling (raw MeCab, 1 and N processes),
the baseline script, and ``miryoku run`` on a fresh lake; check the script's top terms against the
lake's gold. Then the fixed cost (a 1,000-post date) and the history lake (K nights at one daily
volume). Writes a dated section into BENCHMARKS.md (see ``benchmarks.report`` for the layout and
the variables). Nothing here fails on a missed goal: the status table says met / not met.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import agreement, ceiling, corpus, goals, report
from benchmarks.lake_run import LakeRun, link_landing, run_lake
from benchmarks.proctree import TreeStats, run_sampled

ROOT = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).resolve().with_name("baseline_script.py")


@dataclass
class Config:
    sizes: list[int]
    fixed_posts: int
    history_nights: int
    history_posts: int
    repeat: int
    day: str
    workdir: Path
    keep: bool
    output: Path
    enrichment: bool


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value.replace("_", "")) if value else default


def config() -> Config:
    quick = os.environ.get("BENCH_QUICK") == "1"
    sizes_text = os.environ.get("BENCH_SIZES", "").strip() or ("2000" if quick else "100000,300000")
    sizes = [int(s.replace("_", "")) for s in sizes_text.split(",") if s.strip()]
    if os.environ.get("BENCH_FULL") == "1" and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    workdir = os.environ.get("BENCH_WORKDIR") or tempfile.mkdtemp(prefix="miryoku-bench-")
    return Config(
        sizes=sorted(sizes), fixed_posts=_env_int("BENCH_FIXED_POSTS", 1000),
        history_nights=_env_int("BENCH_HISTORY_NIGHTS", 3 if quick else 30),
        history_posts=_env_int("BENCH_HISTORY_POSTS", 2000 if quick else 10_000),
        repeat=max(1, _env_int("BENCH_REPEAT", 1)), day=os.environ.get("BENCH_DATE") or "2026-03-02",
        workdir=Path(workdir), keep=os.environ.get("BENCH_KEEP") == "1",
        output=Path(os.environ.get("BENCH_OUTPUT") or ROOT / "BENCHMARKS.md"),
        enrichment=os.environ.get("BENCH_ENRICHMENT") == "1")


@dataclass
class SizeResult:
    posts: int
    files: int
    generate_seconds: float
    ceiling_one: list[float] = field(default_factory=list)
    ceiling_n: list[float] = field(default_factory=list)
    processes: int = 1
    baseline: list[TreeStats] = field(default_factory=list)
    lake: list[LakeRun] = field(default_factory=list)
    agreement: agreement.Agreement | None = None

    def rate(self, seconds: list[float]) -> float | None:
        return self.posts / statistics.median(seconds) if seconds else None

    def median_lake(self) -> LakeRun | None:
        """The lake run with the median wall time (its steps and files are reported)."""
        runs = sorted(self.lake, key=lambda r: r.tree.seconds)
        return runs[(len(runs) - 1) // 2] if runs else None


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def fresh_lake(cfg: Config, name: str) -> Path:
    lake = cfg.workdir / "lakes" / name
    shutil.rmtree(lake, ignore_errors=True)
    lake.mkdir(parents=True)
    return lake


def measure_size(cfg: Config, n: int, with_references: bool = True) -> SizeResult:
    corpus_root = cfg.workdir / "corpus" / str(n)
    t0 = time.perf_counter()
    files = corpus.write_day(corpus_root, cfg.day, n)
    result = SizeResult(n, len(files), time.perf_counter() - t0)
    landing = files[0].parent
    log(f"{n:,} posts: corpus in {result.generate_seconds:.1f} s ({len(files)} files)")
    baseline_tsv = cfg.workdir / f"baseline-{n}.tsv"
    if with_references:
        texts = ceiling.load_texts(landing)
        for _ in range(cfg.repeat):
            result.ceiling_one.append(ceiling.one_process(texts))
            seconds, result.processes = ceiling.n_processes(texts)
            result.ceiling_n.append(seconds)
            result.baseline.append(run_sampled([sys.executable, str(BASELINE), str(landing), "--output",
                                                str(baseline_tsv)], cwd=ROOT))
            if result.baseline[-1].returncode != 0:
                raise RuntimeError(f"baseline script failed with exit {result.baseline[-1].returncode}")
        del texts
        log(f"{n:,} posts: ceiling {result.rate(result.ceiling_n):,.0f}/s in {result.processes} processes, "
            f"baseline {result.rate([b.seconds for b in result.baseline]):,.0f}/s")
    for attempt in range(cfg.repeat):
        lake = fresh_lake(cfg, f"size-{n}")
        link_landing(corpus_root, lake, cfg.day)
        result.lake.append(run_lake(cfg.day, lake, cfg.workdir / "logs" / f"size-{n}-{attempt}"))
        log(f"{n:,} posts: miryoku run {result.lake[-1].tree.seconds:.1f} s")
        if with_references and attempt == cfg.repeat - 1:
            result.agreement = agreement.compare(agreement.baseline_term_counts(baseline_tsv, cfg.day),
                                                 agreement.gold_term_counts(lake, cfg.day))
        if not cfg.keep:
            shutil.rmtree(lake, ignore_errors=True)
    if not cfg.keep:
        shutil.rmtree(corpus_root, ignore_errors=True)
    return result


def measure_history(cfg: Config) -> list[LakeRun]:
    """K consecutive nights in one lake at the same daily volume; each night's run timed."""
    lake = fresh_lake(cfg, "history")
    start = dt.date.fromisoformat(cfg.day)
    nights = []
    for k in range(cfg.history_nights):
        day = (start + dt.timedelta(days=k)).isoformat()
        corpus.write_day(lake, day, cfg.history_posts)
        nights.append(run_lake(day, lake, cfg.workdir / "logs" / "history"))
        log(f"history night {k + 1}/{cfg.history_nights} ({day}): {nights[-1].tree.seconds:.1f} s")
    if not cfg.keep:
        shutil.rmtree(lake, ignore_errors=True)
    return nights


def main() -> int:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    cfg = config()
    cfg.workdir.mkdir(parents=True, exist_ok=True)
    log(f"work folder {cfg.workdir}; sizes {cfg.sizes}; fixed {cfg.fixed_posts}; history "
        f"{cfg.history_nights} × {cfg.history_posts}; repeat {cfg.repeat}")
    sizes = [measure_size(cfg, n) for n in cfg.sizes]
    fixed = measure_size(cfg, cfg.fixed_posts, with_references=False) if cfg.fixed_posts else None
    history = measure_history(cfg) if cfg.history_nights else []
    extra = []
    if cfg.enrichment:
        from benchmarks import enrichment

        extra = enrichment.section()
    section = goals.render(cfg, sizes, fixed, history) + extra
    title = ", ".join(f"{n:,}" for n in cfg.sizes) + f" posts, {os.cpu_count()} cores"
    report.write(cfg.output, title, section)
    print("\n".join(section))
    log(f"results written to {cfg.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
