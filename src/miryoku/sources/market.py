"""Wholesale-market and crop statistics CSV (item × origin prefecture × period) → ``shipments_raw_v1``.

Publishers lay these files out differently, so a source names its columns in the configuration:
``columns = {item = "品名", origin = "産地", period = "販売年", quantity = "数量（Kg）", amount = "金額（円）"}``
(``period`` may be a year, a month such as ``2024年1月`` / ``令和6年1月``, or split into ``year`` and
``month`` columns). The quantity unit is the configured ``unit`` or the one written in the quantity
header's brackets (``数量（Kg）`` → ``kg``). Bronze keeps every cell as written — mixed quoting,
thousands separators, negative corrections, 産地 without 都/府/県 — plus the whole record as JSON;
``miryoku.conform.shipments`` turns them into numbers, months and JIS prefecture codes.
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
from miryoku.sources.jpdata import EncodingError, parse_csv
from miryoku.sources.tabular import FileMeta, TablePage, checksum, run_tabular

TABLE = "shipments_raw_v1"
UNIT_RE = re.compile(r"[（(]([^）)]+)[）)]")
REQUIRED = ("item", "origin", "quantity")


def unit_from_header(header: str | None) -> str | None:
    m = UNIT_RE.search(header or "")
    return m.group(1).strip().lower() if m else None


def file_page(file: InputFile, source: str, options: dict) -> TablePage:
    columns = dict(options.get("columns") or {})
    missing = [k for k in REQUIRED if k not in columns]
    if missing or not ({"period", "year"} & set(columns)):
        raise ValueError(f"source {source}: columns must name {', '.join(REQUIRED)} and period or year")
    try:
        parsed = parse_csv(file.data, header_rows=int(options.get("header_rows", 1)),
                           declared_encoding=options.get("encoding"))
    except (EncodingError, ValueError) as exc:
        return TablePage(rows={TABLE: []}, rejected={TABLE: [Rejected.of(
            "undecodable_file", str(exc), source, file.location, file.data[:500])]}, rows_in=1)
    absent = [h for h in columns.values() if h not in parsed.columns]
    if absent:
        detail = f"columns {absent} not in header {parsed.columns}"
        return TablePage(rows={TABLE: []}, rejected={TABLE: [Rejected.of(
            "unexpected_header", detail, source, file.location, json.dumps(parsed.columns, ensure_ascii=False))]},
            rows_in=1)
    unit = options.get("unit") or unit_from_header(columns["quantity"])
    meta = FileMeta(file.location, file.name, parsed.decoded.encoding, parsed.decoded.line_ending,
                    checksum(file.data))
    dataset_id = str(options.get("dataset_id") or file.name.rsplit(".", 1)[0])
    rows = []
    for number, record in parsed.records():
        if "period" in columns:
            period = record[columns["period"]]
        else:
            period = record[columns["year"]] + (f"-{record[columns['month']]}" if "month" in columns else "")
        rows.append(meta.row(
            number, dataset_id=dataset_id, market=options.get("market"), item=record[columns["item"]],
            origin=record[columns["origin"]], period=period, quantity=record[columns["quantity"]],
            amount=record[columns["amount"]] if "amount" in columns else None, unit=unit,
            record=json.dumps(record, ensure_ascii=False)))
    rejected = [Rejected.of(reason, f"record {number} of {file.name}", source, f"{file.location}:{number}",
                            json.dumps(cells, ensure_ascii=False)) for number, reason, cells in parsed.set_aside]
    return TablePage(rows={TABLE: rows}, rejected={TABLE: rejected}, rows_in=len(rows) + len(rejected))


def fetch_for(lake: Lake, name: str, options: dict):
    def fetch(ctx: FetchContext, resume: dict | None) -> Iterator[TablePage]:
        done = int((resume or {}).get("files_done", 0))
        for index, file in iter_source_inputs(lake, ctx, name, options, (".csv", ".txt"), done):
            page = file_page(file, name, options)
            page.resume = {"files_done": index}
            yield page
    return fetch


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Stage D's market/crop statistics files into bronze ``shipments_raw_v1``."""
    return fail_alone(lake, ctx, name, lambda: run_tabular(lake, name, fetch_for(lake, name, options), ctx, [TABLE]))
