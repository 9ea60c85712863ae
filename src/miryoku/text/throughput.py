"""Single-process throughput of ``enrich_batch`` against raw MeCab on a varied, realistic corpus.

``python -m miryoku.text.throughput [N]`` prints posts/s of (1) raw MeCab with the fastest custom
output format (surface, orthBase, POS; parse + ``str.split``), the ceiling of the tokenization
stage, (2) the per-function path the silver job used before ``enrich_batch`` and (3)
``enrich_batch``, all on the same corpus in one process, and the ratios.

The corpus is not the demo's template sample (whose few hundred distinct sentences would let any
cache win): posts are assembled at random from the committed dictionaries (all municipalities,
products, leaflet keywords) and a few hundred everyday clauses, with hashtags, URLs, emoji,
mentions, reposts, e-mail addresses and phone numbers, 8 % English, median length ~64 characters.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time

CLAUSES = """
友達と週末に行ってきました|天気が良くて景色が最高だった|駅から歩いて十分くらいで着く|朝早く出発して正解
家族で久しぶりの旅行|人が多くて少し疲れた|また来年も来たいと思う|写真をたくさん撮った|雨が降ってきて大変
お昼ご飯は地元の食堂で|店員さんがとても親切だった|値段の割に量が多い|ここは前から気になっていた
子供たちも大喜びでした|夜はライトアップされていてきれい|地元の人に教えてもらった店|思ったより寒かった
帰りの電車で爆睡|行列ができていたけど並んだ甲斐があった|有名なお店らしい|静かで落ち着く場所
駐車場が広くて便利|レンタカーで回ると楽|新幹線で二時間ちょっと|空港からバスで移動|ホテルの朝食が豪華
温泉に入ってのんびり|紅葉がちょうど見頃|桜はまだ咲いていなかった|雪がすごくて道が白い|海がきれいで感動した
限定メニューを頼んでみた|お土産を買いすぎた|仕事帰りに寄り道|出張のついでに観光|週末のイベントに参加
道の駅で野菜を買った|市場で朝ごはん|商店街を散歩|美術館の展示が素敵だった|神社でお参りしてきた
祭りの準備が始まっている|花火大会が楽しみ|今年は人出が少なめ|子育てしやすい街だと思う|家賃が安くて驚いた
通勤の渋滞がひどい|バスの本数が少なくて不便|新しい施設がオープンした|図書館が充実している
""".replace("\n", "|").strip("|").split("|")
EN_CLAUSES = """
we had an amazing time|the view from the hill was stunning|highly recommend this place|the locals were so kind
first time visiting and loved it|the food was delicious and cheap|took the train from the airport
it was raining all day but still fun|the festival was crowded|bought souvenirs for my family
the hotel breakfast was great|such a beautiful city|can't wait to come back|the hot spring was relaxing
""".replace("\n", "|").strip("|").split("|")
EMOJI = ["😀", "🍓", "🍎", "🥛", "✨", "😋", "🚃", "🌸", "❤️", "👍", "🎉", "", "", ""]
ENDINGS = ["。", "！", "!!", "〜", "笑", "w", "…", "", "。", "♪"]


def _vocabulary() -> dict[str, list[str]]:
    from miryoku.text.gazetteer import places
    from miryoku.text.products import product_table
    from miryoku.text.taxonomy import keywords

    places_ja, places_en = [], []
    for p in places():
        places_ja += [p.name, p.short] if p.kind in ("city", "ward", "pref") else [p.name]
        places_en.append(p.english)
    products_ja, products_en = [], []
    for row in product_table():
        for name in [row["product"], *row["aliases"].split("|")]:
            if name:
                (products_en if name.isascii() else products_ja).append(name)
    words = [k.keyword.split("(")[0] for k in keywords("taxonomy.csv") if k.lang == "ja"]
    words += [k.keyword.split("(")[0] for k in keywords("disaster.csv") if k.lang == "ja"]
    return {"places_ja": places_ja, "places_en": places_en, "products_ja": products_ja,
            "products_en": products_en, "words": words}


def corpus(n: int, seed: int = 8) -> tuple[list[str], list[str | None]]:
    """(texts, langs) of ``n`` varied posts; about 3 % are copies or reposts of earlier ones."""
    rng = random.Random(seed)
    v = _vocabulary()
    texts: list[str] = []
    langs: list[str | None] = []
    for i in range(n):
        if texts and rng.random() < 0.03:
            original = rng.choice(texts)
            texts.append(f"RT @user_{i % 97}: {original}" if rng.random() < 0.5 else original)
            langs.append(None)
            continue
        if rng.random() < 0.08:
            parts = [rng.choice(EN_CLAUSES) for _ in range(rng.randint(1, 3))]
            parts.insert(rng.randrange(len(parts) + 1), f"in {rng.choice(v['places_en'])}")
            if rng.random() < 0.6:
                parts.insert(rng.randrange(len(parts) + 1), f"the {rng.choice(v['products_en'])}")
            text = " ".join(parts).capitalize() + rng.choice(["!", ".", " " + rng.choice(EMOJI)])
            if rng.random() < 0.4:
                text += f" #{rng.choice(v['places_en']).lower()} #japan"
            texts.append(text)
            langs.append("en" if rng.random() < 0.7 else None)
            continue
        place = rng.choice(v["places_ja"])
        pieces = [f"{place}の{rng.choice(v['products_ja'])}" if rng.random() < 0.5 else f"{place}で"]
        for _ in range(rng.choice((3, 3, 4, 5))):
            pieces.append(rng.choice(CLAUSES))
        if rng.random() < 0.5:
            pieces.append(rng.choice(v["words"]))
        text = "、".join(pieces) + rng.choice(ENDINGS) + rng.choice(EMOJI)
        r = rng.random()
        if r < 0.25:
            text += f" #{place}旅 #{rng.choice(v['products_ja'])}"
        elif r < 0.35:
            text += f" https://example.com/p/{rng.randint(1, 10**6)}?utm_source=sns"
        elif r < 0.40:
            text = f"@friend_{rng.randint(1, 999)} " + text
        elif r < 0.41:
            text += f" 問い合わせ info{i}@example.jp / 0{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
        texts.append(text)
        langs.append("ja" if rng.random() < 0.7 else None)
    return texts, langs


def raw_mecab(texts: list[str]) -> float:
    """Seconds for raw MeCab over ``texts``: custom format, parse, split into (surface, base, pos)."""
    import MeCab

    from miryoku.text.tokenizer import dictionary_dir

    rc = os.path.join(tempfile.mkdtemp(prefix="miryoku-raw-"), "mecabrc")
    with open(rc, "w", encoding="utf-8") as fh:
        fh.write("node-format-raw = %m\\t%f[10]\\t%f[0]\\n\nunk-format-raw = %m\\t%m\\t%f[0]\\n\n"
                 "bos-format-raw = \neos-format-raw = \noutput-format-type = raw\n")
    tagger = MeCab.Tagger(f"-r {rc} -d {dictionary_dir()}")
    start = time.process_time()
    for text in texts:
        [line.split("\t") for line in tagger.parse(text).splitlines()]
    return time.process_time() - start


def per_function_path(texts: list[str], langs: list[str | None], text_modules=None) -> float:
    """Seconds for the per-post function calls the silver job made before ``enrich_batch``.

    ``text_modules``: a package with the same modules as ``miryoku.text`` (the frozen copy in
    tests/unit/text/legacy_text measures the code before the rewrite); default the current ones.
    """
    import importlib

    pkg = text_modules or "miryoku.text"
    normalize, gazetteer, tokenizer, taxonomy, products = (
        importlib.import_module(f"{pkg}.{name}")
        for name in ("normalize", "gazetteer", "tokenizer", "taxonomy", "products"))
    start = time.process_time()
    for text, lang in zip(texts, langs, strict=True):
        norm = normalize.normalize_text(text)
        lang = lang or normalize.detect_lang(text)
        gazetteer.detect_places(norm)
        normalize.is_repost(text)
        found = tokenizer.terms_of(norm, lang)
        taxonomy.disaster_of(norm, found)
        taxonomy.categories_of(norm, found)
        products.products_of(norm)
    return time.process_time() - start


def batch_path(texts: list[str], langs: list[str | None], size: int = 10_000) -> float:
    from miryoku.text.enrich import enrich_batch

    start = time.process_time()
    for i in range(0, len(texts), size):
        enrich_batch(texts[i : i + size], langs[i : i + size])
    return time.process_time() - start


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    numbers = [a for a in args if a.isdigit()]
    n = int(numbers[0]) if numbers else 20_000
    texts, langs = corpus(n)
    from miryoku.text.enrich import enrich_batch

    enrich_batch(texts[:200], langs[:200])  # load dictionaries and the tagger outside the timings
    lengths = sorted(len(t) for t in texts)
    print(f"{n} posts, median {lengths[n // 2]} characters, {sum(t.isascii() for t in texts) / n:.0%} ASCII-only")
    rows = [("raw MeCab (custom format, parse + split)", lambda: raw_mecab(texts))]
    rows.append(("enrich_batch", lambda: batch_path(texts, langs)))
    rows.append(("per-function wrappers (current)", lambda: per_function_path(texts, langs)))
    if "--legacy" in args:  # the code before the rewrite, from the test tree
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "unit", "text"))
        per_function_path(texts[:200], langs[:200], "legacy_text")
        rows.append(("per-function path before enrich_batch", lambda: per_function_path(texts, langs, "legacy_text")))
    best = {name: float("inf") for name, _ in rows}
    for _ in range(5):  # interleaved repeats: the machine is shared, keep the best of each
        for name, run in rows:
            best[name] = min(best[name], run())
    raw = best[rows[0][0]]
    for name, _ in rows:
        print(f"{name:42s} {n / best[name]:8,.0f} posts/s  {raw / best[name]:.2f}x raw MeCab")


if __name__ == "__main__":
    main()
