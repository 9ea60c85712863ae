"""e-Stat API v3 ``getStatsData`` (JSON) → bronze ``stat_values_v1`` (and ``shipments_raw_v1``).

For each configured statistics table (``statsDataId`` plus any narrowing parameters) the connector
pages through ``NEXT_KEY`` → ``startPosition``; one page of up to ``page_size`` values (≤ 100,000) is
one unit of durable progress. The JSON is XML turned inside out, with its traps handled here:
``CLASS_OBJ``, ``CLASS``, ``NOTE`` and ``VALUE`` are a single object when there is one item and a
list otherwise; attributes are ``@``-prefixed and text is ``$``. Class codes are mapped to names;
the table's ``NOTE`` markers (``-``, ``x``, ``…``, ``***``) travel with each row so silver can turn a
placeholder into null plus a flag. ``STATUS`` 0 is success, 1 "no matching data" (an empty result);
anything else is an ``EstatError`` carrying e-Stat's ``ERROR_MSG``.

The ``appId`` is read from an environment variable or Airflow connection at request time and masked
in every stored URL and message. Tables configured with ``shipments = {item = "cat01", …}`` are also
staged as shipments (item × area × time) for ``shipments_v1``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext
from miryoku.sources.http import HttpClient, HttpError, policy_from_options
from miryoku.sources.secrets import redact, safe_url, secret
from miryoku.sources.tabular import FileMeta, TablePage, checksum, run_tabular

DEFAULT_BASE = "https://api.e-stat.go.jp/rest/3.0/app/json"
STAT_VALUES, SHIPMENTS_RAW = "stat_values_v1", "shipments_raw_v1"


class EstatError(HttpError):
    """e-Stat answered with a non-success STATUS; the message is e-Stat's ERROR_MSG."""


