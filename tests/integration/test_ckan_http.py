"""CKAN package_search + resource downloads against a replaying catalog, with the SSRF guards on."""

from __future__ import annotations

import json

import pytest
from replay_server import REALDATA, Reply

from miryoku.sources import ckan
from miryoku.sources.base import FetchContext
from miryoku.sources.http import HttpClient, HttpError, RetryPolicy
from miryoku.sources.tabular import run_tabular, staged_dir

pytestmark = pytest.mark.integration

DT = "2026-11-20"
SEARCH = "/api/3/action/package_search"
HANDA = (REALDATA / "opendata" / "handa_232050_kanko.csv").read_bytes()
MINATO = (REALDATA / "opendata" / "minato_131032_public_wireless_lan_EXCERPT.csv").read_bytes()


def package(name, title, resources):
    return {"name": name, "title": title, "organization": {"name": "city"}, "tags": [{"name": "観光"}],
            "resources": resources}


def search(results, count):
    return Reply(200, {"help": "…package_search", "success": True, "result": {"count": count, "results": results}})


def catalog(replay):
    base = replay.base
    kanko = package("kanko", "観光施設一覧", [
        {"id": "r1", "name": "観光施設一覧.csv", "format": "CSV", "url": f"{base}/files/kanko.csv"},
        {"id": "r2", "name": "説明.pdf", "format": "PDF", "url": f"{base}/files/readme.pdf"},
        {"id": "r3", "name": "metadata", "format": "CSV", "url": "http://169.254.169.254/latest/meta-data.csv"},
    ])
    other = package("kanko-2", "観光施設一覧（旧）", [
        {"id": "r4", "name": "../../etc/passwd.csv", "format": "csv", "url": "http://evil.example/kanko.csv"},
        {"id": "r5", "name": "big.csv", "format": "CSV", "url": f"{base}/files/big.csv"},
    ])
    unrelated = package("budget", "予算書", [{"id": "r6", "format": "CSV", "url": f"{base}/files/budget.csv"}])
    wifi = package("wifi", "公衆無線LANアクセスポイント一覧", [
        {"id": "r7", "name": "wifi.csv", "format": "CSV", "url": f"{base}/files/wifi.csv"}])
    replay.route(SEARCH, lambda seen: {
        ("観光施設一覧", "0"): search([kanko, unrelated], 3),
        ("観光施設一覧", "2"): search([other], 3),
        ("公衆無線LANアクセスポイント一覧", "0"): search([wifi], 1),
    }[(seen.query["q"], seen.query["start"])])
    replay.route("/files/kanko.csv", lambda seen: Reply(200, HANDA, {"Content-Type": "text/csv"}))
    replay.route("/files/wifi.csv", lambda seen: Reply(302, b"", {"Location": "/files/wifi-2024.csv"}))
    replay.route("/files/wifi-2024.csv", lambda seen: Reply(200, MINATO, {"Content-Type": "text/csv"}))
    replay.route("/files/big.csv", lambda seen: Reply(200, b"a,b\n" + b"1,2\n" * 50_000))


def options(replay, **extra):
    return {"base_url": replay.base, "organization": "city",
            "datasets": {"tourism": ["観光施設一覧"], "wifi": ["公衆無線LANアクセスポイント一覧"]},
            "allowed_hosts": ["127.0.0.1"], "allow_private_addresses": True, "max_bytes": 100_000,
            "page_size": 2, **extra}


def client(sleeps):
    return HttpClient(policy=RetryPolicy(attempts=3, base_delay=0.01), sleep=sleeps.append)


def test_search_download_and_refusals(replay, lake, sleeps):
    catalog(replay)
    ctx = FetchContext(DT, "run-1")
    tables = ["opendata_tourism_v1", "opendata_wifi_v1"]
    result = run_tabular(lake, "city", ckan.fetch_for(lake, "city", options(replay), client(sleeps)), ctx, tables)
    hits = replay.hits(SEARCH)
    assert hits[0].query["fq"] == 'organization:"city"' and [h.query["start"] for h in hits[:2]] == ["0", "2"]
    assert result["tables"] == {"opendata_tourism_v1": 27, "opendata_wifi_v1": 8}
    assert result["quarantine_reasons"] == {"resource_refused": 3, "footer_row": 1}
    paths = [r.path for r in replay.requests]
    assert "/files/budget.csv" not in paths and "/files/readme.pdf" not in paths  # not the dataset / not CSV
    tourism = lake.read_parquet(staged_dir(ctx, "opendata_tourism_v1", "city")).to_pylist()
    first = json.loads(tourism[0]["record"])
    assert first["名称"] == "半田赤レンガ建物" and first["_col15"].endswith("1_akarenga.JPG")
    assert tourism[0]["source_file"] == "kanko/観光施設一覧.csv" and tourism[0]["encoding"] == "utf-8"
    wifi = lake.read_parquet(staged_dir(ctx, "opendata_wifi_v1", "city")).to_pylist()
    assert wifi[0]["source_url"].endswith("/files/wifi-2024.csv")  # redirect followed after re-checking
    quarantine = lake.read_bytes("quarantine/opendata_tourism_v1/dt=2026-11-20/city.jsonl").decode()
    assert "169.254.169.254" in quarantine and "not in allowed_hosts" in quarantine and "max_bytes" in quarantine
    assert "add the host to allowed_hosts in [sources.city]" in quarantine  # the setting that would allow it
    assert "raise max_bytes in [sources.city]" in quarantine
    assert not any(p.startswith("/etc") for p in lake.files(""))


def test_loopback_resources_are_refused_without_the_test_flag(replay, lake, sleeps):
    catalog(replay)
    ctx = FetchContext(DT, "run-2")
    opts = options(replay, allow_private_addresses=False)
    result = run_tabular(lake, "city", ckan.fetch_for(lake, "city", opts, client(sleeps)), ctx,
                         ["opendata_tourism_v1", "opendata_wifi_v1"])
    assert result["rows_out"] == 0 and result["quarantine_reasons"] == {"resource_refused": 5}
    assert not [r for r in replay.requests if r.path.startswith("/files/")]


def test_catalog_error_fails_the_source(replay, lake, sleeps):
    replay.route(SEARCH, lambda seen: Reply(409, {"success": False, "error": {
        "__type": "Search Query Error", "message": "Search Query is invalid"}}))
    with pytest.raises(HttpError, match="Search Query is invalid"):
        run_tabular(lake, "city", ckan.fetch_for(lake, "city", options(replay), client(sleeps)),
                    FetchContext(DT, "run-3"), ["opendata_tourism_v1"])
