"""The results section: tables of what was measured, then issue 8's goals as met / not met with the ratio.

Goals (issue 8): the whole run ≥ 0.5× raw MeCab in N processes at 1M posts and ≥ 0.3× at 100k;
≥ 1.5× the single-process baseline script at 1M and ≥ 1.0× at 100k; the tokenization stage ≥ 0.8×
the ceiling (when the run summary's build_silver step reports ``tokenize_seconds``); night 30 ≤
1.15× night 2; process-tree peak ≤ 4 GB at 1M; a 1,000-post date ≤ 20 s; published partitions a
handful of reasonably sized files (here: no partition above 64 files, none above 256 MB in one file).
A goal whose size was not measured in this run says so.
"""

from __future__ import annotations

import os
import statistics

from benchmarks.report import GB, fmt_bytes, fmt_rate, fmt_ratio, machine, table

MAX_FILES = 64
MAX_ONE_FILE = 256 * 1024 ** 2


def _command() -> str:
    names = sorted(k for k in os.environ if k.startswith("BENCH_") and os.environ[k])
    return " ".join(["make bench", *(f"{k}={os.environ[k]}" for k in names)])


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def lake_rate(size) -> float | None:
    return size.rate([r.tree.seconds for r in size.lake])


def tokenize_rate(size) -> float | None:
    run = size.median_lake()
    record = (run.summary.get("steps", {}) if run else {}).get("build_silver", {})
    seconds = record.get("tokenize_seconds")
    if not isinstance(seconds, int | float) or seconds <= 0:
        return None
    return (record.get("tokenized_posts") or size.posts) / seconds


def _throughput(sizes) -> list[str]:
    rows = []
    for s in sizes:
        lake, ceil_n, base = lake_rate(s), s.rate(s.ceiling_n), s.rate([b.seconds for b in s.baseline])
        run = s.median_lake()
        rows.append([f"{s.posts:,}", fmt_rate(s.rate(s.ceiling_one)), fmt_rate(ceil_n), fmt_rate(base),
                     fmt_rate(lake), f"{_median([r.tree.seconds for r in s.lake]):.1f}",
                     fmt_ratio(_ratio(lake, ceil_n)), fmt_ratio(_ratio(lake, base)),
                     fmt_bytes(max(r.tree.peak_tree_rss for r in s.lake)),
                     fmt_bytes(max(r.tree.peak_tree_pss for r in s.lake)),
                     fmt_bytes(max((b.peak_tree_rss for b in s.baseline), default=None)),
                     fmt_rate(tokenize_rate(s)) if run else "–"])
    n = sizes[0].processes if sizes else os.cpu_count()
    return table(["posts", "raw MeCab 1 proc /s", f"raw MeCab {n} procs /s", "baseline script /s",
                  "lake /s", "lake s", "lake ÷ MeCab N", "lake ÷ script", "lake peak RSS (tree)",
                  "lake peak PSS (tree)", "script peak RSS", "lake tokenize /s"], rows)


def _steps(size) -> list[str]:
    run = size.median_lake()
    rows = [[r["step"], "–" if r["seconds"] is None else f"{r['seconds']:.1f}", r["how"],
             ", ".join(f"{k} {v:.1f}" for k, v in r["extra"].items()) or ""] for r in run.steps]
    return table(["step", "seconds", "source of the figure", "reported sub-times"], rows, "lrll")


def _roles(size) -> list[str]:
    run = size.median_lake()
    roles = sorted(set(run.tree.peak_role_rss) | set(run.tree.cpu_seconds))
    return table(["process role", "peak RSS", "CPU s"],
                 [[r, fmt_bytes(run.tree.peak_role_rss.get(r)), f"{run.tree.cpu_seconds.get(r, 0):.0f}"]
                  for r in roles])


def _files(size) -> list[str]:
    run = size.median_lake()
    return table(["table", "partition", "files", "total", "smallest", "median", "largest"],
                 [[p["table"], p["partition"], p["files"], fmt_bytes(p["bytes"]), fmt_bytes(p["min"]),
                   fmt_bytes(p["median"]), fmt_bytes(p["max"])] for p in run.partitions], "llrrrrr")


def _files_ok(sizes) -> tuple[bool | None, str]:
    parts = [p for s in sizes for r in s.lake[:1] for p in r.partitions]
    if not parts:
        return None, "no partitions"
    most = max(p["files"] for p in parts)
    largest = max(p["max"] for p in parts)
    return most <= MAX_FILES and largest <= MAX_ONE_FILE, f"≤ {most} files, largest {fmt_bytes(largest)}"


