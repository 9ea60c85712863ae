"""The retrying client on an in-memory transport: waits honour reset headers, budgets hold, no secrets leak."""

from __future__ import annotations

import httpx
import pytest

from miryoku.sources.http import (
    AuthError,
    BadPayload,
    HttpClient,
    HttpError,
    RetryPolicy,
    _reset_wait,
    retry_after_seconds,
)
from miryoku.sources.secrets import MissingSecret, redact, safe_url, secret

NOW = 1_800_000_000.0


def client(responses, sleeps, **policy):
    queue = list(responses)
    seen = []

    def handle(request):
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    http = HttpClient(policy=RetryPolicy(**{"attempts": 4, "base_delay": 1.0, **policy}), sleep=sleeps.append,
                      now=lambda: NOW, rng=lambda: 0.5, transport=httpx.MockTransport(handle))
    return http, seen


def test_reset_headers():
    assert _reset_wait(httpx.Headers({"Retry-After": "12"}), NOW) == 12
    assert _reset_wait(httpx.Headers({"x-rate-limit-reset": str(int(NOW) + 30)}), NOW) == 30
    assert _reset_wait(httpx.Headers({"X-RateLimit-Reset": "2027-01-15T08:00:30Z"}), NOW) == 30  # Mastodon: ISO
    assert _reset_wait(httpx.Headers({"RateLimit-Reset": "5"}), NOW) == 5
    assert _reset_wait(httpx.Headers({}), NOW) is None


def test_exponential_backoff_with_jitter_on_5xx_and_timeouts():
    sleeps = []
    http, seen = client([httpx.Response(500), httpx.ReadTimeout("slow"), httpx.Response(502),
                         httpx.Response(200, json={"ok": True})], sleeps)
    body, _ = http.get_json("https://api.example/x")
    assert body == {"ok": True} and len(seen) == 4
    assert sleeps == [0.5, 1.0, 2.0]  # rng 0.5 × base × 2^attempt


def test_429_waits_for_the_server_reset_not_the_backoff():
    sleeps = []
    http, _ = client([httpx.Response(429, headers={"x-rate-limit-reset": str(int(NOW) + 40)}),
                      httpx.Response(200, json=[])], sleeps)
    http.get_json("https://api.example/x")
    assert 40 <= sleeps[0] <= 44


def test_total_wait_is_bounded():
    sleeps = []
    http, seen = client([httpx.Response(429, headers={"Retry-After": "100"})] * 4, sleeps, max_wait_total=150)
    with pytest.raises(HttpError, match="retry budget"):
        http.get_json("https://api.example/x")
    assert sum(sleeps) <= 150 and len(seen) == 2


def test_attempts_are_bounded_and_the_last_attempt_does_not_wait():
    sleeps = []
    http, seen = client([httpx.Response(503)] * 4, sleeps)
    with pytest.raises(HttpError, match="after 4 attempts: HTTP 503"):
        http.get_json("https://api.example/x")
    assert len(seen) == 4 and len(sleeps) == 3


def test_non_json_and_truncated_json_are_retried_then_bad_payload():
    sleeps = []
    http, _ = client([httpx.Response(200, text='{"data": [1, 2')] * 4, sleeps)
    with pytest.raises(BadPayload):
        http.get_json("https://api.example/x")


def test_auth_errors_are_not_retried_and_carry_no_secret():
    sleeps = []
    http, seen = client([httpx.Response(401, text="invalid token tok-SECRET-123")], sleeps)
    http.secrets = ("tok-SECRET-123",)
    with pytest.raises(AuthError) as err:
        http.get_json("https://api.example/x", params={"appId": "tok-SECRET-123"},
                      headers={"Authorization": "Bearer tok-SECRET-123"})
    assert "tok-SECRET-123" not in str(err.value) and len(seen) == 1 and sleeps == []
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_other_client_errors_fail_at_once():
    sleeps = []
    http, _ = client([httpx.Response(404, text="nope")], sleeps)
    with pytest.raises(HttpError, match="HTTP 404"):
        http.get_json("https://api.example/x")


