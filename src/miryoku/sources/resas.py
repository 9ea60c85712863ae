"""RESAS archive: saved RESAS API v1 JSON responses → bronze ``stat_values_v1``.

The RESAS API ended on 2025-03-24, so nothing is requested: responses saved earlier are dropped in
the landing folder (``landing/files/<source>/dt=D/*.json``) and imported into the same table as
e-Stat values. A file holds one response or a list of them. RESAS reported errors *with HTTP 200*,
as bodies such as ``"400"``, ``{"statusCode": "403", "message": "Forbidden.", …}`` or
``{"message": "…", "result": null}``: each is quarantined as ``resas_error`` with its message,
never imported as data.

``population/composition/perYear`` is read fully: every label (総人口, 年少人口, …) and year becomes a
value row, its ``rate`` a second row in %, and years after ``boundaryYear`` are marked
``annotation = "projection"`` — RESAS mixes actuals and projections in one series. Other responses
of the common ``{"result": {"data": [{"year", "value"}]}}`` shape are read as one series; anything
else is quarantined as ``resas_unknown_shape``. The prefecture comes from the response's
``extensions.prefCode`` (added by some clients), the source's ``pref_code``, or ``prefCode=NN`` in
the file name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from miryoku.lake.quarantine import Rejected
from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext, raw_json
from miryoku.sources.inputs import InputFile, iter_inputs
from miryoku.sources.tabular import FileMeta, TablePage, checksum, run_tabular
from miryoku.text.prefectures import NAME_BY_CODE

TABLE = "stat_values_v1"
PREF_IN_NAME = re.compile(r"pref(?:Code)?[=_-]?(\d{1,2})(?!\d)", re.IGNORECASE)


def resas_error(response) -> str | None:
    """The error message of a RESAS error body, or None for a successful response."""
    if isinstance(response, (str, int)):
        return f"RESAS error {response}"
    if not isinstance(response, dict):
        return f"not a RESAS response ({type(response).__name__})"
    if "statusCode" in response:
        return f"RESAS error {response.get('statusCode')}: {response.get('message')}"
    if response.get("result") is None:
        return f"RESAS error: {response.get('message') or 'empty result'}"
    return None


def _area(response: dict, options: dict, file_name: str) -> tuple[str | None, str | None]:
    ext = response.get("extensions") or {}
    pref = ext.get("prefCode") or options.get("pref_code")
    if pref is None and (m := PREF_IN_NAME.search(file_name)):
        pref = m.group(1)
    if pref is None:
        return None, None
    pref = f"{int(pref):02d}"
    city = ext.get("cityCode")
    if city not in (None, "", "-"):
        return str(city), None
    return f"{pref}000", NAME_BY_CODE.get(pref)


def response_rows(response: dict, endpoint: str, options: dict, file_name: str) -> list[dict] | None:
    """Value rows of one successful response, or None when its shape is not one this module reads."""
    result = response["result"]
    area_code, area_name = _area(response, options, file_name)
    base = {"dataset_id": f"resas:{endpoint}", "stat_name": "RESAS", "title": options.get("title", endpoint),
            "area_code": area_code, "area_name": area_name, "time_code": None, "cat_codes": "{}",
            "cat_names": "{}", "classes": "{}", "notes": None}
    series = result.get("data") if isinstance(result, dict) else None
    if not isinstance(series, list):
        return None
    boundary = result.get("boundaryYear")
    rows = []
    if all(isinstance(s, dict) and "label" in s and isinstance(s.get("data"), list) for s in series):
        for s in series:
            for point in s["data"]:
                year = point.get("year")
                mark = "projection" if boundary is not None and year is not None and year > boundary else None
                rows.append({**base, "tab_name": s["label"], "tab_code": None, "time_name": str(year),
                             "value": None if point.get("value") is None else str(point["value"]),
                             "unit": options.get("unit", "人"), "annotation": mark})
                if "rate" in point:
                    rows.append({**base, "tab_name": f"{s['label']}（割合）", "tab_code": None,
                                 "time_name": str(year), "value": str(point["rate"]), "unit": "%",
                                 "annotation": mark})
        return rows
    if all(isinstance(p, dict) and "year" in p and "value" in p for p in series):
        return [{**base, "tab_name": options.get("label", endpoint), "tab_code": None,
                 "time_name": str(p["year"]), "value": None if p["value"] is None else str(p["value"]),
                 "unit": options.get("unit"), "annotation": None} for p in series]
    return None


def file_page(file: InputFile, source: str, options: dict) -> TablePage:
    endpoint = str(options.get("endpoint", "population/composition/perYear")).strip("/")
    meta = FileMeta(file.location, file.name, "utf-8", None, checksum(file.data))
    try:
        body = json.loads(file.data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return TablePage(rows={TABLE: []}, rejected={TABLE: [Rejected.of(
            "malformed_json", str(exc), source, file.location, file.data[:500])]}, rows_in=1)
    responses = body if isinstance(body, list) else [body]
    rows, rejected = [], []
    for number, response in enumerate(responses, start=1):
        location = f"{file.location}#{number}"
        error = resas_error(response)
        if error:
            rejected.append(Rejected.of("resas_error", error, source, location, raw_json(response)))
            continue
        parsed = response_rows(response, endpoint, options, file.name)
        if parsed is None:
            rejected.append(Rejected.of("resas_unknown_shape", f"no reader for this {endpoint} response",
                                        source, location, raw_json(response)))
            continue
        rows += [meta.row(number, **r) for r in parsed]
    return TablePage(rows={TABLE: rows}, rejected={TABLE: rejected}, rows_in=len(rows) + len(rejected))


def fetch_for(lake: Lake, name: str, options: dict):
    def fetch(ctx: FetchContext, resume: dict | None) -> Iterator[TablePage]:
        done = int((resume or {}).get("files_done", 0))
        for index, file in iter_inputs(lake, ctx, name, {**options, "urls": []}, (".json",), done):
            page = file_page(file, name, options)
            page.resume = {"files_done": index}
            yield page
    return fetch


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Import D's saved RESAS responses from the landing folder into bronze ``stat_values_v1``."""
    return run_tabular(lake, name, fetch_for(lake, name, options), ctx, [TABLE])
