"""A deterministic, realistic corpus of SNS posts for one JST date, written as the file drop's JSONL.

Not the demo's template sample: places are drawn from the package's whole gazetteer (47
prefectures and 1,747 municipalities, a long-tailed popularity so a few big cities dominate and
most towns appear a handful of times), products and their aliases from ``products.csv``, and each
post is built from one to four clauses of many templates, so lengths vary (median about 64
characters). About 8 % of posts are English, about 3 % are duplicates (the same record exported
twice, the same author posting the same text again, reposts ``RT @x: …``), and a few are late
(created the evening before). Hashtags, URLs, mentions and emoji appear at realistic rates; ``lang``
is missing on some posts, as dashboards export it.

The same (date, number of posts) always gives byte-identical files, so every measurement of one
benchmark run — and of runs on other machines — sees the same input.

    python -m benchmarks.corpus --date 2026-03-02 --posts 100000 --lake /tmp/lake
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

JST = dt.timezone(dt.timedelta(hours=9))
ENGLISH_SHARE = 0.08
DUPLICATE_SHARE = 0.03   # split evenly: same record re-exported, same author + text, reposts
LATE_SHARE = 0.004       # created the day before, exported with this day's files
MISSING_LANG_SHARE = 0.15
POSTS_PER_FILE = 42_000
LANDING_SOURCE = "dashboard"  # a landing folder of the `file` source (not named after a configured source)
HOUR_WEIGHTS = [3, 2, 1, 1, 1, 2, 4, 6, 7, 6, 6, 8, 10, 8, 6, 6, 7, 8, 9, 10, 11, 11, 9, 6]

SIGHTS = ["城", "城跡", "美術館", "博物館", "駅前", "温泉街", "港", "朝市", "神社", "お寺", "商店街", "展望台",
          "公園", "水族館", "動物園", "ダム", "滝", "湖", "海岸", "古い町並み", "道の駅", "酒蔵", "ビーチ", "牧場"]
FOODS = ["ラーメン", "そば", "うどん", "寿司", "海鮮丼", "焼き肉", "ジンギスカン", "餃子", "カレー", "地ビール",
         "日本酒", "ジェラート", "パフェ", "和菓子", "おにぎり", "定食", "焼き鳥", "牡蠣", "かに", "メロン"]
OPINIONS = ["最高だった", "めちゃくちゃ美味しかった", "思ったより安かった", "ちょっと高いけど満足", "また行きたい",
            "びっくりするほど混んでた", "空いてて快適だった", "景色がすばらしい", "なつかしい味がした",
            "はじめて食べたけどうまい", "写真より実物の方が素敵", "雰囲気が良かった", "接客がとても丁寧だった",
            "駐車場が少なくて不便", "バスの本数が少ない", "電車が遅れて大変だった", "寒すぎて震えた", "暑いけど楽しい",
            "子連れでも安心", "お土産にぴったり", "行列がやばい", "コスパ最強", "期待以上だった", "普通かな"]
LIFE = ["引っ越して一年になる", "仕事を探している", "家賃が安くて住みやすい", "物価が安い", "子育てしやすい街だと思う",
        "雪かきが大変", "通勤が楽になった", "移住を考えている", "地元に帰ってきた", "週末は家族で出かける"]
TIMES = ["今日は", "昨日", "週末に", "連休に", "久しぶりに", "出張ついでに", "朝から", "仕事帰りに", "友達と", "家族で"]
ACTIONS = ["行ってきた", "寄ってみた", "歩いてきた", "観光した", "ドライブした", "泊まった"]
EMOJI = ["😀", "😋", "🍓", "🍎", "🥛", "✨", "🙌", "😭", "👍", "🚃", "♨️", "📷", "🎉", "🍜"]
EN_SIGHTS = ["castle", "old town", "hot spring", "harbour", "morning market", "shrine", "museum", "station area"]
EN_OPINIONS = ["was amazing", "blew my mind", "was a bit pricey but worth it", "is a must", "was so crowded",
               "tasted incredible", "made my day", "was quieter than expected"]
JA_CLAUSES = [
    "{time}{place}の{sight}に{action}",
    "{place}の{product}、{opinion}",
    "{place}で{food}を食べた。{opinion}",
    "{place}の{food}が{opinion}",
    "{place}駅の近くの{food}屋さん、{opinion}",
    "{place}は{life}",
    "{product}といえば{place}",
    "{sight}からの眺めが{opinion}",
    "{place}産の{product}を買って帰った",
    "{time}{place}へ。{sight}と{food}",
]
EN_CLAUSES = [
    "Visited {place_en} today and the {sight_en} {opinion_en}.",
    "The {product_en} in {place_en} {opinion_en}!",
    "First time in {place_en}, the {food_en} {opinion_en}.",
    "{place_en} {sight_en} {opinion_en}, highly recommend.",
]
EN_FOODS = ["ramen", "sushi", "soba", "sake", "seafood bowl", "gyoza", "curry", "ice cream"]


@dataclass(frozen=True)
class Vocabulary:
    places: tuple[tuple[str, str], ...]    # (name as written, English name)
    place_cum_weights: tuple[float, ...]   # cumulative, so a draw is a bisection, not a sum
    products: tuple[str, ...]               # Japanese-script names and aliases
    products_en: tuple[str, ...]


@cache
def vocabulary() -> Vocabulary:
    """Places of the gazetteer with a long-tailed popularity, and product names of products.csv."""
    from miryoku.text.gazetteer import places
    from miryoku.text.products import product_table

    names: list[tuple[str, str]] = []
    weights: list[float] = []
    kind_weight = {"pref": 6.0, "city": 1.5, "ward": 1.0, "town": 0.3, "village": 0.15}
    ranked = sorted(places(), key=lambda p: hashlib.sha256(p.code.encode()).hexdigest())
    for rank, place in enumerate(ranked):
        weight = kind_weight.get(place.kind, 0.2) / (1 + rank / 40) ** 0.9
        forms = [place.name] + ([place.short] if place.kind in ("pref", "city") and len(place.short) >= 2 else [])
        for form in forms:
            names.append((form, place.english or "Japan"))
            weights.append(weight / len(forms))
    ja, en = [], []
    for row in product_table():
        for name in [row["product"], *row["aliases"].split("|")]:
            if name:
                (en if name.isascii() else ja).append(name)
    return Vocabulary(tuple(names), tuple(itertools.accumulate(weights)), tuple(ja), tuple(en) or ("strawberries",))


def _seed(day: str, n_posts: int) -> int:
    return int.from_bytes(hashlib.sha256(f"miryoku-bench-corpus-v1:{day}:{n_posts}".encode()).digest()[:8], "big")


def _created_at(rng: random.Random, day: dt.date, late: bool) -> str:
    if late:
        day, hour = day - dt.timedelta(days=1), rng.choice([21, 22, 23])
    else:
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    moment = dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=JST)
    return moment.isoformat()


def _japanese_text(rng: random.Random, vocab: Vocabulary, serial: int) -> tuple[str, list[str]]:
    place, _ = rng.choices(vocab.places, cum_weights=vocab.place_cum_weights)[0]
    clauses = []
    for _ in range(rng.choices((1, 2, 3, 4), (3, 22, 42, 33))[0]):
        clause = rng.choice(JA_CLAUSES).format(
            time=rng.choice(TIMES), place=place, sight=rng.choice(SIGHTS), action=rng.choice(ACTIONS),
            product=rng.choice(vocab.products), opinion=rng.choice(OPINIONS), food=rng.choice(FOODS),
            life=rng.choice(LIFE))
        clauses.append(clause)
        if rng.random() < 0.3:  # a second place in the same post
            place, _ = rng.choices(vocab.places, cum_weights=vocab.place_cum_weights)[0]
    text = "".join(c + rng.choice(["。", "！", "、", " ", "。"]) for c in clauses).rstrip("、 ")
    tags = []
    if rng.random() < 0.35:
        tags = [place] + ([rng.choice(vocab.products)] if rng.random() < 0.4 else []) + (
            ["旅行"] if rng.random() < 0.3 else [])
    if rng.random() < 0.4:
        text += rng.choice(EMOJI) * rng.choice((1, 1, 2))
    if rng.random() < 0.05:
        text = f"@friend_{rng.randrange(500)} " + text
    if tags:
        text += " " + " ".join("#" + t for t in tags)
    if rng.random() < 0.2:
        text += f" https://example.com/p/{serial}"
    return text, tags


def _english_text(rng: random.Random, vocab: Vocabulary, serial: int) -> tuple[str, list[str]]:
    _, place_en = rng.choices(vocab.places, cum_weights=vocab.place_cum_weights)[0]
    clauses = [rng.choice(EN_CLAUSES).format(
        place_en=place_en, sight_en=rng.choice(EN_SIGHTS), opinion_en=rng.choice(EN_OPINIONS),
        product_en=rng.choice(vocab.products_en), food_en=rng.choice(EN_FOODS))
        for _ in range(rng.choices((1, 2), (45, 55))[0])]
    text = " ".join(clauses)
    tags = ["japan", place_en.lower()] if rng.random() < 0.5 else []
    if rng.random() < 0.3:
        text += " " + rng.choice(EMOJI)
    if tags:
        text += " " + " ".join("#" + t for t in tags)
    if rng.random() < 0.3:
        text += f" https://example.com/trip/{serial}"
    return text, tags


def generate_posts(day: str, n_posts: int) -> list[dict]:
    """``n_posts`` post records (file-drop fields) for JST date ``day``, duplicates included."""
    rng = random.Random(_seed(day, n_posts))
    vocab = vocabulary()
    date = dt.date.fromisoformat(day)
    n_authors = max(10, n_posts // 4)
    posts: list[dict] = []
    for i in range(n_posts):
        roll = rng.random()
        if posts and roll < DUPLICATE_SHARE:
            original = posts[rng.randrange(len(posts))]
            kind = int(roll / DUPLICATE_SHARE * 3)  # 0, 1, 2 with equal shares
            if kind == 0:  # the same record exported twice
                posts.append(dict(original))
                continue
            post = dict(original, id=f"{date:%Y%m%d}-{i:08d}", created_at=_created_at(rng, date, False))
            if kind == 2:  # a repost by someone else
                post["author"] = f"user{rng.randrange(n_authors)}"
                post["text"] = f"RT @{original['author']}: {original['text']}"
            posts.append(post)
            continue
        english = rng.random() < ENGLISH_SHARE
        text, tags = (_english_text if english else _japanese_text)(rng, vocab, i)
        post = {"id": f"{date:%Y%m%d}-{i:08d}",
                "created_at": _created_at(rng, date, rng.random() < LATE_SHARE),
                "text": text,
                "author": f"user{int(n_authors * rng.random() ** 2)}",  # a few authors post a lot
                "url": f"https://sns.example/{date:%Y%m%d}/{i}",
                "hashtags": tags}
        if rng.random() >= MISSING_LANG_SHARE:
            post["lang"] = "en" if english else "ja"
        posts.append(post)
    return posts


def files_per_day(n_posts: int) -> int:
    """Several export files per day: at least 4, one per ~42k posts, at most 24 (hourly exports)."""
    return max(4, min(24, -(-n_posts // POSTS_PER_FILE)))


def write_day(lake: Path, day: str, n_posts: int, source: str = LANDING_SOURCE) -> list[Path]:
    """Write the day's posts to ``<lake>/landing/sns/<source>/dt=<day>/part-NNN.jsonl``; return the files."""
    folder = Path(lake) / "landing" / "sns" / source / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    k = files_per_day(n_posts)
    handles = [open(folder / f"part-{j:03d}.jsonl", "w", encoding="utf-8") for j in range(k)]
    try:
        for i, post in enumerate(generate_posts(day, n_posts)):
            handles[i * k // n_posts].write(json.dumps(post, ensure_ascii=False) + "\n")
    finally:
        for handle in handles:
            handle.close()
    return [Path(h.name) for h in handles]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a deterministic benchmark corpus as file-drop JSONL")
    parser.add_argument("--date", required=True)
    parser.add_argument("--posts", type=int, required=True)
    parser.add_argument("--lake", required=True, help="lake root; files go under landing/sns/dashboard/dt=D/")
    args = parser.parse_args(argv)
    for path in write_day(Path(args.lake), args.date, args.posts):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
