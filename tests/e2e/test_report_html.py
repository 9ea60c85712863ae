"""The HTML report rendered from the sample lake and opened in headless Chromium with the network off.

Chromium is pointed at a recording proxy on loopback and every host name resolves to nothing, so any
request the page made would be seen (and could not leave the machine); the test asserts there was
none. The rendered DOM must hold a drawn SVG for every chart and the page's Japanese text; the
numbers the charts show are compared with the gold rows read straight from the Parquet files.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
from collections import defaultdict

import pyarrow.parquet as pq
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.spark]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class RecordingProxy:
    """A TCP listener on 127.0.0.1 that records the first line of every connection and answers 502."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.requests.append(conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1"))
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    self.requests.append("<unreadable>")

    def close(self):
        self.sock.close()


def _chromium(args: list[str], tmp_path, proxy: RecordingProxy) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
         "--disable-extensions", "--no-default-browser-check", "--metrics-recording-only",
         f"--user-data-dir={tmp_path / 'profile'}", f"--proxy-server=http://127.0.0.1:{proxy.port}",
         "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--virtual-time-budget=5000", *args],
        capture_output=True, text=True, timeout=180, check=True)


@pytest.fixture(scope="module")
def report(sample_lake, tmp_path_factory):
    from miryoku.report import write_html_report

    path = tmp_path_factory.mktemp("report") / "report.html"
    assert write_html_report(sample_lake.root, "2026-01-08", "2026-01-10", str(path)) == str(path)
    return path


@pytest.fixture(scope="module")
def rendered(report, tmp_path_factory):
    if not CHROMIUM:
        pytest.fail("chromium is not installed: apt-get install chromium fonts-noto-cjk (.ci/run does it)")
    tmp = tmp_path_factory.mktemp("chromium")
    proxy = RecordingProxy()
    try:
        dom = _chromium(["--dump-dom", report.as_uri()], tmp, proxy).stdout
        shot = tmp / "report.png"
        _chromium(["--window-size=1200,6000", f"--screenshot={shot}", report.as_uri()], tmp, proxy)
    finally:
        proxy.close()
    return {"dom": dom, "screenshot": shot, "requests": proxy.requests}


def _section(dom: str, key: str) -> str:
    match = re.search(rf'<section id="{key}">(.*?)</section>', dom, re.S)
    assert match, f"section {key} missing"
    return match.group(1)


def test_every_chart_is_drawn(rendered):
    dom = rendered["dom"]
    for key in ("post-volume", "competing-products", "distinctive-terms", "the-thing-itself-or-derived-goods",
                "posts-by-prefecture", "shipments-and-posts", "disaster-watch"):
        body = _section(dom, key)
        svg = re.search(r"<svg.*?</svg>", body, re.S)
        assert svg, f"{key}: no SVG"
        marks = re.findall(r'<(?:path|rect|line)[^>]*(?:d="M|width="\d)', svg.group(0))
        assert len(marks) > 5, f"{key}: the SVG has no marks"


def test_japanese_text_period_and_synthetic_notice(rendered):
    dom = rendered["dom"]
    for text in ("魅力レイク レポート", "合成データ", "データ期間 2026-01-08 ～ 2026-01-10", "投稿数（件）",
                 "日付（JST）", "時刻（JST）", "栃木", "品質ゲート"):
        assert text in dom, text


def test_nothing_is_fetched(rendered, report):
    assert rendered["requests"] == []
    html = report.read_text("utf-8")
    assert not re.search(r'<(?:script|link|img|iframe)\b', html)
    assert "@import" not in html and not re.search(r"url\((?!#)", html)  # only in-page gradients
    assert rendered["screenshot"].stat().st_size > 50_000


def test_gate_results_link_to_data_docs_in_the_lake(rendered, report, sample_lake):
    gates = _section(rendered["dom"], "quality-gates")
    assert "gold.term_daily_v1" in gates and "すべて合格" in gates
    links = re.findall(r'href="([^"]+)"', gates)
    assert links
    for link in links:
        target = (report.parent / link).resolve()
        assert target.is_file() and str(target).startswith(sample_lake.root), link
        assert "Expectation" in target.read_text("utf-8")


def _gold(lake, table: str):
    import pyarrow as pa

    files = [f for f in lake.files(f"gold/{table}", ".parquet")]
    parts = []
    for rel in files:
        t = pq.read_table(lake.path(rel))
        key, value = rel.split("/")[2].split("=", 1)
        parts.append(t.append_column(key, pa.array([value] * t.num_rows)))
    return pa.concat_tables(parts, promote_options="permissive").to_pylist()


def test_tile_map_numbers_are_the_gold_rows(rendered, sample_lake):
    expected = defaultdict(int)
    for row in _gold(sample_lake, "shipment_buzz_monthly_v1"):
        if row["item"] == "いちご" and row["month"] == "2026-01" and row["pref_code"] != "00":
            expected[row["pref_code"]] += row["posts"] or 0
    names = {"09": "栃木県", "41": "佐賀県", "40": "福岡県"}
    shown = dict(re.findall(r"pref_name: (\S+?); posts: (\d+)", _section(rendered["dom"], "posts-by-prefecture")))
    assert len(shown) == 47
    for code, name in names.items():
        assert int(shown[name]) == expected[code], name
    assert sum(int(v) for v in shown.values()) == sum(expected.values())


def test_product_chart_numbers_are_the_gold_rows(rendered, sample_lake):
    expected = {(r["dt"][5:].replace("-", "/"), r["product"]): r["posts"]
                for r in _gold(sample_lake, "product_volume_daily_v1") if r["dt"] <= "2026-01-10"}
    shown = re.findall(r"日付（JST）: (\d\d/\d\d); 投稿数（件）: (\d+); 商品（産地）: ([^（\"]+)",
                       _section(rendered["dom"], "competing-products"))
    assert shown
    for day, posts, product in shown:
        assert int(posts) == expected.get((day, product), 0), (day, product)
