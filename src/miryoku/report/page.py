"""The offline HTML report: one self-contained file (styles inline, charts as inline SVG, no script,
no web font, no CDN) that a tourism-board analyst opens on Monday morning.

``write_html_report`` is what ``miryoku report --html`` and the nightly DAG's last task call. It reads
published gold only (through the catalog's views, which read what ``published_files`` lists) and the
gate results of the period, and says on the page when the data is the synthetic sample.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import re

from miryoku.lake import Lake
from miryoku.lake.publish import published_files
from miryoku.report import charts, data
from miryoku.report.gates import build_data_docs, period_gates

log = logging.getLogger(__name__)
DEFAULT_ITEM = "いちご"
STYLE = """
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #222; line-height: 1.6; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #369; margin-top: 2.4rem; }
.sub { color: #666; font-size: .9rem; } .notice { background: #fff4d6; border: 1px solid #e0b84c;
padding: .6rem 1rem; border-radius: 4px; } figure { margin: 1rem 0; } table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: .25rem .6rem; font-size: .9rem; } th { background: #eef3f8; }
.ok { color: #17692b; } .ng { color: #b0201a; font-weight: bold; } .empty { color: #888; }
"""


class NoDataForPeriod(LookupError):
    """No published gold rows in the requested period."""


def default_report_rel(date_to: str) -> str:
    """Where the nightly report of ``date_to`` lives inside the lake."""
    return f"_reports/dt={date_to}/report.html"


def is_synthetic(lake: Lake, date_from: str, date_to: str) -> bool:
    """Whether the period's bronze posts come from the synthetic sample (raw payload ``"synthetic": true``)."""
    import pyarrow.compute as pc

    day = dt.date.fromisoformat(date_from)
    while day <= dt.date.fromisoformat(date_to):
        for rel in published_files(lake, "bronze", "sns_posts", day.isoformat())[:4]:
            raw = lake.read_parquet(rel, columns=["raw"]).column("raw")
            if pc.any(pc.match_substring_regex(raw, r'"synthetic"\s*:\s*true')).as_py():
                return True
        day += dt.timedelta(days=1)
    return False


def _section(title: str, english: str, body: str) -> str:
    key = re.sub(r"[^a-z]+", "-", english.lower()).strip("-")
    return f'<section id="{key}"><h2>{html.escape(title)} <span class="sub">{html.escape(english)}</span></h2>{body}</section>'


def _figure(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption class="sub">{html.escape(caption)}</figcaption></figure>'


def _empty(text: str) -> str:
    return f'<p class="empty">{html.escape(text)}</p>'


def _link(report_path: str, lake: Lake, rel: str) -> str:
    target = lake.uri(rel)
    if lake.is_local and "://" not in report_path:
        return os.path.relpath(target, os.path.dirname(os.path.abspath(report_path)))
    return target


def _gates_table(lake: Lake, report_path: str, date_from: str, date_to: str, docs: bool) -> str:
    tables = period_gates(lake, date_from, date_to)
    if not tables:
        return _empty("この期間の品質ゲートの記録はありません。 No gate results in this period.")
    if docs:
        try:
            build_data_docs(lake, tables)
        except Exception as exc:  # noqa: BLE001 - the report is still useful without the rendered pages
            log.warning("Data Docs not rendered: %s", exc)
            docs = False
    rows = []
    for t in tables:
        failed = [p for p in t.partitions if not p["success"]]
        links = " ".join(
            f'<a href="{html.escape(_link(report_path, lake, p["docs"] if docs else p["result"]))}">'
            f'{html.escape(p["partition"].split("=", 1)[1])}</a>' for p in (failed or t.partitions[-1:]))
        state = '<span class="ng">不合格あり</span>' if failed else '<span class="ok">すべて合格</span>'
        rows.append(f"<tr><td>{html.escape(t.suite)}</td><td>{t.passed}</td><td>{t.failed}</td>"
                    f"<td>{state}</td><td>{links}</td></tr>")
    return ("<table><tr><th>テーブル</th><th>合格</th><th>不合格</th><th>判定</th>"
            "<th>Data Docs（不合格または最新）</th></tr>" + "".join(rows) + "</table>")


def _charts(con, date_from: str, date_to: str, pref: str | None, item: str) -> list[str]:
    sections = [
        ("投稿数の推移", "Post volume", ["category_daily_v1"],
         lambda: data.volume_by_category(con, date_from, date_to, pref), charts.volume_by_category,
         "分類ごとの小分類の投稿数の合計（1日ごと、JST）。"),
        ("競合商品の比較", "Competing products", ["v_product_volume_named"],
         lambda: data.product_volume(con, date_from, date_to), charts.product_volume,
         "▲ 急増: その商品の平常の投稿数を大きく上回った日。"),
        ("特徴的な語", "Distinctive terms", ["v_term_daily_named", "v_pref_daily"],
         lambda: data.distinctive_terms(con, date_from, date_to, pref), charts.distinctive_terms,
         "特徴度 = 都道府県の投稿に占める割合 ÷ 全国の投稿に占める割合。地名を除き、5件以上の語。"),
        ("そのものか、加工品か", "The thing itself or derived goods", ["cooccurrence_monthly_v1"],
         lambda: data.derived_goods(con, date_from, date_to, pref), charts.derived_goods,
         "破線: 50%。右ほど加工品（ソフト、カステラ…）について書かれている。"),
        ("都道府県別の投稿数", "Posts by prefecture", ["shipment_buzz_monthly_v1"],
         lambda: data.item_posts_by_pref(con, date_from, date_to, item), lambda f: charts.tile_map(f, item),
         f"「{item}」について書かれた投稿（期間中の月）。"),
        ("出荷量と投稿数", "Shipments and posts", ["v_shipment_buzz_named"],
         lambda: data.shipments_vs_posts(con, date_to, item), lambda f: charts.shipments_vs_posts(f, item),
         "出荷量の多い5都道府県、期間末までの12か月。"),
    ]
    parts = []
    for title, english, tables, load, draw, caption in sections:
        missing = [t for t in tables if not data.has_table(con, t)]
        if missing:
            parts.append(_section(title, english, _empty(f"{', '.join(missing)} はまだ公開されていません。")))
            continue
        frame = load()
        parts.append(_section(title, english, _figure(draw(frame), caption) if not frame.empty
                              else _empty("この期間のデータはありません。 No data in this period.")))
    frame = data.disaster_hours(con, date_from, date_to, pref)
    if not frame.empty:
        parts.append(_section("災害の見守り", "Disaster watch", _figure(
            charts.disaster_hours(frame), "都道府県の合計、1時間ごと（JST）。")))
    return parts


def write_html_report(lake_root: str | None, date_from: str, date_to: str, path: str | None = None,
                      pref: str | None = None, item: str = DEFAULT_ITEM, data_docs: bool = True) -> str:
    """Write the report for ``date_from`` … ``date_to`` (JST dates) and return its path.

    ``path`` defaults to ``<lake>/_reports/dt=<date_to>/report.html``; ``pref`` narrows the charts to
    one prefecture (JIS code); raises ``NoDataForPeriod`` when no gold was published in the period.
    """
    from miryoku.report.text import connect

    lake = Lake.from_settings(lake_root)
    con = connect(lake)
    dates = [d for d in data.published_dates(con) if date_from <= d <= date_to]
    if not dates:
        raise NoDataForPeriod(f"no published gold between {date_from} and {date_to}")
    in_lake = path is None
    path = lake.uri(default_report_rel(date_to)) if in_lake else path
    pref_name = None
    if pref:
        found = con.execute("select pref_name from prefectures where pref_code = ?", [pref]).fetchone()
        pref_name = found[0] if found else pref
    scope = f"{pref_name}（{pref}）" if pref else "全国"
    notice = ('<p class="notice"><strong>合成データ</strong>: この期間の投稿は同梱のサンプル生成器による'
              '架空のデータです。実在の投稿ではありません。 Synthetic sample data.</p>'
              if is_synthetic(lake, date_from, date_to) else "")
    head = (f"<h1>魅力レイク レポート — {html.escape(scope)}</h1>"
            f'<p class="sub">Miryoku Lake report · データ期間 {date_from} ～ {date_to}（JST、公開済みの日 '
            f"{len(dates)} 日: {dates[0]} ～ {dates[-1]}）· 作成 "
            f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}</p>{notice}")
    # day-by-day charts span the published days, so days not yet built never show as zero posts
    body = "".join(_charts(con, dates[0], dates[-1], pref, item))
    body += _section("品質ゲート", "Quality gates", _gates_table(lake, path, date_from, date_to, data_docs))
    meta = json.dumps({"date_from": date_from, "date_to": date_to, "pref": pref, "item": item}, ensure_ascii=False)
    page = (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>魅力レイク レポート '
            f"{date_from}～{date_to}</title><style>{STYLE}</style>"
            f'<meta name="miryoku-report" content="{html.escape(meta)}"></head><body>{head}{body}</body></html>')
    if in_lake:
        lake.write_bytes(default_report_rel(date_to), page.encode("utf-8"))
    else:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(page)
        os.replace(tmp, path)
    return path