def as_list(value) -> list:
    """e-Stat's one-or-many: None → [], an object → [object], a list → the list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text_of(value) -> str | None:
    if isinstance(value, dict):
        return value.get("$")
    return None if value is None else str(value)


def parse_response(body: dict, dataset_id: str) -> tuple[list[dict], int | None, dict]:
    """A getStatsData body → (value rows with codes and names, next start position, table info)."""
    root = body.get("GET_STATS_DATA") if isinstance(body, dict) else None
    if not isinstance(root, dict):
        raise EstatError("response has no GET_STATS_DATA")
    result = root.get("RESULT") or {}
    status = int(result.get("STATUS", -1))
    if status == 1:
        return [], None, {}
    if status != 0:
        raise EstatError(f"e-Stat STATUS {status} for statsDataId {dataset_id}: {result.get('ERROR_MSG')}", status)
    data = root.get("STATISTICAL_DATA") or {}
    table = data.get("TABLE_INF") or {}
    classes: dict[str, dict] = {}
    class_names: dict[str, str] = {}
    for obj in as_list((data.get("CLASS_INF") or {}).get("CLASS_OBJ")):
        class_names[obj["@id"]] = obj.get("@name", obj["@id"])
        classes[obj["@id"]] = {c["@code"]: c for c in as_list(obj.get("CLASS"))}
    info = (data.get("DATA_INF") or {})
    notes = {n.get("@char"): n.get("$") for n in as_list(info.get("NOTE")) if isinstance(n, dict)}
    rows = []
    for value in as_list(info.get("VALUE")):
        codes = {k[1:]: v for k, v in value.items() if k.startswith("@") and k[1:] in classes}

        def name(dim: str, codes=codes) -> str | None:
            code = codes.get(dim)
            return (classes.get(dim, {}).get(code) or {}).get("@name") if code is not None else None

        cats = {d: c for d, c in codes.items() if d not in ("tab", "area", "time")}
        tab_unit = (classes.get("tab", {}).get(codes.get("tab")) or {}).get("@unit")
        rows.append({
            "dataset_id": dataset_id, "stat_name": text_of(table.get("STAT_NAME")),
            "title": text_of(table.get("TITLE")), "tab_code": codes.get("tab"), "tab_name": name("tab"),
            "area_code": codes.get("area"), "area_name": name("area"), "time_code": codes.get("time"),
            "time_name": name("time"), "cat_codes": json.dumps(cats, ensure_ascii=False),
            "cat_names": json.dumps({d: name(d) for d in cats}, ensure_ascii=False),
            "classes": json.dumps(class_names, ensure_ascii=False),
            "unit": value.get("@unit") or tab_unit, "value": value.get("$"),
            "annotation": value.get("@annotation"), "notes": json.dumps(notes, ensure_ascii=False),
        })
    next_key = (data.get("RESULT_INF") or {}).get("NEXT_KEY")
    return rows, int(next_key) if next_key not in (None, "") else None, {"class_names": class_names}


def shipment_rows(rows: list[dict], mapping: dict, market: str | None) -> list[dict]:
    """Stat rows of an agricultural shipment table → shipments_raw rows (item × area × time)."""
    item_dim = mapping.get("item", "cat01")
    out = []
    for row in rows:
        item = json.loads(row["cat_names"]).get(item_dim)
        out.append({"dataset_id": row["dataset_id"], "market": market, "item": item,
                    "origin": row["area_name"], "period": row["time_code"], "quantity": row["value"],
                    "amount": None, "unit": mapping.get("unit") or row["unit"],
                    "record": json.dumps(row, ensure_ascii=False)})
    return out


def fetch_for(name: str, options: dict, client: HttpClient | None = None):
    base = str(options.get("base_url", DEFAULT_BASE)).rstrip("/")
    tables = list(options.get("tables", []))

    def fetch(ctx: FetchContext, resume: dict | None) -> Iterator[TablePage]:
        app_id = secret(options.get("app_id_env", "MIRYOKU_ESTAT_APP_ID"), options.get("app_id_conn"))
        http = client or HttpClient(policy=policy_from_options(options))
        http.secrets = tuple({*http.secrets, app_id})
        first, start = int((resume or {}).get("table", 0)), (resume or {}).get("start")
        try:
            for index in range(first, len(tables)):
                spec = tables[index]
                position = int(start or 1) if index == first else 1
                while True:
                    params = {**{k: str(v) for k, v in (spec.get("params") or {}).items()},
                              "statsDataId": spec["id"], "startPosition": position,
                              "limit": int(options.get("page_size", 100000)), "metaGetFlg": "Y",
                              "cntGetFlg": "N", "sectionHeaderFlg": "1"}
                    body, resp = http.get_json(f"{base}/getStatsData", params={"appId": app_id, **params})
                    try:
                        rows, next_key, _ = parse_response(body, spec["id"])
                    except (KeyError, TypeError, ValueError) as exc:
                        raise EstatError(redact(f"malformed getStatsData response for {spec['id']}: {exc}",
                                                (app_id,))) from None
                    meta = FileMeta(safe_url(str(resp.request.url)), f"getStatsData {spec['id']} @{position}",
                                    "utf-8", None, checksum(resp.content))
                    page = TablePage(rows={STAT_VALUES: [meta.row(position + i, **r) for i, r in enumerate(rows)]},
                                     rows_in=len(rows))
                    if spec.get("shipments"):
                        ship = shipment_rows(rows, spec["shipments"], spec.get("market"))
                        page.rows[SHIPMENTS_RAW] = [meta.row(position + i, **r) for i, r in enumerate(ship)]
                    done = next_key is None
                    page.resume = ({"table": index + 1, "start": None} if done
                                   else {"table": index, "start": next_key})
                    yield page
                    if done:
                        break
                    position = next_key
        finally:
            if client is None:
                http.close()
    return fetch


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Stage every configured statistics table into bronze ``stat_values_v1`` (+ ``shipments_raw_v1``)."""
    tables = [STAT_VALUES] + ([SHIPMENTS_RAW] if any(t.get("shipments") for t in options.get("tables", [])) else [])
    return run_tabular(lake, name, fetch_for(name, options), ctx, tables)