def status_rows(sizes, fixed, history) -> list[list[str]]:
    by_n = {s.posts: s for s in sizes}

    def at(n: int, fn, goal: float, label: str):
        s = by_n.get(n)
        value = fn(s) if s else None
        if value is None:
            return [label, f"≥ {goal:.1f}×", "not measured", "–"]
        return [label, f"≥ {goal:.1f}×", "met" if value >= goal else "not met", fmt_ratio(value)]

    def vs_ceiling(s):
        return _ratio(lake_rate(s), s.rate(s.ceiling_n))

    def vs_script(s):
        return _ratio(lake_rate(s), s.rate([b.seconds for b in s.baseline]))

    rows = [at(1_000_000, vs_ceiling, 0.5, "lake ÷ raw MeCab N procs, 1M"),
            at(100_000, vs_ceiling, 0.3, "lake ÷ raw MeCab N procs, 100k"),
            at(1_000_000, vs_script, 1.5, "lake ÷ baseline script, 1M"),
            at(100_000, vs_script, 1.0, "lake ÷ baseline script, 100k")]
    tok = [(s.posts, _ratio(tokenize_rate(s), s.rate(s.ceiling_n))) for s in sizes]
    tok = [(n, r) for n, r in tok if r is not None]
    rows.append(["tokenization ÷ raw MeCab N procs" + (f", {tok[-1][0]:,}" if tok else ""), "≥ 0.8×",
                 ("met" if tok[-1][1] >= 0.8 else "not met") if tok else "not reported by the run summary",
                 fmt_ratio(tok[-1][1]) if tok else "–"])
    if len(history) >= 3:  # night 1 starts an empty lake; night K ÷ night 2 needs K ≥ 3
        ratio = history[-1].tree.seconds / history[1].tree.seconds
        label = f"night {len(history)} ÷ night 2"
        verdict = ("met" if ratio <= 1.15 else "not met") + ("" if len(history) >= 30 else f" ({len(history)} nights only)")
        rows.append([label, "≤ 1.15×", verdict, fmt_ratio(ratio)])
    else:
        rows.append(["night 30 ÷ night 2", "≤ 1.15×", "not measured", "–"])
    mem = by_n.get(1_000_000)
    peak = max(r.tree.peak_tree_pss for r in mem.lake) if mem else None
    rss = max(r.tree.peak_tree_rss for r in mem.lake) if mem else None
    rows.append(["process-tree peak memory (PSS), 1M", "≤ 4 GB", "not measured" if peak is None else
                 "met" if peak <= 4 * GB else "not met",
                 "–" if peak is None else f"{fmt_bytes(peak)} (RSS sum {fmt_bytes(rss)})"])
    fixed_s = _median([r.tree.seconds for r in fixed.lake]) if fixed else None
    rows.append([f"fixed cost, {fixed.posts:,}-post date" if fixed else "fixed cost", "≤ 20 s",
                 "not measured" if fixed_s is None else "met" if fixed_s <= 20 else "not met",
                 "–" if fixed_s is None else f"{fixed_s:.1f} s"])
    ok, detail = _files_ok(sizes)
    rows.append(["published partitions: a handful of reasonably sized files",
                 f"≤ {MAX_FILES} files, ≤ {fmt_bytes(MAX_ONE_FILE)} per file",
                 "–" if ok is None else "met" if ok else "not met", detail])
    return rows


def _history_trend(history) -> list[str]:
    """Less noisy than two single nights: medians of nights 2–4 and the last three, and steps compared."""
    if len(history) < 3:
        return []
    out = []
    if len(history) >= 7:
        early = statistics.median(r.tree.seconds for r in history[1:4])
        late = statistics.median(r.tree.seconds for r in history[-3:])
        out += [f"Median of the last three nights ÷ median of nights 2–4: {late / early:.2f}×.", ""]
    second, last = history[1], history[-1]
    last_steps = {r["step"]: r["seconds"] for r in last.steps}
    rows = []
    for r in second.steps:
        a, b = r["seconds"], last_steps.get(r["step"])
        rows.append([r["step"], "–" if a is None else f"{a:.1f}", "–" if b is None else f"{b:.1f}",
                     fmt_ratio(b / a) if a and b else "–"])
    return out + [f"Steps, night 2 vs night {len(history)}:", "",
                  *table(["step", "night 2 s", f"night {len(history)} s", "ratio"], rows), ""]


def render(cfg, sizes, fixed, history) -> list[str]:
    out = [*machine(), f"- Command: `{_command()}` (repeats: {cfg.repeat}; medians of the repeats)",
           f"- Date measured: {cfg.day}; corpus files per day: "
           + ", ".join(f"{s.posts:,} posts → {s.files}" for s in sizes), ""]
    out += ["### Status against the goals (issue 8)", "",
            *table(["goal", "target", "status", "measured"], status_rows(sizes, fixed, history), "llll"), ""]
    if sizes:
        out += ["### Throughput, one corpus per size", "", *_throughput(sizes), ""]
    for s in sizes:
        a = s.agreement
        out += [f"### {s.posts:,} posts", ""]
        if a:
            rho, common = ("–" if v is None else f"{v:.2f}" for v in (a.spearman, a.spearman_common))
            out += [f"Baseline script vs gold `term_daily_v1` (pref_code '00', {cfg.day}): top-{a.top} overlap "
                    f"{a.overlap}/{a.top}; Spearman ρ {common} over the shared terms, {rho} over the union. "
                    "Only in the script's top: "
                    f"{', '.join(a.baseline_only) or '–'}; only in the lake's: {', '.join(a.lake_only) or '–'}.", ""]
        out += ["Steps (run summary):", "", *_steps(s), "", "Process tree:", "", *_roles(s), "",
                "Published partitions:", "", *_files(s), ""]
    if fixed:
        run = fixed.median_lake()
        out += [f"### Fixed cost: {fixed.posts:,}-post date", "",
                f"Wall {statistics.median([r.tree.seconds for r in fixed.lake]):.1f} s, process-tree peak "
                f"{fmt_bytes(run.tree.peak_tree_rss)} RSS, {fmt_bytes(run.tree.peak_tree_pss)} PSS.", "", *_steps(fixed), ""]
    if history:
        out += [f"### History: {len(history)} nights × {cfg.history_posts:,} posts in one lake", "",
                *table(["night", "date", "seconds", "÷ night 2", "peak RSS (tree)"],
                       [[k + 1, r.day, f"{r.tree.seconds:.1f}",
                         fmt_ratio(r.tree.seconds / history[1].tree.seconds) if len(history) > 1 else "–",
                         fmt_bytes(r.tree.peak_tree_rss)] for k, r in enumerate(history)]), ""]
        out += _history_trend(history)
    return out
