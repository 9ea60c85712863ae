"""The report's charts: Vega-Altair specifications rendered to static SVG by vl-convert, offline.

Every chart carries a Japanese title, axes and units with an English subtitle; SVG is inlined in
the page, so nothing is fetched when it is opened. Fonts are the reader's own (a Japanese sans-serif
family list), never downloaded.
"""

from __future__ import annotations

from importlib.resources import files

FONT = "Noto Sans CJK JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"
WIDTH = 640


def _alt():
    import altair as alt

    alt.data_transformers.disable_max_rows()
    return alt


def _finish(chart, title: str, subtitle: str):
    return (chart.properties(title={"text": title, "subtitle": subtitle, "anchor": "start"})
            .configure(font=FONT).configure_view(stroke=None))


def to_svg(chart) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())


def volume_by_category(frame) -> str:
    alt = _alt()
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("dt:T", title="日付（JST）", axis=alt.Axis(format="%m/%d")),
        y=alt.Y("posts:Q", title="投稿数（件）"),
        color=alt.Color("category:N", title="分類"),
        tooltip=["dt", "category", "posts"],
    ).properties(width=WIDTH, height=260)
    return to_svg(_finish(chart, "分類別の投稿数の推移", "Posts per day by leaflet category"))


def product_volume(frame) -> str:
    alt = _alt()
    base = alt.Chart(frame).encode(
        x=alt.X("dt:T", title="日付（JST）", axis=alt.Axis(format="%m/%d")),
        y=alt.Y("posts:Q", title="投稿数（件）"),
        color=alt.Color("label:N", title="商品（産地）"),
    )
    lines = base.mark_line()
    spikes = base.transform_filter(alt.datum.is_spike).mark_point(shape="triangle-up", size=90, filled=True)
    chart = alt.layer(lines, spikes).properties(width=WIDTH, height=180).facet(
        row=alt.Row("product_group:N", title="競合グループ")).resolve_scale(y="independent", color="independent")
    return to_svg(_finish(chart, "競合商品の投稿数の推移（▲ 急増日、投稿なしの日は 0）",
                          "Competing products per day; ▲ = spike, days without posts drawn as 0"))


def distinctive_terms(frame) -> str:
    alt = _alt()
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("distinctiveness:Q", title="特徴度（全国比の倍率）"),
        y=alt.Y("term:N", title=None, sort="-x"),
        tooltip=["pref_name", "term", "posts", "distinctiveness"],
    ).properties(width=220, height=110).facet(
        facet=alt.Facet("pref_name:N", title=None), columns=3).resolve_scale(y="independent")
    return to_svg(_finish(chart, "都道府県ごとの特徴的な語（地名を除く）",
                          "Distinctive terms per prefecture: share in the prefecture ÷ share nationwide"))


def derived_goods(frame) -> str:
    alt = _alt()
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("derived_share:Q", title="加工品に触れた投稿の割合", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("label:N", title="語 × 都道府県", sort="-x"),
        color=alt.Color("derived_share:Q", scale=alt.Scale(scheme="orangered", domain=[0, 1]), legend=None),
        tooltip=["label", "anchor_posts", "derived_share"],
    ).properties(width=WIDTH - 160, height=alt.Step(16))
    rule = alt.Chart().mark_rule(strokeDash=[4, 4]).encode(x=alt.datum(0.5))
    return to_svg(_finish(alt.layer(chart, rule, data=frame), "そのものか、加工品か",
                          "Share of posts about derived goods (ソフト, カステラ …) per word × prefecture"))


def tile_map(frame, item: str) -> str:
    import pandas as pd

    alt = _alt()
    grid = pd.read_csv(files("miryoku.report").joinpath("tilegrid.csv").open("rb"), dtype={"pref_code": str})
    data = grid.merge(frame, on="pref_code", how="left").fillna({"posts": 0})
    data["short"] = data["pref_name"].str.replace(r"[都府県]$", "", regex=True)
    base = alt.Chart(data).encode(x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None))
    tiles = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("posts:Q", title="投稿数（件）", scale=alt.Scale(scheme="blues")),
        tooltip=["pref_name", "posts"])
    labels = base.mark_text(fontSize=10).encode(text="short:N")
    chart = alt.layer(tiles, labels).properties(width=13 * 40, height=11 * 40)
    return to_svg(_finish(chart, f"「{item}」の投稿数（都道府県別タイルマップ）",
                          f"Posts about {item} by prefecture (tile grid of the 47 prefectures)"))


def shipments_vs_posts(frame, item: str) -> str:
    alt = _alt()
    base = alt.Chart(frame).encode(
        x=alt.X("month:O", title="月"), color=alt.Color("pref_name:N", title="都道府県"))
    shipped = base.mark_line(point=True).encode(y=alt.Y("shipment_qty:Q", title="出荷量")).properties(
        width=WIDTH // 2 - 20, height=220, title="出荷量")
    posted = base.mark_line(point=True, strokeDash=[4, 2]).encode(y=alt.Y("posts:Q", title="投稿数（件）")) \
        .properties(width=WIDTH // 2 - 20, height=220, title="投稿数")
    return to_svg(_finish(alt.hconcat(shipped, posted), f"「{item}」の出荷量と投稿数（月別・都道府県別）",
                          f"Monthly shipments and posts for {item}, leading shipping prefectures"))


def disaster_hours(frame) -> str:
    alt = _alt()
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("hour_jst:T", title="時刻（JST）", axis=alt.Axis(format="%m/%d %H時")),
        y=alt.Y("posts:Q", title="投稿数（件）", stack=True),
        color=alt.Color("situation:N", title="状況"),
        tooltip=["hour_jst", "situation", "posts"],
    ).properties(width=WIDTH, height=220)
    return to_svg(_finish(chart, "災害関連の投稿（1時間ごと）", "Disaster-watch posts per hour (JST)"))
