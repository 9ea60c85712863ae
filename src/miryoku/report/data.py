"""The numbers behind each chart of the HTML report, read from published gold with bound parameters.

Each function returns a pandas DataFrame; the period, prefecture and item are parameters, never
pasted into SQL. Zero days are made explicit where a line chart would otherwise skip them.
"""

from __future__ import annotations

import datetime as dt

from miryoku.report.queries import question

ALL_JAPAN = "00"


def _df(con, sql: str, params: list):
    return con.execute(sql, params).df()


def has_table(con, name: str) -> bool:
    """Whether the connection has a table, view or registered dataset ``name`` (a code constant)."""
    try:
        con.execute(f"select 1 from {name} limit 0")
    except Exception:  # noqa: BLE001 - DuckDB raises a CatalogException for an unknown name
        return False
    return True


def published_dates(con) -> list[str]:
    """JST dates with published daily gold rows (term_daily_v1), oldest first."""
    if not has_table(con, "term_daily_v1"):
        return []
    return [r[0] for r in con.execute("select distinct dt from term_daily_v1 order by dt").fetchall()]


def volume_by_category(con, date_from: str, date_to: str, pref: str | None):
    """Posts per JST day and leaflet category (sum of its subcategories' posts), zero days included."""
    return _df(con, """
        with days as (
            select strftime(d, '%Y-%m-%d') as dt
            from generate_series(cast(? as date), cast(? as date), interval 1 day) as t(d)
        ),
        categories as (select distinct category from category_daily_v1),
        counted as (
            select dt, category, sum(posts) as posts
            from category_daily_v1
            where pref_code = ? and dt between ? and ?
            group by dt, category
        )
        select d.dt, c.category, coalesce(n.posts, 0) as posts
        from days as d cross join categories as c
        left join counted as n on n.dt = d.dt and n.category = c.category
        order by d.dt, c.category
    """, [date_from, date_to, pref or ALL_JAPAN, date_from, date_to])


def product_volume(con, date_from: str, date_to: str):
    """Posts per JST day and product for every competitor group, zero days as zero, spikes flagged."""
    return _df(con, """
        with days as (
            select strftime(d, '%Y-%m-%d') as dt
            from generate_series(cast(? as date), cast(? as date), interval 1 day) as t(d)
        ),
        products as (
            select distinct product_group, product, origin_pref_name from v_product_volume_named
            where dt between ? and ?
        ),
        volume as (select * from v_product_volume_named where dt between ? and ?)
        select d.dt, p.product_group, p.product,
               p.product || coalesce('（' || p.origin_pref_name || '）', '') as label,
               coalesce(v.posts, 0) as posts, coalesce(v.is_spike, false) as is_spike
        from days as d cross join products as p
        left join volume as v on v.dt = d.dt and v.product = p.product and v.product_group = p.product_group
        order by p.product_group, d.dt, p.product
    """, [date_from, date_to, date_from, date_to, date_from, date_to])


def distinctive_terms(con, date_from: str, date_to: str, pref: str | None, top_n: int = 5, min_posts: int = 5):
    """``sql/questions/06_distinctive_terms.sql`` over the period (one prefecture or all)."""
    import pandas as pd

    rows = question(con, "06_distinctive_terms", dt_from=date_from, dt_to=date_to, min_posts=min_posts,
                    top_n=top_n)
    frame = pd.DataFrame(rows)
    if pref and not frame.empty:
        frame = frame[frame["pref_code"] == pref]
    return frame


def months_of(date_from: str, date_to: str) -> list[str]:
    first, last = dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def derived_goods(con, date_from: str, date_to: str, pref: str | None):
    """Per anchor × prefecture over the period's months: anchor posts and the share about derived goods
    (the monthly shares weighted by the month's anchor posts)."""
    months = months_of(date_from, date_to)
    return _df(con, """
        with anchors as (
            select distinct month, anchor_term, pref_code, anchor_posts, derived_share
            from cooccurrence_monthly_v1
            where month between ? and ? and pref_code != '00' and (? is null or pref_code = ?)
        )
        select a.anchor_term, a.pref_code, p.pref_name,
               a.anchor_term || ' × ' || p.pref_name as label,
               sum(a.anchor_posts) as anchor_posts,
               round(sum(a.derived_share * a.anchor_posts) / sum(a.anchor_posts), 4) as derived_share
        from anchors as a left join prefectures as p on a.pref_code = p.pref_code
        group by a.anchor_term, a.pref_code, p.pref_name
        having sum(a.anchor_posts) >= 5
        order by anchor_posts desc, a.anchor_term, a.pref_code
    """, [months[0], months[-1], pref, pref])


def item_posts_by_pref(con, date_from: str, date_to: str, item: str):
    """Posts about ``item`` per prefecture over the period's months (shipment_buzz_monthly_v1's
    posts), every one of the 47 prefectures present (0 where none)."""
    months = months_of(date_from, date_to)
    return _df(con, """
        select p.pref_code, p.pref_name, coalesce(sum(sb.posts), 0) as posts
        from prefectures as p
        left join shipment_buzz_monthly_v1 as sb
            on sb.pref_code = p.pref_code and sb.item = ? and sb.month between ? and ?
        group by p.pref_code, p.pref_name
        order by p.pref_code
    """, [item, months[0], months[-1]])


def shipments_vs_posts(con, date_to: str, item: str, top_prefs: int = 5, months_back: int = 12):
    """Monthly shipments and posts for ``item`` in the prefectures that ship most, over the twelve
    months up to ``date_to`` (the leaflet's strawberry chart spans a season, not a fortnight)."""
    end = dt.date.fromisoformat(date_to)
    start_month = (end.year * 12 + end.month - 1) - (months_back - 1)
    first = f"{start_month // 12:04d}-{start_month % 12 + 1:02d}"
    return _df(con, """
        with rows as (
            select * from v_shipment_buzz_named where item = ? and month between ? and ?
        ),
        leaders as (
            select pref_code from rows where pref_code != '00'
            group by pref_code order by sum(coalesce(shipment_qty, 0)) desc, pref_code limit ?
        )
        select r.month, r.pref_code, r.pref_name, r.shipment_qty, r.unit, r.posts,
               r.shipment_share, r.posts_share
        from rows as r inner join leaders as l on r.pref_code = l.pref_code
        order by r.month, r.pref_code
    """, [item, first, end.strftime("%Y-%m"), top_prefs])


def disaster_hours(con, date_from: str, date_to: str, pref: str | None):
    """Posts per JST hour and situation (prefecture totals), or an empty frame without the table."""
    import pandas as pd

    if not has_table(con, "v_disaster_hourly_jst"):
        return pd.DataFrame(columns=["hour_jst", "situation", "posts"])
    return _df(con, """
        select hour_jst, situation, sum(posts) as posts
        from v_disaster_hourly_jst
        where muni_code is null and cast(hour_jst as date) between cast(? as date) and cast(? as date)
          and (case when ? is null then pref_code != '00' else pref_code = ? end)
        group by hour_jst, situation
        order by hour_jst, situation
    """, [date_from, date_to, pref, pref])
