"""The sample source is deterministic, labelled synthetic, and shaped like the leaflet's data."""

import datetime as dt

from miryoku.sources.sample import generate


def test_same_date_same_posts():
    assert generate("2026-01-05") == generate("2026-01-05")
    assert generate("2026-01-05") != generate("2026-01-06")


def test_every_post_is_labelled_synthetic_and_inside_its_jst_day():
    for post in generate("2026-03-01"):
        assert post["synthetic"] is True
        created = dt.datetime.fromisoformat(post["created_at"])
        assert created.astimezone(dt.timezone(dt.timedelta(hours=9))).date() == dt.date(2026, 3, 1)


def test_contains_english_urls_hashtags_reposts_and_exact_duplicates():
    posts = generate("2026-01-05")
    texts = [p["text"] for p in posts]
    assert any(p["lang"] == "en" for p in posts)
    assert any("https://" in t for t in texts)
    assert any("#" in t for t in texts)
    assert any(t.startswith("RT @") for t in texts)
    assert len(set(texts)) < len(texts)


def test_strawberry_posts_peak_in_winter_spring():
    def share(day):
        posts = generate(day)
        return sum(("いちご" in p["text"] or "イチゴ" in p["text"] or "strawberr" in p["text"]) for p in posts) / len(posts)

    assert share("2026-02-10") > 2 * share("2026-08-10")
