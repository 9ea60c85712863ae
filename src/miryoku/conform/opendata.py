"""Bronze ``opendata_<dataset>_v1`` rows → silver rows in the standard dataset's schema.

Per row: the municipality code comes from the file's code column (6 digits verified; 5-digit codes
and LOD URIs get their check digit computed) or else the source's configured ``muni_code``. A
6-digit code with a wrong check digit is quarantined as ``bad_muni_code`` — never corrected, since
the wrong digit may be anywhere — and so is a row with no code at all. Numbers and dates that do not
parse are quarantined with the column named; suppression marks become null. The raw record is kept
in ``attributes``; text is stripped but otherwise kept as written (``phone_norm`` adds a folded form,
``<column>_yen`` the amount of a fee, ``<column>_date`` the first date inside a note, each with a
``…_flag`` saying why it is null when the text has no single readable value).
"""

from __future__ import annotations

import json
import re
import unicodedata

import pyarrow as pa

from miryoku.conform.companions import date_of, yen_of
from miryoku.conform.opendata_schemas import columns_of, match_columns, muni_code_column
from miryoku.lake.quarantine import Rejected
from miryoku.sources.jpcodes import CodeError, muni_code, pref_code
from miryoku.sources.jpvalues import DateError, NumberError, parse_date, parse_number

DASHES = re.compile(r"[‐‑‒–—―−－ー]")
META = ["source", "dataset", "source_file", "source_url", "encoding", "checksum", "row_no", "run_id"]


def silver_schema(dataset: str) -> pa.Schema:
    fields = [("muni_code", pa.string()), ("pref_code", pa.string())]
    for column, (kind, _) in columns_of(dataset).items():
        fields.append((column, pa.float64() if kind == "number" else pa.string()))
        if kind == "phone":
            fields.append((f"{column}_norm", pa.string()))
        elif kind == "text_yen":
            fields += [(f"{column}_yen", pa.int64()), (f"{column}_yen_flag", pa.string())]
        elif kind == "text_date":
            fields += [(f"{column}_date", pa.string()), (f"{column}_date_flag", pa.string())]
    fields += [("attributes", pa.string()), ("row_no", pa.int64())]
    fields += [(m, pa.string()) for m in META if m != "row_no"]
    return pa.schema(fields)


def norm_phone(value: str) -> str | None:
    s = DASHES.sub("-", unicodedata.normalize("NFKC", value or "")).replace(" ", "")
    s = s.replace("(", "").replace(")", "-")
    return s if any(ch.isdigit() for ch in s) else None


def _code(record: dict, headers: list[str], default: str | None) -> str:
    found = muni_code_column(headers)
    raw = record.get(found[0], "").strip() if found else ""
    mode = found[1] if found and raw else "code"
    if mode == "pref":
        code = pref_code(raw)
        if code is None:
            raise CodeError(f"{raw!r} is not a prefecture number")
        return muni_code(code + "000")
    code = muni_code(raw, unpadded=(mode == "unpadded")) if raw else None
    code = code or (muni_code(default) if default else None)
    if code is None:
        raise CodeError("no municipality code in the row and no muni_code configured for the source")
    return code


def conform_row(dataset: str, row: dict) -> dict | Rejected:
    """One bronze row (dict) → a silver row, or a ``Rejected`` naming what was wrong."""
    headers = json.loads(row["columns"])
    record = json.loads(row["record"])
    location = f"{row['source_url']}:{row['row_no']}"

    def reject(reason: str, detail: str) -> Rejected:
        return Rejected.of(reason, detail, row["source"], location, row["record"])

    try:
        code = _code(record, headers, row.get("muni_code_default"))
    except CodeError as exc:
        return reject("missing_muni_code" if "no municipality code" in str(exc) else "bad_muni_code", str(exc))
    out = {"muni_code": code, "pref_code": code[:2], "attributes": row["record"],
           **{m: row.get(m) for m in META}}
    mapping = match_columns(dataset, headers)
    for column, (kind, _) in columns_of(dataset).items():
        raw = record.get(mapping[column], "") if column in mapping else None
        text = raw.strip() if isinstance(raw, str) else None
        if kind == "number":
            try:
                out[column] = parse_number(text).value if text else None
            except NumberError as exc:
                return reject(f"bad_number:{column}", str(exc))
        elif kind == "date":
            try:
                out[column] = parse_date(text) if text else None
            except DateError as exc:
                return reject(f"bad_date:{column}", str(exc))
        else:
            out[column] = text or None
            if kind == "phone":
                out[f"{column}_norm"] = norm_phone(text) if text and text not in ("-", "なし") else None
            elif kind == "text_yen":
                out[f"{column}_yen"], out[f"{column}_yen_flag"] = yen_of(text)
            elif kind == "text_date":
                out[f"{column}_date"], out[f"{column}_date_flag"] = date_of(text)
    return out


def conform_table(dataset: str, bronze: pa.Table) -> tuple[pa.Table, list[Rejected]]:
    rows, rejected = [], []
    for row in bronze.to_pylist():
        result = conform_row(dataset, row)
        (rejected if isinstance(result, Rejected) else rows).append(result)
    return pa.Table.from_pylist(rows, schema=silver_schema(dataset)), rejected
