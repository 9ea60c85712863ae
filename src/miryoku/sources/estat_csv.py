"""e-Stat CSV files (API ``getSimpleStatsData`` output and the database's "CSV download") → ``stat_values_v1``.

Two layouts occur:
- *long* (API CSV): ``<dim>_code`` columns each followed by its label column, then ``unit``,
  ``value``, ``annotation``; with ``sectionHeaderFlg=1`` a metadata section precedes a ``"VALUE"``
  line, which is skipped;
- *wide* (DB download): one column per dimension, labels only, and one column per period
  (``2015年`` …); the unit is written inside a label (``人口【千人】``) and a pivot header such as
  ``/時間軸（年）`` heads an always-empty column. Each period cell becomes one value row.
Values stay strings in bronze (``"127,095"``); codes that the file does not carry stay null and are
derived in silver (prefecture names → JIS codes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from miryoku.lake.quarantine import Rejected
from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext
from miryoku.sources.fileinputs import fail_alone, iter_source_inputs
from miryoku.sources.inputs import InputFile
from miryoku.sources.jpdata import EncodingError, combine_headers, decode_bytes, read_rows
from miryoku.sources.jpvalues import DateError, parse_date
from miryoku.sources.tabular import FileMeta, TablePage, checksum, run_tabular

TABLE = "stat_values_v1"
UNIT_RE = re.compile(r"【([^】]+)】")
AREA_HINTS = ("地域", "都道府県", "全国", "市区町村", "area")
SPECIAL = {"tab": "tab", "area": "area", "time": "time"}


def _is_period(header: str) -> bool:
    try:
        return bool(header.strip()) and parse_date(header) is not None
    except DateError:
        return False


def long_rows(header: list[str], body: list[list[str]], dataset_id: str) -> list[tuple[int, dict]]:
    dims = [(i, h[:-5]) for i, h in enumerate(header) if h.endswith("_code") and i + 1 < len(header)]
    col = {h: i for i, h in enumerate(header)}
    out = []
    for number, cells in body:
        cells = cells + [""] * (len(header) - len(cells))
        codes = {d: cells[i] for i, d in dims}
        names = {d: cells[i + 1] for i, d in dims}
        cats = [d for d in codes if d not in SPECIAL]
        out.append((number, {
            "dataset_id": dataset_id, "tab_code": codes.get("tab"), "tab_name": names.get("tab"),
            "area_code": codes.get("area"), "area_name": names.get("area"), "time_code": codes.get("time"),
            "time_name": names.get("time"),
            "cat_codes": json.dumps({d: codes[d] for d in cats}, ensure_ascii=False),
            "cat_names": json.dumps({d: names[d] for d in cats}, ensure_ascii=False),
            "classes": json.dumps({d: header[i + 1] for i, d in dims}, ensure_ascii=False),
            "unit": cells[col["unit"]] if "unit" in col else None, "value": cells[col["value"]],
            "annotation": (cells[col["annotation"]] or None) if "annotation" in col else None,
        }))
    return out


def wide_rows(header: list[str], body: list[list[str]], dataset_id: str) -> list[tuple[int, dict]]:
    periods = [i for i, h in enumerate(header) if _is_period(h)]
    dims = [i for i, h in enumerate(header) if i not in periods and h.strip() and not h.startswith("/")]
    area = next((i for i in dims if any(hint in header[i] for hint in AREA_HINTS)), None)
    tab = dims[0] if dims and dims[0] != area else None
    cats = [i for i in dims if i not in (area, tab)]
    out = []
    for number, cells in body:
        cells = cells + [""] * (len(header) - len(cells))
        tab_name = cells[tab] if tab is not None else None
        unit = UNIT_RE.search(tab_name or "") or next(
            (m for m in (UNIT_RE.search(cells[i]) for i in cats) if m), None)
        for i in periods:
            out.append((number, {
                "dataset_id": dataset_id, "tab_code": None, "tab_name": tab_name, "area_code": None,
                "area_name": cells[area] if area is not None else None, "time_code": None,
                "time_name": header[i], "cat_codes": json.dumps({}, ensure_ascii=False),
                "cat_names": json.dumps({header[c]: cells[c] for c in cats}, ensure_ascii=False),
                "classes": json.dumps({header[c]: header[c] for c in cats}, ensure_ascii=False),
                "unit": unit.group(1) if unit else None, "value": cells[i], "annotation": None,
            }))
    return out


def csv_page(file: InputFile, source: str, options: dict) -> TablePage:
    digest = checksum(file.data)
    try:
        decoded = decode_bytes(file.data, options.get("encoding"))
    except EncodingError as exc:
        return TablePage(rows={TABLE: []}, rejected={TABLE: [Rejected.of(
            "undecodable_file", str(exc), source, file.location, file.data[:500])]}, rows_in=1)
    raw = read_rows(decoded.text)
    start = next((i + 1 for i, r in enumerate(raw) if r[:1] == ["VALUE"]), 0)
    header = combine_headers([raw[start]])
    body = [(n, cells) for n, cells in enumerate(raw[start + 1:], start=start + 2) if any(c.strip() for c in cells)]
    dataset_id = str(options.get("dataset_id") or file.name.rsplit(".", 1)[0])
    if "value" in header and any(h.endswith("_code") for h in header):
        rows = long_rows(header, body, dataset_id)
    else:
        rows = wide_rows(header, body, dataset_id)
    meta = FileMeta(file.location, file.name, decoded.encoding, decoded.line_ending, digest)
    staged = [meta.row(n, stat_name=options.get("stat_name"), title=options.get("title"), notes=None, **r)
              for n, r in rows]
    return TablePage(rows={TABLE: staged}, rows_in=len(staged))


def fetch_for(lake: Lake, name: str, options: dict):
    def fetch(ctx: FetchContext, resume: dict | None) -> Iterator[TablePage]:
        done = int((resume or {}).get("files_done", 0))
        for index, file in iter_source_inputs(lake, ctx, name, options, (".csv",), done):
            page = csv_page(file, name, options)
            page.resume = {"files_done": index}
            yield page
    return fetch


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Stage D's e-Stat CSV files (landing folder or configured URLs) into bronze ``stat_values_v1``."""
    return fail_alone(lake, ctx, name, lambda: run_tabular(lake, name, fetch_for(lake, name, options), ctx, [TABLE]))
