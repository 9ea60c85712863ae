"""SYNTHETIC monthly shipments for the demo lake, shaped like the leaflet's strawberry chart.

The leaflet combines posts with いちご県別出荷量 / 月別県別変位図: a few prefectures dominate (栃木, 福岡,
熊本 …) and shipments rise through winter to a peak in spring. No real monthly strawberry or apple
file is bundled, so this source invents figures with that shape — every row says so (market
"synthetic sample", dataset id ``synthetic_*``) — and feeds them through the same market-CSV parser
and conformance as real files, so the demo exercises the real path.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext

# item → (peak month, {prefecture name as written in market files: share of national shipments})
ITEMS = {
    "いちご": (3, {"栃木": 0.26, "福岡": 0.17, "熊本": 0.12, "静岡": 0.10, "長崎": 0.09, "佐賀": 0.08,
                  "愛知": 0.08, "茨城": 0.06, "千葉": 0.04}),
    "りんご": (11, {"青森": 0.58, "長野": 0.19, "岩手": 0.07, "山形": 0.06, "福島": 0.04, "秋田": 0.03,
                  "北海道": 0.03}),
}
NATIONAL_TONNES = {"いちご": 160000, "りんご": 660000}
COLUMNS = {"item": "品目", "origin": "産地", "period": "年月", "quantity": "数量(t)"}


def _season(month: int, peak: int) -> float:
    distance = min(abs(month - peak), 12 - abs(month - peak))
    return max(0.02, math.cos(math.pi * distance / 10)) ** 2


def synthetic_csv(day: str) -> bytes:
    """The statistics as published on ``day``: every month of the year so far and the year before."""
    year, month = int(day[:4]), int(day[5:7])
    periods = [(y, m) for y in (year - 1, year) for m in range(1, 13) if (y, m) <= (year, month)]
    lines = [",".join(COLUMNS.values())]
    for item, (peak, shares) in ITEMS.items():
        weights = {m: _season(m, peak) for m in range(1, 13)}
        total_weight = sum(weights.values())
        for y, m in periods:
            national = NATIONAL_TONNES[item] * weights[m] / total_weight
            for pref, share in shares.items():
                # quoted, with thousands separators, as market files write them
                lines.append(f'{item},{pref},{y}年{m}月,"{national * share:,.1f}"')
    return ("\n".join(lines) + "\n").encode("utf-8")


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    from miryoku.sources.inputs import InputFile
    from miryoku.sources.market import TABLE, file_page
    from miryoku.sources.tabular import run_tabular

    parse_options = {"columns": COLUMNS, "unit": "t", "market": "synthetic sample",
                     "dataset_id": "synthetic_monthly_shipments", **options}

    def fetch(ctx: FetchContext, resume: dict | None) -> Iterator:
        if resume:
            return
        data = synthetic_csv(ctx.dt)
        page = file_page(InputFile("synthetic_monthly_shipments.csv", f"sample:shipments?dt={ctx.dt}", data),
                         name, parse_options)
        page.resume = {"files_done": 1}
        yield page

    return run_tabular(lake, name, fetch, ctx, [TABLE])
