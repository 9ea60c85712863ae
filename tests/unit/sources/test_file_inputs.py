"""Local files under import_folder, and refused URLs as one-line errors recorded in the run summary."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from miryoku.lake.runlog import run_dir
from miryoku.sources import market, opendata
from miryoku.sources.base import FetchContext
from miryoku.sources.fileinputs import InputRefused
from miryoku.sources.tabular import staged_dir

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "opendata" / "standard_tourism_cp932.csv"
DT = "2026-11-20"
CTX = FetchContext(DT, "run-files")


@pytest.fixture
def imports(tmp_path) -> Path:
    folder = tmp_path / "imports"
    (folder / "city").mkdir(parents=True)
    (folder / "city" / "kanko.csv").write_bytes(FIXTURE.read_bytes())
    (tmp_path / "secret.csv").write_bytes(FIXTURE.read_bytes())
    return folder


@pytest.mark.parametrize("entry", ["city/kanko.csv", "file://{folder}/city/kanko.csv", "{folder}/city/kanko.csv"])
def test_local_files_under_import_folder_are_read(lake, imports, entry):
    options = {"dataset": "tourism", "import_folder": str(imports), "urls": [entry.format(folder=imports)]}
    stats = opendata.ingest(lake, CTX, "od", options)
    assert stats["rows_out"] == 4
    rows = lake.read_parquet(staged_dir(CTX, "opendata_tourism_v1", "od")).to_pylist()
    assert rows[0]["source_file"] == "kanko.csv" and rows[0]["source_url"] == f"file://{imports}/city/kanko.csv"


@pytest.mark.parametrize(("entry", "needle"), [
    ("../secret.csv", "outside import_folder"), ("file:///etc/passwd", "outside import_folder"),
    ("city/missing.csv", "is not a file"), ("s3://bucket/kanko.csv", "s3:// is not read"),
    ("ftp://example.invalid/kanko.csv", "ftp:// is not read"),
])
def test_local_files_elsewhere_are_refused(lake, imports, entry, needle):
    options = {"dataset": "tourism", "import_folder": str(imports), "urls": [entry]}
    with pytest.raises(InputRefused, match=needle):
        opendata.ingest(lake, CTX, "od", options)


def test_a_local_file_without_import_folder_names_the_setting(lake, imports):
    with pytest.raises(InputRefused, match=r"set import_folder in \[sources.od\]"):
        opendata.ingest(lake, CTX, "od", {"dataset": "tourism", "urls": [str(imports / "city" / "kanko.csv")]})


def test_a_symlink_out_of_import_folder_is_refused(lake, imports, tmp_path):
    (imports / "link.csv").symlink_to(tmp_path / "secret.csv")
    with pytest.raises(InputRefused, match="outside import_folder"):
        opendata.ingest(lake, CTX, "od", {"dataset": "tourism", "import_folder": str(imports), "urls": ["link.csv"]})


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = FIXTURE.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/kanko.csv"
    server.shutdown()
    server.server_close()


def test_a_loopback_url_is_one_line_naming_the_setting_and_the_step_is_recorded(lake, loopback_url):
    with pytest.raises(InputRefused) as caught:
        opendata.ingest(lake, CTX, "od", {"dataset": "tourism", "urls": [loopback_url]})
    message = str(caught.value)
    assert "\n" not in message and "allow_private_addresses = true in [sources.od]" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # no chained traceback
    step = lake.read_json(f"{run_dir(DT, CTX.run_id)}/steps/ingest_od.json")
    assert step["success"] is False and step["error"] == message
    assert lake.read_json(f"{run_dir(DT, CTX.run_id)}/summary.json")["steps"]["ingest_od"]["success"] is False


def test_the_setting_allows_the_loopback_url(lake, loopback_url):
    options = {"dataset": "tourism", "urls": [loopback_url], "allow_private_addresses": True}
    assert opendata.ingest(lake, CTX, "od", options)["rows_out"] == 4


def test_market_files_take_local_paths_too(lake, tmp_path):
    (tmp_path / "m.csv").write_text("品名,産地,販売年,数量（Kg）\nいちご,栃木,2024,1200\n", encoding="utf-8")
    options = {"import_folder": str(tmp_path), "urls": ["m.csv"],
               "columns": {"item": "品名", "origin": "産地", "period": "販売年", "quantity": "数量（Kg）"}}
    assert market.ingest(lake, CTX, "mk", options)["rows_out"] == 1
