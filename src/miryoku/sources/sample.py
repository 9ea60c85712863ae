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
    ("鳥取", "Tottori"), ("愛媛", "Ehime"), ("山口", "Yamaguchi"),
]
# product, the places it is posted with, English word, seasonal peak month (None = all year)
PRODUCTS = [
    ("いちご", ["栃木", "福岡", "佐賀"], "strawberries", 2),
    ("イチゴ", ["栃木", "福岡"], "strawberries", 2),
    ("りんご", ["青森", "弘前", "岩手"], "apples", 10),
    ("牛乳", ["北海道", "札幌", "岩手"], "milk", None),
    ("ロールケーキ", ["岩手", "北海道", "山形"], "roll cake", None),
    ("だだちゃ豆", ["山形"], "edamame", 8),
    ("桃", ["山形"], "peaches", 7),
]
DERIVED = {"牛乳": ["ソフト", "カステラ", "プリン"], "りんご": ["アップルパイ", "ジュース"], "いちご": ["大福", "パフェ"]}
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
    "@friend_{k} {place}の{product}{derived}が{phrase}",
    "{place}、{phrase}。{category_phrase}",
]


def _season_weight(month: int, peak: int | None) -> float:
    if peak is None:
        return 1.0
    distance = min(abs(month - peak), 12 - abs(month - peak))
    return 0.25 + 1.75 * math.cos(math.pi * distance / 12) ** 4


def generate(day: str, posts_per_day: int = 400) -> list[dict]:
    """The synthetic posts of one JST day, as file-drop-style dicts (deterministic in ``day``)."""
    rng = random.Random(f"miryoku-sample-{day}")
    date = dt.date.fromisoformat(day)
    start = dt.datetime.combine(date, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=9)))
    weights = [_season_weight(date.month, peak) for *_, peak in PRODUCTS]
    posts: list[dict] = []
    for n in range(posts_per_day):
        product, places, product_en, _ = rng.choices(PRODUCTS, weights)[0]
        place = rng.choice(places) if rng.random() < 0.85 else rng.choice(PLACES)[0]
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
                derived=rng.choice(DERIVED.get(product, [""])) if rng.random() < 0.6 else "",
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