def test_safe_url_and_redact():
    url = "https://api.e-stat.go.jp/rest/3.0/app/json/getStatsData?appId=abc123&statsDataId=1&access_token=t"
    assert safe_url(url) == ("https://api.e-stat.go.jp/rest/3.0/app/json/getStatsData?appId=***&statsDataId=1"
                             "&access_token=***")
    assert safe_url("https://user:pw@host/x") == "https://***@host/x"
    text = "GET /x?token=abc&q=1 Authorization: Bearer abcdefghijkl and key my-secret-value"
    out = redact(text, ("my-secret-value",))
    assert "abc&" not in out and "abcdefghijkl" not in out and "my-secret-value" not in out and "q=1" in out


def test_secret_reads_env_at_call_time(monkeypatch):
    monkeypatch.setenv("TEST_SECRET_X", "v1")
    assert secret("TEST_SECRET_X") == "v1"
    monkeypatch.setenv("TEST_SECRET_X", "v2")
    assert secret("TEST_SECRET_X") == "v2"
    monkeypatch.delenv("TEST_SECRET_X")
    with pytest.raises(MissingSecret, match="environment variable TEST_SECRET_X") as err:
        secret("TEST_SECRET_X")
    assert "v2" not in str(err.value)


@pytest.mark.parametrize(("value", "seconds"), [
    ("12", 12.0), ("1.5", 1.5), (" 0 ", 0.0),
    ("Fri, 15 Jan 2027 08:00:30 GMT", 30.0),  # NOW + 30 s as an HTTP-date
    ("soon", None), ("-5", None), ("inf", None), ("nan", None), ("Fri, 99 Foo", None), ("", None),
])
def test_retry_after_values(value, seconds):
    assert retry_after_seconds(value, NOW) == seconds


def test_rate_limit_reset_epochs_in_seconds_and_milliseconds_and_garbage():
    assert _reset_wait(httpx.Headers({"X-RateLimit-Reset": str(int(NOW) + 7)}), NOW) == 7
    assert _reset_wait(httpx.Headers({"X-RateLimit-Reset": str(int(NOW * 1000) + 9000)}), NOW) == 9
    assert _reset_wait(httpx.Headers({"X-RateLimit-Reset": str(int(NOW) - 60)}), NOW) == 0  # already past
    assert _reset_wait(httpx.Headers({"X-RateLimit-Reset": "tomorrow"}), NOW) is None


def test_decimal_retry_after_is_honoured_not_an_exception():
    sleeps = []
    http, seen = client([httpx.Response(503, headers={"Retry-After": "1.5"}), httpx.Response(200, json={})], sleeps)
    http.get_json("https://api.example/x")
    assert len(seen) == 2 and 1.5 <= sleeps[0] <= 1.65


def test_garbage_retry_after_falls_back_to_the_default_backoff():
    sleeps = []
    http, _ = client([httpx.Response(429, headers={"Retry-After": "in a while"}), httpx.Response(200, json={})],
                     sleeps)
    http.get_json("https://api.example/x")
    assert sleeps == [0.5]  # rng 0.5 × base 1 × 2^0


def test_http_date_retry_after_waits_until_that_time():
    sleeps = []
    http, _ = client([httpx.Response(429, headers={"Retry-After": "Fri, 15 Jan 2027 08:00:30 GMT"}),
                      httpx.Response(200, json={})], sleeps)
    http.get_json("https://api.example/x")
    assert 30 <= sleeps[0] <= 33


def test_a_reset_beyond_the_budget_fails_without_waiting():
    sleeps = []
    http, seen = client([httpx.Response(429, headers={"x-rate-limit-reset": str(int(NOW) + 3600)})], sleeps,
                        max_wait_total=600)
    with pytest.raises(HttpError, match="600s retry budget"):
        http.get_json("https://api.example/x")
    assert sleeps == [] and len(seen) == 1
