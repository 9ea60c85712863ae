"""The embedded sample source: deterministic, clearly labelled SYNTHETIC posts for the demo and tests.

Built from the leaflet's patterns: place × tourism / product / evaluation words, its keyword table
(気付き・観光・雇用・くらす), product words (いちご, りんご, 牛乳, ロールケーキ …), English posts by
foreign visitors, URLs, hashtags, emoji, reposts and exact duplicates, and seasonal volume
(strawberry posts peak in winter–spring). The same date always yields the same posts, so tests and
the demo are reproducible; every row's raw payload carries ``"synthetic": true``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator

from miryoku.lake.storage import Lake
from miryoku.sources.base import FetchContext, PostRecord, raw_json
from miryoku.sources.ingest import Page, run_connector

SOURCE = "sample"

# place (as written in posts), English name
PLACES = [
    ("青森", "Aomori"), ("弘前", "Hirosaki"), ("北海道", "Hokkaido"), ("札幌", "Sapporo"),
    ("佐賀", "Saga"), ("秋田", "Akita"), ("徳島", "Tokushima"), ("広島", "Hiroshima"),
    ("山形", "Yamagata"), ("岩手", "Iwate"), ("栃木", "Tochigi"), ("福岡", "Fukuoka"),
    ("鳥取", "Tottori"), ("愛媛", "Ehime"), ("山口", "Yamaguchi"), ("長野", "Nagano"), ("静岡", "Shizuoka"),
]
PREF_PLACE = {"01": "北海道", "02": "青森", "03": "岩手", "06": "山形", "09": "栃木", "10": "群馬",
              "20": "長野", "22": "静岡", "40": "福岡", "41": "佐賀", "43": "熊本"}
# product group word, the places it is posted with, English word, seasonal peak month (None = all year)
GROUPS = [
    ("いちご", ["栃木", "福岡", "佐賀"], "strawberries", 2),
    ("りんご", ["青森", "弘前", "長野"], "apples", 10),
    ("牛乳", ["北海道", "札幌"], "milk", None),
    ("ロールケーキ", ["岩手", "北海道", "山形"], "roll cake", None),
    ("だだちゃ豆", ["山形"], "edamame", 8),
    ("桃", ["山形"], "peaches", 7),
]
# Share of a group's posts in its home places that are about goods made from it (the leaflet: 牛乳 ×
# 北海道 is mostly about ソフト and カステラ, りんご × 青森 mostly about the apples themselves).
DERIVED_SHARE = {"牛乳": 0.7, "りんご": 0.15, "いちご": 0.25}
# Flood episode for the disaster watch: (JST dates, hours, municipalities written as in posts).
FLOOD_DAYS = ("2026-01-09", "2026-01-10")
FLOOD_HOURS = range(13, 21)
FLOOD_PLACES = ["佐賀市", "小城市", "武雄市", "久留米市", "大牟田市"]
FLOOD_TEMPLATES = [
    "{muni}で大雨。{spot}が浸水して通行止め、やばい",
    "{muni}、雷と大雨で停電した。みんな大丈夫かな",
    "{muni}の国道で土砂崩れ、通行止めです",
    "{muni}は雨がすごい。道路が浸水している",
    "Heavy rain and flooding in {muni_en}, roads closed",
]
FLOOD_SPOTS = ["駅前", "国道", "商店街", "川沿いの道", "小学校の前"]
FLOOD_EN = {"佐賀市": "Saga city", "小城市": "Ogi", "武雄市": "Takeo", "久留米市": "Kurume", "大牟田市": "Omuta"}
# The leaflet's keyword table (category → words), used as evaluation phrases.
PHRASES = {
    "気付き": ["びっくりした", "驚いた", "新しい発見", "なつかしい", "はじめて見た", "素敵だった"],
    "観光": ["サイコー", "良かった", "すばらしい景色", "うまい", "おいしい", "やばい", "安い", "楽しい", "お土産に最適"],
    "雇用": ["仕事を探している", "バスが便利", "電車が遅れて不便", "渋滞がひどい", "給料が気になる"],
    "くらす": ["物価が安い", "家賃が安い", "寒い", "暑い", "子育てしやすい", "設備が充実"],
}
SIGHTS = ["城", "美術館", "駅", "観光案内所", "温泉", "港", "市場", "神社", "マンホール", "大橋"]
EMOJI = ["😀", "🍓", "🍎", "🥛", "✨", "😋", "🚃", ""]
EN_TEMPLATES = [
    "Visited {place_en} today, the {product_en} was amazing! #japan #{tag}",
    "First time in {place_en}. Loved the {product_en} and the people are so kind {emoji}",
    "{place_en} is beautiful, highly recommend the local {product_en} https://example.com/trip/{n}",
]
JA_TEMPLATES = [
    "{place}の{product}、{phrase}！{emoji}",
    "{place}で{product}を食べた。{phrase} #{place}旅",
    "はじめて{place}に来た。{sight}が{phrase} {emoji}",
    "{place}の{sight}に行ってきた。{phrase} https://example.com/p/{n}",
    "@friend_{k} {place}の{product}が{phrase}",
    "{place}、{phrase}。{category_phrase}",
]
def _season_weight(month: int, peak: int | None) -> float:
    if peak is None:
        return 1.0
    distance = min(abs(month - peak), 12 - abs(month - peak))
    return 0.25 + 1.75 * math.cos(math.pi * distance / 12) ** 4


def _products() -> dict[str, list[tuple[str, str]]]:
    """group → [(product, origin place)] and group → derived goods, from the analyst's product dictionary."""
    from miryoku.text.products import derived_terms, product_table

    products: dict[str, list[tuple[str, str]]] = {}
    for row in product_table():
        if row.get("kind") == "product" and row.get("origin_pref_code") in PREF_PLACE:
            products.setdefault(row["product_group"], []).append((row["product"], PREF_PLACE[row["origin_pref_code"]]))
    return {"products": products, "derived": derived_terms()}


