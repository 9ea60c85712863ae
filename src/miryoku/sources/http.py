"""The HTTP client every API connector uses: bounded retries that respect the server's rate limits.

Retried: timeouts and connection errors, 429, 5xx, and 200 responses whose body is not the JSON that
was asked for (a truncated body or a proxy's HTML page). The wait before a retry is the server's
``Retry-After`` or rate-limit reset (``x-rate-limit-reset`` epoch seconds, ``X-RateLimit-Reset``
epoch or ISO time) when it sends one, else exponential back-off with full jitter. The sum of waits
is capped (``max_wait_total``): a source that cannot be served in time fails its own task instead
of stalling the night. When a response says the quota is used up (``X-RateLimit-Remaining: 0``) the
next request waits for the reset first.

Errors never carry credentials: messages use ``safe_url`` and ``redact``, and are raised ``from None``
so the underlying exception (whose text may hold the full request) is not chained into logs.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from miryoku.sources.secrets import redact, safe_url

log = logging.getLogger(__name__)

RETRY_STATUS = {429, 500, 502, 503, 504, 520, 522, 524}


class HttpError(RuntimeError):
    """A request failed for good; the message is safe to log."""

    def __init__(self, message: str, status: int | None = None, body: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = body


class AuthError(HttpError):
    """Credentials were refused or have expired (401/403, ExpiredToken): retrying will not help."""


class BadPayload(HttpError):
    """The server kept answering with a body that is not the expected JSON."""


@dataclass
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_wait_total: float = 600.0  # seconds of waiting (back-off and rate limits) per client
    timeout: float = 30.0


def _reset_wait(headers: httpx.Headers, now: float) -> float | None:
    """Seconds until the server says we may retry, from Retry-After or a rate-limit reset header."""
    retry_after = headers.get("retry-after")
    if retry_after:
        if retry_after.strip().isdigit():
            return float(retry_after)
        parsed = email.utils.parsedate_to_datetime(retry_after) if retry_after else None
        if parsed is not None:
            return parsed.timestamp() - now
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = headers.get(name)
        if not value:
            continue
        value = value.strip()
        try:
            number = float(value)
        except ValueError:
            try:
                return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() - now
            except ValueError:
                continue
        return number - now if number > 1_000_000_000 else number  # epoch seconds, or a delta
    return None


class HttpClient:
    """A small retrying JSON client; ``sleep``/``clock``/``rng`` are injectable so tests never wait."""

    def __init__(self, *, policy: RetryPolicy | None = None, headers: dict | None = None,
                 secrets: tuple[str, ...] = (), sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.time, rng: Callable[[], float] = random.random,
                 transport: httpx.BaseTransport | None = None):
        self.policy = policy or RetryPolicy()
        self.secrets = tuple(s for s in secrets if s)
        self.sleep, self.now, self.rng = sleep, now, rng
        self.waited = 0.0
        self.requests = 0
        self._not_before: float | None = None
        self._client = httpx.Client(timeout=self.policy.timeout, headers=headers or {},
                                    transport=transport, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _wait(self, seconds: float, why: str, url: str) -> None:
        seconds = max(0.0, seconds)
        if self.waited + seconds > self.policy.max_wait_total:
            raise HttpError(f"{why} for {safe_url(url)}: waiting {seconds:.0f}s more would exceed the "
                            f"{self.policy.max_wait_total:.0f}s retry budget")
        log.info("waiting %.1fs before retrying %s (%s)", seconds, safe_url(url), why)
        self.waited += seconds
        self.sleep(seconds)

    def _backoff(self, attempt: int) -> float:
        return self.rng() * min(self.policy.max_delay, self.policy.base_delay * 2 ** attempt)

    def request_json(self, method: str, url: str, *, params: dict | None = None, headers: dict | None = None,
                     json_body: dict | None = None, ok_status: tuple[int, ...] = (200,)) -> tuple[object, httpx.Response]:
        """Send and decode JSON, retrying what is worth retrying; raises ``HttpError`` subclasses."""
        full = str(httpx.URL(url, params=params)) if params else url
        last, wait = "no attempt", 0.0
        for attempt in range(self.policy.attempts):
            if attempt:
                self._wait(wait, last, full)
            if self._not_before is not None:
                pause, self._not_before = self._not_before - self.now(), None
                if pause > 0:
                    self._wait(pause, "rate limit quota used up", full)
            self.requests += 1
            try:
                resp = self._client.request(method, url, params=params, headers=headers, json=json_body)
                body = resp.content
            except httpx.TransportError as exc:  # timeouts, refused, reset, truncated bodies
                last, wait = f"{type(exc).__name__}: {redact(str(exc), self.secrets)}", self._backoff(attempt)
                continue
            self._note_quota(resp)
            if resp.status_code in RETRY_STATUS:
                reset = _reset_wait(resp.headers, self.now())
                last = f"HTTP {resp.status_code}"
                wait = reset + self.rng() * 0.1 * max(reset, 0.1) if reset is not None else self._backoff(attempt)
                continue
            snippet = redact(body[:300].decode("utf-8", "replace"), self.secrets)
            if resp.status_code in (401, 403):
                raise AuthError(f"HTTP {resp.status_code} from {safe_url(full)}: credentials refused or expired "
                                f"({snippet})", resp.status_code, snippet) from None
            if resp.status_code not in ok_status:
                raise HttpError(f"HTTP {resp.status_code} from {safe_url(full)}: {snippet}",
                                resp.status_code, snippet) from None
            try:
                return json.loads(body), resp
            except (json.JSONDecodeError, UnicodeDecodeError):
                last = f"body is not JSON ({len(body)} bytes: {snippet[:80]!r})"
                wait = self._backoff(attempt)
        cls = BadPayload if last.startswith("body is not JSON") else HttpError
        raise cls(f"giving up on {safe_url(full)} after {self.policy.attempts} attempts: {last}") from None

    def get_json(self, url: str, params: dict | None = None, headers: dict | None = None) -> tuple[object, httpx.Response]:
        return self.request_json("GET", url, params=params, headers=headers)

    def _note_quota(self, resp: httpx.Response) -> None:
        remaining = resp.headers.get("x-ratelimit-remaining") or resp.headers.get("x-rate-limit-remaining")
        if remaining is not None and remaining.strip() == "0" and resp.status_code < 400:
            wait = _reset_wait(httpx.Headers({k: v for k, v in resp.headers.items() if k.lower() != "retry-after"}),
                               self.now())
            if wait is not None and wait > 0:
                self._not_before = self.now() + wait


def policy_from_options(options: dict) -> RetryPolicy:
    """Retry settings from a source's configuration (``retry_attempts``, ``retry_base_delay``,
    ``retry_max_delay``, ``retry_max_wait_total``, ``timeout``), defaults otherwise."""
    default = RetryPolicy()
    return RetryPolicy(
        attempts=int(options.get("retry_attempts", default.attempts)),
        base_delay=float(options.get("retry_base_delay", default.base_delay)),
        max_delay=float(options.get("retry_max_delay", default.max_delay)),
        max_wait_total=float(options.get("retry_max_wait_total", default.max_wait_total)),
        timeout=float(options.get("timeout", default.timeout)),
    )
