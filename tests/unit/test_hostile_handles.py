"""Handle scrubbing: account fields removed at any depth, handles in text and links masked."""

from __future__ import annotations

import pytest

from miryoku.lake.quarantine import Rejected
from miryoku.sources.handles import author_of, drop_handle_fields, scrub_handles


@pytest.mark.parametrize(("text", "masked"), [
    ("RT @alice_1: 青森", "RT @masked: 青森"),
    ("こんにちは@bob さん", "こんにちは@masked さん"),
    ("@carol@mstdn.jp hi", "@masked hi"),
    ("＠jack です", "@masked です"),
    ("https://x.com/dave/status/12", "https://x.com/i/web/status/12"),
    ("https://twitter.com/eve", "https://twitter.com/masked"),
    ("https://mstdn.jp/@gina/123", "https://mstdn.jp/@masked/123"),
    ("https://m.jp/users/hank/statuses/1", "https://m.jp/users/masked/statuses/1"),
    ("https://bsky.app/profile/ivy.bsky.social/post/3", "https://bsky.app/profile/masked/post/3"),
    ("at://did:plc:abc123/app.bsky.feed.post/1", "at://did:masked/app.bsky.feed.post/1"),
])
def test_handles_in_text_are_masked(text, masked):
    assert scrub_handles(text) == masked


@pytest.mark.parametrize("text", ["mail foo@example.com", "https://fox.com/frank", "https://x.com/i/web/status/5",
                                  "青森のりんご", ""])
def test_other_text_is_untouched(text):
    assert scrub_handles(text) == text


def test_account_fields_go_at_any_depth_and_the_rest_stays():
    obj = {"id": "1", "text": "t", "Screen-Name": "a", "user": {"screen_name": "b"},
           "retweeted_status": {"id": "2", "user": {"id_str": "3"}, "entities": {"user_mentions": [{"x": 1}],
                                                                              "hashtags": ["青森"]}},
           "place": {"name": "青森市"}, "account": {"acct": "c"}, "author": {"did": "d", "handle": "e"}}
    assert drop_handle_fields(obj) == {"id": "1", "text": "t", "place": {"name": "青森市"},
                                       "retweeted_status": {"id": "2", "entities": {"hashtags": ["青森"]}}}
    with pytest.raises(ValueError):
        deep = {}
        for _ in range(100):
            deep = {"x": deep}
        drop_handle_fields(deep)


def test_author_id_is_found_where_exports_keep_it():
    assert author_of({"author": "a"}) == "a"
    assert author_of({"user": {"id_str": "42", "screen_name": "s"}}) == "42"
    assert author_of({"account": {"acct": "c@mstdn.jp"}}) == "c@mstdn.jp"
    assert author_of({"author": True, "user": [1]}) is None


def test_quarantine_entries_of_unparsable_lines_keep_no_handle():
    broken = Rejected.of("malformed_json", "x", "s", "f:1", b'{"author": "alice", "screen_name": "bob", "text": "@carol')
    assert "alice" not in broken.raw and "bob" not in broken.raw and "carol" not in broken.raw
    parsed = Rejected.of("bad_id", "x", "s", "f:1", b'{"id": {}, "user": {"screen_name": "dave"}, "text": "t"}')
    assert "dave" not in parsed.raw and '"text":"t"' in parsed.raw