def _product_post(rng: random.Random, group: str, places: list[str], catalog: dict) -> tuple[str, str]:
    """(place, product words) for a post about ``group``: a named product, derived goods, or the word."""
    named = catalog["products"].get(group, [])
    if named and rng.random() < 0.45:
        # competitor products: popularity differs by product, deterministically
        weights = [1.0 + (sum(map(ord, p)) % 5) for p, _ in named]
        product, place = rng.choices(named, weights)[0]
        return place, product
    place = rng.choice(places) if rng.random() < 0.85 else rng.choice(PLACES)[0]
    derived = [d for d in catalog["derived"].get(group) or [] if not d.isascii()]
    if derived and place in places and rng.random() < DERIVED_SHARE.get(group, 0.2):
        return place, group + rng.choice(derived)
    return place, group


def _flood_posts(day: str, rng: random.Random, start: dt.datetime) -> list[dict]:
    if day not in FLOOD_DAYS:
        return []
    posts = []
    for n in range(60):
        muni = rng.choice(FLOOD_PLACES)
        hour = rng.choice(list(FLOOD_HOURS))
        created = start + dt.timedelta(hours=hour, minutes=rng.randint(0, 59))
        text = rng.choice(FLOOD_TEMPLATES).format(muni=muni, spot=rng.choice(FLOOD_SPOTS), muni_en=FLOOD_EN[muni])
        posts.append({"id": f"sample-{day}-flood-{n:03d}", "created_at": created.isoformat(), "text": text,
                      "lang": "en" if text.isascii() else "ja", "author": f"synthetic_user_{rng.randint(1, 999):04d}",
                      "synthetic": True})
    return posts


def generate(day: str, posts_per_day: int = 400) -> list[dict]:
    """The synthetic posts of one JST day, as file-drop-style dicts (deterministic in ``day``)."""
    rng = random.Random(f"miryoku-sample-{day}")
    catalog = _products()
    date = dt.date.fromisoformat(day)
    start = dt.datetime.combine(date, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=9)))
    weights = [_season_weight(date.month, peak) for *_, peak in GROUPS]
    posts: list[dict] = []
    for n in range(posts_per_day):
        group, places, product_en, _ = rng.choices(GROUPS, weights)[0]
        place, product = _product_post(rng, group, places, catalog)
        place_en = dict(PLACES).get(place, "Japan")
        template = rng.choice(JA_TEMPLATES)
        # Product and sight posts speak with surprise/tourism words; place-only posts with any category.
        category = rng.choice(list(PHRASES) if "{product}" not in template else ["気付き", "観光"])
        # Posts cluster in the daytime but some fall right after midnight JST (the UTC day before).
        seconds = int(rng.triangular(0, 86399, 50400)) if n % 50 else rng.randint(0, 1800)
        created = start + dt.timedelta(seconds=seconds)
        if rng.random() < 0.12:
            text = rng.choice(EN_TEMPLATES).format(
                place_en=place_en, product_en=product_en, tag=place_en.lower(), emoji=rng.choice(EMOJI), n=n)
            lang = "en"
        else:
            text = template.format(
                place=place, product=product, phrase=rng.choice(PHRASES[category]), emoji=rng.choice(EMOJI),
                sight=rng.choice(SIGHTS), n=n, k=rng.randint(1, 99),
                category_phrase=rng.choice(PHRASES[rng.choice(list(PHRASES))]),
            )
            lang = "ja"
        posts.append({
            "id": f"sample-{day}-{n:05d}",
            "created_at": created.isoformat(),
            "text": text,
            "lang": lang,
            "author": f"synthetic_user_{rng.randint(1, posts_per_day // 3):04d}",
            "synthetic": True,
        })
    posts += _flood_posts(day, rng, start)
    # Reposts and exact duplicates (copy-paste by other accounts) of earlier posts of the day.
    for m in range(posts_per_day // 20):
        original = rng.choice(posts[:posts_per_day])
        repost = m % 2 == 0
        created = dt.datetime.fromisoformat(original["created_at"]) + dt.timedelta(minutes=rng.randint(1, 30))
        if created.date() != date:
            continue
        posts.append({
            "id": f"sample-{day}-dup-{m:04d}",
            "created_at": created.isoformat(),
            "text": f"RT @synthetic_user_{m:04d}: {original['text']}" if repost else original["text"],
            "lang": original["lang"],
            "author": f"synthetic_user_{rng.randint(1, 999):04d}",
            "synthetic": True,
        })
    return posts


def _connector(ctx: FetchContext, options: dict, resume: dict | None) -> Iterator[Page]:
    posts = generate(ctx.dt, int(options.get("posts_per_day", 400)))
    records = [
        PostRecord(
            source=SOURCE, post_id=p["id"], created_at=dt.datetime.fromisoformat(p["created_at"]),
            text=p["text"], raw=raw_json({k: v for k, v in p.items() if k != "author"}), lang=p["lang"],
            author=p["author"], hashtags=[], request=f"sample:generate?dt={ctx.dt}",
        )
        for p in posts
    ]
    yield Page(records=records, rows_in=len(records))


def ingest(lake: Lake, ctx: FetchContext, name: str, options: dict) -> dict:
    return run_connector(lake, name, _connector, ctx, options)
