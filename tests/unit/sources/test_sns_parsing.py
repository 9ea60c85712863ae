"""Parsing real Mastodon statuses and the X / Bluesky shapes into posts, without identities."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from realfiles import real

from miryoku.lake.quarantine import Rejected
from miryoku.sources.bluesky import parse_post
from miryoku.sources.mastodon import html_to_text, parse_status, queries, snowflake
from miryoku.sources.snspaging import Query, search_terms
from miryoku.sources.xapi import parse_tweet

TAG = json.loads(real("sns/mastodon4j_tag_timeline_mastodon_2017.json"))
PUBLIC = json.loads(real("sns/mastodon4j_public_timeline_mstdnjp_2017.json"))


def test_real_public_timeline_statuses_with_integer_ids():
    posts = [parse_status(s, "mstdn.jp", "m", "req", 5000) for s in PUBLIC]
    assert all(not isinstance(p, Rejected) for p in posts)
    first = posts[0]
    assert first.post_id == "mstdn.jp/172429" and first.text == "電話であれ、テキストであれ、伝達能力はしっかり鍛えてほしい。"
    assert first.created_at == dt.datetime(2017, 4, 14, 6, 11, 41, 893000, tzinfo=dt.UTC)
    assert first.author == "iorin0225@mstdn.jp" and first.lang is None and first.url is None
    raw = json.loads(first.raw)
    assert "account" not in raw and "url" not in raw and "uri" not in raw and raw["instance"] == "mstdn.jp"


def test_real_tag_timeline_html_mentions_and_hashtags():
    post = parse_status(TAG[0], "mastodon.social", "m", "req", 5000)
    assert post.text.startswith("@alexl @deadsuperhero  Yes, but not only #Mastodon should be compatible")
    assert post.text.endswith("But hé, I'm not a coder ;-)")
    assert post.hashtags == ["diaspora", "mastodon"] and post.author == "jeroenpraat@mastodon.social"
    assert "mentions" not in json.loads(post.raw)
    japanese = [p for p in (parse_status(s, "h", "m", "r", 5000) for s in TAG) if "公式アカウント" in p.hashtags]
    assert japanese


def test_html_to_text_paragraphs_breaks_and_entities():
    assert html_to_text("<p>青森&amp;りんご<br />最高</p><p>#<span>いちご</span></p>") == "青森&りんご\n最高\n#いちご"


def test_spoiler_empty_and_too_long():
    base = dict(PUBLIC[0], id="1")
    assert parse_status(dict(base, spoiler_text="CW"), "h", "m", "r", 5000).text.startswith("CW\n電話")
    assert parse_status(dict(base, content="<p></p>"), "h", "m", "r", 5000).reason == "empty_text"
    assert parse_status(base, "h", "m", "r", 10).reason == "text_too_long"
    assert parse_status(dict(base, created_at="yesterday"), "h", "m", "r", 5000).reason == "bad_created_at"


def test_snowflake_ids_bound_the_window():
    moment = dt.datetime(2026, 11, 19, 15, 0, tzinfo=dt.UTC)
    assert int(snowflake(moment)) >> 16 == int(moment.timestamp() * 1000)


def test_queries_are_instance_times_hashtags_and_place_word_pairs():
    opts = {"instances": ["https://a.example/", {"url": "https://b.example", "token_env": "T"}],
            "hashtags": ["#いちご"], "places": ["青森", "佐賀"], "words": ["りんご"], "queries": ["青森 りんご"]}
    assert search_terms(opts) == ["青森 りんご", "佐賀 りんご"]
    keys = [q.key for q in queries(opts)]
    assert keys == ["a.example|tag|いちご", "a.example|search|青森 りんご", "a.example|search|佐賀 りんご",
                    "b.example|tag|いちご", "b.example|search|青森 りんご", "b.example|search|佐賀 りんご"]
    assert len({Query(k).state_key for k in keys}) == 6  # Japanese terms do not collapse into one file


def test_x_tweet_v2_shape():
    tweet = {"id": "1", "text": "青森 &amp; りんご &gt; #りんご", "created_at": "2026-11-20T01:00:00.000Z",
             "author_id": "42", "lang": "ja", "in_reply_to_user_id": "7",
             "entities": {"hashtags": [{"start": 12, "end": 16, "tag": "りんご"}],
                          "mentions": [{"username": "someone", "id": "7"}]}}
    post = parse_tweet(tweet, "x", "req", 5000)
    assert post.text == "青森 & りんご > #りんご" and post.hashtags == ["りんご"] and post.author == "42"
    raw = json.loads(post.raw)
    assert "author_id" not in raw and "in_reply_to_user_id" not in raw and "mentions" not in raw["entities"]
    assert parse_tweet({"text": "x"}, "x", "req", 5000).reason == "missing_id"


def test_bluesky_post_view_without_identities():
    view = {"uri": "at://did:plc:abc/app.bsky.feed.post/3kx", "cid": "bafy1",
            "author": {"did": "did:plc:abc", "handle": "a.bsky.social"},
            "record": {"text": "佐賀のいちご", "createdAt": "2026-11-20T01:00:00Z", "langs": ["ja"], "tags": ["苺"],
                       "reply": {"parent": {"uri": "at://did:plc:zzz/app.bsky.feed.post/1"}},
                       "facets": [{"features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:q"}]}]},
            "indexedAt": "2026-11-20T01:00:01Z"}
    post = parse_post(view, "bsky", "req", 5000)
    assert (post.post_id, post.text, post.lang, post.hashtags, post.author) == ("bafy1", "佐賀のいちご", "ja", ["苺"],
                                                                               "did:plc:abc")
    assert "did:" not in post.raw and "bsky.social" not in post.raw and json.loads(post.raw)["record"]["is_reply"]


SNS_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sns"


def test_every_recorded_x_v2_tweet_parses_without_identities():
    doc = json.loads((SNS_FIXTURES / "x_v2_recent_search.json").read_text(encoding="utf-8"))
    posts = [parse_tweet(t, "x", "req", 5000) for t in doc["data"]]
    assert all(not hasattr(p, "reason") for p in posts) and len(posts) == doc["meta"]["result_count"] == 8
    assert posts[0].hashtags == ["青森", "りんご"] and posts[4].lang == "en"
    assert posts[3].text == "青森駅前のアップルパイ屋さん、行列だった >_<"
    assert json.loads(posts[2].raw)["retweet_of"] == doc["data"][2]["referenced_tweets"][0]["id"]
    assert all("author_id" not in p.raw and "in_reply_to_user_id" not in p.raw for p in posts)


def test_every_recorded_bluesky_post_view_parses_without_identities():
    doc = json.loads((SNS_FIXTURES / "bluesky_search_posts.json").read_text(encoding="utf-8"))
    posts = [parse_post(v, "bsky", "req", 5000) for v in doc["posts"]]
    assert all(not hasattr(p, "reason") for p in posts) and len(posts) == doc["hitsTotal"] == 6
    assert posts[0].hashtags == ["青森りんご"] and posts[3].hashtags == ["aomori"] and posts[3].lang == "en"
    assert all("did:plc" not in p.raw and "bsky.social" not in p.raw for p in posts)
    assert json.loads(posts[5].raw)["record"]["embed_type"] == "app.bsky.embed.images"
