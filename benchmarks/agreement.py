"""Do the baseline script and the lake count the same thing? Top terms of one date, side by side.

The lake's answer is its published gold ``term_daily_v1`` rows with ``pref_code`` '00' (all
Japan) for the date, read from the Parquet files with DuckDB. The grain there is term × lemma ×
pos; a term under two parts of speech keeps its larger count, since the script counts a term once
per post whatever its POS. Reported, never asserted: the two tokenize differently on purpose
(the lake keeps place and product names whole, drops stop words and numerals, lowercases
English), so "largely agree" is a number to read — the overlap of the two top-50 sets and
Spearman's rank correlation of the counts, over the terms both top sets share and over their
union (a term missing on one side counting 0).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

TOP = 50


@dataclass
class Agreement:
    top: int
    overlap: int                 # terms in both top sets
    spearman: float | None       # over the union of the two top sets, a missing term counting 0
    spearman_common: float | None  # over the terms in both top sets
    baseline_only: list[str]     # first few, for the reader
    lake_only: list[str]


def gold_term_counts(lake: Path, day: str) -> dict[str, int]:
    import duckdb

    folder = lake / "gold" / "term_daily_v1" / f"dt={day}"
    files = sorted(str(p) for p in folder.rglob("*.parquet"))
    if not files:
        return {}
    rows = duckdb.connect().execute(
        "select term, max(posts) from read_parquet(?) where pref_code = '00' group by term", [files]).fetchall()
    return {term: int(n) for term, n in rows}


def baseline_term_counts(tsv: Path, day: str) -> dict[str, int]:
    with open(tsv, encoding="utf-8") as fh:
        return {row["term"]: int(row["posts"]) for row in csv.DictReader(fh, delimiter="\t") if row["dt"] == day}


def top_terms(counts: dict[str, int], n: int = TOP) -> list[str]:
    return [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def compare(baseline: dict[str, int], lake: dict[str, int], n: int = TOP) -> Agreement:
    import pandas as pd

    def rho(terms: list[str]) -> float | None:
        if len(terms) < 3:
            return None
        frame = pd.DataFrame({"script": [baseline.get(t, 0) for t in terms], "lake": [lake.get(t, 0) for t in terms]})
        value = frame.corr(method="spearman").iloc[0, 1]  # DataFrame.corr ranks itself (ties averaged)
        return None if value != value else float(value)  # NaN when one side is constant

    top_b, top_l = top_terms(baseline, n), top_terms(lake, n)
    common = sorted(set(top_b) & set(top_l))
    return Agreement(n, len(common), rho(sorted(set(top_b) | set(top_l))), rho(common),
                     [t for t in top_b if t not in top_l][:8], [t for t in top_l if t not in top_b][:8])
