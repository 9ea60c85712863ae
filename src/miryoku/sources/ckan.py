"""CKAN catalogs (e-Gov データポータル, BODIK, a city's own): find the standard datasets, stage their CSVs.

For each configured standard dataset (``datasets = {tourism = ["観光施設一覧"], …}``) the connector
runs ``package_search`` (``q`` = the title word, ``fq`` = the configured organization and tags,
paged with ``start``/``rows``), keeps packages whose title contains the word, and downloads their
CSV resources into bronze ``opendata_<dataset>_v1`` (one file = one page of progress). Catalog
content is third-party input: resource URLs go through ``safefetch`` (allowed hosts only, no
private/loopback/link-local addresses, size cap, timeout); a refused or failing resource is
quarantined with its reason and the other resources still load. Resource names are stored as data
and never become paths.
"""

from __future__ import annotations

from collections.abc import Iterator

from miryoku.lake.quarantine import Rejected
from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext, raw_json
from miryoku.sources.fileinputs import refused_url_message
from miryoku.sources.http import HttpClient, HttpError, policy_from_options
from miryoku.sources.inputs import InputFile
from miryoku.sources.opendata import csv_page, dataset_of
from miryoku.sources.safefetch import FetchPolicy, RefusedURL, fetch_url
from miryoku.sources.secrets import safe_url, secret
from miryoku.sources.tabular import TablePage, bronze_table, run_tabular


def _fq(options: dict) -> str:
    parts = [f'organization:"{o}"' for o in options.get("organizations", [])]
    if options.get("organization"):
        parts.append(f'organization:"{options["organization"]}"')
    parts += [f'tags:"{t}"' for t in options.get("tags", [])]
    return " AND ".join(parts)


def package_search(http: HttpClient, base: str, q: str, fq: str, rows: int, headers: dict) -> list[dict]:
    """Every package matching ``q``/``fq``, paging with start/rows until ``count`` is reached."""
    found, start = [], 0
    while True:
        params = {"q": q, "rows": rows, "start": start, "sort": "name asc"}
        if fq:
            params["fq"] = fq
        body, _ = http.get_json(f"{base}/api/3/action/package_search", params=params, headers=headers)
        if not isinstance(body, dict) or not body.get("success"):
            error = body.get("error") if isinstance(body, dict) else body
            raise HttpError(f"CKAN package_search failed: {str(error)[:300]}")
        result = body["result"]
        batch = result.get("results") or []
        found += batch
        start += len(batch)
        if not batch or start >= int(result.get("count", 0)):
            return found


def is_csv(resource: dict) -> bool:
    fmt = str(resource.get("format") or "").strip().lower()
    url = str(resource.get("url") or "").lower().split("?", 1)[0]
    return fmt == "csv" or url.endswith(".csv")


def targets(http: HttpClient, base: str, options: dict, headers: dict) -> list[dict]:
    """(dataset, resource) pairs to download, in catalog order, each resource once."""
    out, seen = [], set()
    for dataset, words in (options.get("datasets") or {}).items():
        for word in ([words] if isinstance(words, str) else words):
            for package in package_search(http, base, word, _fq(options), int(options.get("page_size", 100)),
                                          headers):
                if word not in str(package.get("title") or "") and word not in str(package.get("name") or ""):
                    continue
                for resource in package.get("resources") or []:
                    key = resource.get("id") or resource.get("url")
                    if is_csv(resource) and key not in seen:
                        seen.add(key)
                        out.append({"dataset": dataset, "package": package.get("name"), "id": resource.get("id"),
                                    "name": resource.get("name") or "", "url": str(resource.get("url") or "")})
    return out


def fetch_for(lake: Lake, name: str, options: dict, client: HttpClient | None = None, download=fetch_url):
    base = str(options["base_url"]).rstrip("/")
    policy = FetchPolicy.from_options(options)

    def fetch(ctx: FetchContext, resume: dict | None) -> Iterator[TablePage]:
        headers = {}
        if options.get("api_key_env") or options.get("api_key_conn"):
            headers["Authorization"] = secret(options.get("api_key_env"), options.get("api_key_conn"))
        http = client or HttpClient(policy=policy_from_options(options))
        try:
            todo = targets(http, base, options, headers)
        finally:
            if client is None:
                http.close()
        done = int((resume or {}).get("files_done", 0))
        for index, target in enumerate(todo, start=1):
            if index <= done:
                continue
            table = bronze_table("opendata", target["dataset"])
            location = safe_url(target["url"])
            try:
                data, final = download(target["url"], policy)
            except (RefusedURL, HttpError) as exc:
                # a catalog's resource is third-party data: a refused one is quarantined with the setting
                # that would allow it, and the catalog's other resources are still read
                refused = isinstance(exc, RefusedURL)
                detail = refused_url_message(name, target["url"], exc) if refused else str(exc)
                page = TablePage(rows={table: []}, rejected={table: [Rejected.of(
                    "resource_refused" if refused else "resource_download_failed", detail, name, location,
                    raw_json(target))]}, rows_in=1)
            else:
                display = f"{target['package']}/{target['name'] or target['id']}"
                file = InputFile(name=display, location=safe_url(final), data=data)
                page = csv_page(file, target["dataset"], name, options)
            page.resume = {"files_done": index}
            yield page
    return fetch


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    """Stage D's CSV resources of the configured datasets into bronze ``opendata_<dataset>_v1``."""
    tables = [bronze_table("opendata", dataset_of({"dataset": d})) for d in (options.get("datasets") or {})]
    return run_tabular(lake, name, fetch_for(lake, name, options), ctx, tables)
