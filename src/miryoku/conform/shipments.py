"""Bronze ``shipments_raw_v1`` (market CSVs, e-Stat shipment tables) → silver ``shipments_v1``.

The contract columns are ``item, pref_code, month, quantity, unit, source, note_flag``:
- ``pref_code`` is the JIS code of the origin (産地 written with or without 都/府/県, '00' for 全国);
  an origin that is not a prefecture (外国, その他) keeps ``pref_code`` null and its name in ``origin``;
- ``month`` is 'YYYY-MM' for monthly data and null for annual data, whose year is in ``year`` and
  ``grain`` says which ('month', 'year', 'range');
- ``quantity`` is a number: a suppression mark gives null with the mark in ``note_flag``, a negative
  value (a market's returns and corrections) is kept and flagged ``negative``;
- ``quantity`` is in ``unit``, **one unit per item** so gold can sum it: every mass (g, kg, t, トン,
  千t, 百t …) is converted to ``kg``; counted goods to their base count (千本 → 本, 千個 → 個). What
  was written stays in ``quantity_raw`` / ``unit_raw``, the factor applied in ``unit_factor``.
Rows without an item, or with a quantity, amount or period that cannot be read, are quarantined; so
are rows with no unit (``missing_unit``: a number without a unit cannot be added to anything) and,
when one item arrives in two units that do not convert (kg and 本), the rows of the less common one
(``unit_conflict:<unit>``), so an item is never summed across units.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter

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
    ("unit_raw", S), ("unit_factor", pa.float64()),
])

# unit as written (NFKC-folded, lower case, spaces removed) → (canonical unit, factor)
MASS = {"g": 0.001, "グラム": 0.001, "kg": 1.0, "キロ": 1.0, "キログラム": 1.0, "キロg": 1.0,
        "t": 1000.0, "トン": 1000.0, "屯": 1000.0}
COUNTS = ("本", "個", "箱", "ケース", "束", "株", "頭", "羽", "尾", "枚", "袋", "玉")
SCALE = {"": 1, "十": 10, "百": 100, "千": 1000, "万": 10_000}
UNIT_RE = re.compile(r"^(?P<scale>[十百千万]?)(?P<unit>.+)$")


def normalise_unit(raw: str | None) -> tuple[str, float] | None:
    """('kg', 1000.0) for 't'; ('本', 1000.0) for '千本'; the unit as written with factor 1 when it is
    neither a mass nor a count; None when there is no unit."""
    if raw is None or not str(raw).strip():
        return None
    unit = unicodedata.normalize("NFKC", str(raw)).strip().lower().replace(" ", "")
    m = UNIT_RE.match(unit)
    scale, base = SCALE[m.group("scale")], m.group("unit")
    if base in MASS:
        return "kg", scale * MASS[base]
    if base in COUNTS:
        return base, float(scale)
    return unit, 1.0


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
    unit = normalise_unit(row.get("unit"))
    if unit is None:
        return reject("missing_unit", "no unit for the quantity (configure unit, or name it in the header)")
    canonical, factor = unit
    value = None if quantity.value is None else round(quantity.value * factor, 6)
    return {
        "item": item, "pref_code": "00" if origin in ALL_JAPAN_NAMES else pref_code(origin), "month": month,
        "quantity": value, "unit": canonical, "unit_raw": row.get("unit"), "unit_factor": factor,
        "source": row["source"],
        "note_flag": flag, "year": year, "period": period, "grain": grain, "origin": origin or None,
        "amount": amount, "market": row.get("market"), "dataset_id": row.get("dataset_id"),
        "quantity_raw": row.get("quantity"), "source_file": row.get("source_file"),
        "source_url": row.get("source_url"), "row_no": row.get("row_no"), "run_id": row.get("run_id"),
    }


def conform_table(bronze: pa.Table) -> tuple[pa.Table, list[Rejected]]:
    rows, rejected, records = [], [], {}
    for row in bronze.to_pylist():
        result = conform_row(row)
        (rejected if isinstance(result, Rejected) else rows).append(result)
        records[id(result)] = row
    units: dict[str, Counter] = {}
    for row in rows:
        units.setdefault(row["item"], Counter())[row["unit"]] += 1
    kept = []
    for row in rows:
        counts = units[row["item"]]
        main = max(sorted(counts), key=lambda u: (u == "kg", counts[u]))  # kg wins, then the commonest
        if row["unit"] == main:
            kept.append(row)
            continue
        raw = records[id(row)]
        rejected.append(Rejected.of(f"unit_conflict:{row['unit']}",
                                    f"{row['item']} is also shipped in {main}; {row['unit']} cannot be added to it",
                                    row["source"], f"{row['source_url']}:{row['row_no']}",
                                    raw.get("record") or json.dumps(raw, default=str, ensure_ascii=False)))
    return pa.Table.from_pylist(kept, schema=SCHEMA), rejected
