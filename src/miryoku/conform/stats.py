"""Bronze ``stat_values_v1`` (e-Stat API and CSV, RESAS archive) → silver ``stat_values_v1``.

Values become numbers; a placeholder the table declares in its NOTE (or one of the usual marks
``-``, ``x``, ``…``, ``***``) becomes null with ``note_flag`` saying which mark and ``note_text``
what the table says it means. e-Stat's ``0`` note ("below the display unit") keeps the value 0 and
is flagged. ``area_code``/``area_name`` give ``pref_code`` ('00' = all Japan) and, for municipal
areas, the 6-digit ``muni_code``; time codes and labels become ISO ``period`` text. A value that is
neither a number nor a declared mark, or an unreadable period, is quarantined.
"""

from __future__ import annotations

import json

import pyarrow as pa

from miryoku.lake.quarantine import Rejected
from miryoku.sources.jpcodes import CodeError, muni_code, pref_code
from miryoku.sources.jpvalues import DateError, NumberError, parse_date, parse_number

ALL_JAPAN_NAMES = {"全国", "全国計", "全国合計", "日本"}
S = pa.string()
SCHEMA = pa.schema([
    ("source", S), ("dataset_id", S), ("stat_name", S), ("title", S), ("tab_code", S), ("tab_name", S),
    ("area_code", S), ("area_name", S), ("pref_code", S), ("muni_code", S), ("time_code", S),
    ("time_name", S), ("period", S), ("cat_codes", S), ("cat_names", S), ("classes", S), ("unit", S),
    ("value", pa.float64()), ("value_raw", S), ("note_flag", S), ("note_text", S), ("annotation", S),
    ("source_file", S), ("source_url", S), ("row_no", pa.int64()), ("run_id", S),
])


def area_codes(area_code: str | None, area_name: str | None) -> tuple[str | None, str | None]:
    """(pref_code, muni_code) from an e-Stat area code (5 digits) or, failing that, the area's name."""
    code = (area_code or "").strip()
    if len(code) == 5 and code.isdigit():
        if code == "00000":
            return "00", None
        if code.endswith("000"):
            return pref_code(code), None
        try:
            return code[:2], muni_code(code)
        except CodeError:
            return None, None
    name = (area_name or "").strip()
    if name in ALL_JAPAN_NAMES:
        return "00", None
    return pref_code(name), None


def conform_row(row: dict) -> dict | Rejected:
    location = f"{row['source_url']}:{row['row_no']}"
    notes = json.loads(row.get("notes") or "{}") or {}
    try:
        number = parse_number(row.get("value"), marks=tuple(notes))
    except NumberError as exc:
        return Rejected.of("bad_number", str(exc), row["source"], location, json.dumps(row, default=str,
                                                                                      ensure_ascii=False))
    value = number.value
    if number.flag == "0" and "0" in notes:
        value = 0.0
    try:
        period = parse_date(row.get("time_code")) if row.get("time_code") else parse_date(row.get("time_name"))
    except DateError as exc:
        return Rejected.of("bad_period", str(exc), row["source"], location, json.dumps(row, default=str,
                                                                                      ensure_ascii=False))
    pref, muni = area_codes(row.get("area_code"), row.get("area_name"))
    out = {name: row.get(name) for name in SCHEMA.names if name in row}
    out.update(pref_code=pref, muni_code=muni, period=period, value=value, value_raw=row.get("value"),
               note_flag=number.flag, note_text=notes.get(number.flag) if number.flag else None)
    return out


def conform_table(bronze: pa.Table) -> tuple[pa.Table, list[Rejected]]:
    rows, rejected = [], []
    for row in bronze.to_pylist():
        result = conform_row(row)
        (rejected if isinstance(result, Rejected) else rows).append(result)
    return pa.Table.from_pylist(rows, schema=SCHEMA), rejected
