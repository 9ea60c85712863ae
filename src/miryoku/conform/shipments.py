"""Bronze ``shipments_raw_v1`` (market CSVs, e-Stat shipment tables) → silver ``shipments_v1``.

The contract columns are ``item, pref_code, month, quantity, unit, source, note_flag``:
- ``pref_code`` is the JIS code of the origin (産地 written with or without 都/府/県, '00' for 全国);
  an origin that is not a prefecture (外国, その他) keeps ``pref_code`` null and its name in ``origin``;
- ``month`` is 'YYYY-MM' for monthly data and null for annual data, whose year is in ``year`` and
  ``grain`` says which ('month', 'year', 'range');
- ``quantity`` is a number: a suppression mark gives null with the mark in ``note_flag``, a negative
  value (a market's returns and corrections) is kept and flagged ``negative``.
Rows without an item, or with a quantity, amount or period that cannot be read, are quarantined.
"""

from __future__ import annotations

import json

import pyarrow as pa

from miryoku.conform.stats import ALL_JAPAN_NAMES
from miryoku.lake.quarantine import Rejected
from miryoku.sources.jpcodes import pref_code
from miryoku.sources.jpvalues import DateError, NumberError, parse_date, parse_number

S = pa.string()
SCHEMA = pa.schema([
    ("item", S), ("pref_code", S), ("month", S), ("quantity", pa.float64()), ("unit", S), ("source", S),
    ("note_flag", S), ("year", pa.int32()), ("period", S), ("grain", S), ("origin", S),
    ("amount", pa.float64()), ("market", S), ("dataset_id", S), ("quantity_raw", S),
    ("source_file", S), ("source_url", S), ("row_no", pa.int64()), ("run_id", S),
])


def period_parts(raw: str | None) -> tuple[int, str | None, str, str]:
    """(year, month 'YYYY-MM' or None, grain, ISO period) of a period cell; raises DateError."""
    iso = parse_date(raw)
    if iso is None:
        raise DateError("empty period")
    if "/" in iso:
        return int(iso[:4]), None, "range", iso
    if len(iso) == 4:
        return int(iso), None, "year", iso
    return int(iso[:4]), iso[:7], "month", iso[:7]


def conform_row(row: dict) -> dict | Rejected:
    location = f"{row['source_url']}:{row['row_no']}"

    def reject(reason: str, detail: str) -> Rejected:
        return Rejected.of(reason, detail, row["source"], location, row.get("record") or json.dumps(
            row, default=str, ensure_ascii=False))

    item = (row.get("item") or "").strip()
    if not item:
        return reject("missing_item", "no item name")
    try:
        quantity = parse_number(row.get("quantity"))
    except NumberError as exc:
        return reject("bad_number:quantity", str(exc))
    try:
        amount = parse_number(row.get("amount")).value
    except NumberError as exc:
        return reject("bad_number:amount", str(exc))
    try:
        year, month, grain, period = period_parts(row.get("period"))
    except DateError as exc:
        return reject("bad_period", str(exc))
    origin = (row.get("origin") or "").strip()
    flag = quantity.flag or ("negative" if quantity.value is not None and quantity.value < 0 else None)
    return {
        "item": item, "pref_code": "00" if origin in ALL_JAPAN_NAMES else pref_code(origin), "month": month,
        "quantity": quantity.value, "unit": (row.get("unit") or None), "source": row["source"],
        "note_flag": flag, "year": year, "period": period, "grain": grain, "origin": origin or None,
        "amount": amount, "market": row.get("market"), "dataset_id": row.get("dataset_id"),
        "quantity_raw": row.get("quantity"), "source_file": row.get("source_file"),
        "source_url": row.get("source_url"), "row_no": row.get("row_no"), "run_id": row.get("run_id"),
    }


def conform_table(bronze: pa.Table) -> tuple[pa.Table, list[Rejected]]:
    rows, rejected = [], []
    for row in bronze.to_pylist():
        result = conform_row(row)
        (rejected if isinstance(result, Rejected) else rows).append(result)
    return pa.Table.from_pylist(rows, schema=SCHEMA), rejected
