"""The HTTP client every API connector uses: bounded retries that respect the server's rate limits.

The retry loop is tenacity's. Retried: timeouts and connection errors, 429, 5xx, and 200 responses whose body is not the JSON that
was asked for (a truncated body or a proxy's HTML page). The wait before a retry is the server's
``Retry-After`` (delta seconds, decimals too, or an HTTP-date; anything else is ignored) or
rate-limit reset (``x-rate-limit-reset`` epoch seconds, ``X-RateLimit-Reset`` epoch or ISO time)
when it sends one, else exponential back-off with full jitter. The sum of waits
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
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from tenacity import RetryCallState, RetryError, Retrying, retry_if_exception_type

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


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` value asks for: delta seconds (``120``, also ``1.5``), an HTTP-date, or
    None for anything else (garbage, negative, infinite) so the caller falls back to its back-off."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _reset_wait(headers: httpx.Headers, now: float) -> float | None:
    """Seconds until the server says we may retry, from Retry-After or a rate-limit reset header.

    ``x-rate-limit-reset`` (X) and ``X-RateLimit-Reset`` are epoch seconds (milliseconds are
    recognised by their size), an ISO time (Mastodon) or, for small numbers, a delta (``RateLimit-Reset``).
    An unreadable value is ignored, never an exception."""
    wait = retry_after_seconds(headers.get("retry-after"), now)
    if wait is not None:
        return wait
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = (headers.get(name) or "").strip()
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            try:
                return max(0.0, dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() - now)
            except ValueError:
                continue
        if not math.isfinite(number) or number < 0:
            continue
        if number > 1e12:  # epoch milliseconds
            number /= 1000
        return max(0.0, number - now) if number > 1_000_000_000 else number
    return None


class _Retry(Exception):
    """One failed attempt worth retrying: why, and the server's wait hint if it gave one."""

    def __init__(self, why: str, hint: float | None = None, bad_payload: bool = False):
        super().__init__(why)
        self.why, self.hint, self.bad_payload = why, hint, bad_payload


class _OverBudget(Exception):
    pass


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

    def _next_wait(self, state: RetryCallState) -> float:
        """The server's hint (plus up to 10 % jitter) when it sent one, else full-jitter back-off."""
        failure = state.outcome.exception()
        hint = failure.hint if isinstance(failure, _Retry) else None
        if hint is not None:
            return hint + self.rng() * 0.1 * max(hint, 0.1)
        return self._backoff(state.attempt_number - 1)

    def _stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.policy.attempts:
            return True
        if self.waited + (state.upcoming_sleep or 0.0) > self.policy.max_wait_total:
            raise _OverBudget(state.upcoming_sleep)
        return False

    def _sleep(self, seconds: float) -> None:
        self.waited += seconds
        self.sleep(seconds)

    def request_json(self, method: str, url: str, *, params: dict | None = None, headers: dict | None = None,
                     json_body: dict | None = None, ok_status: tuple[int, ...] = (200,)) -> tuple[object, httpx.Response]:
        """Send and decode JSON, retrying what is worth retrying; raises ``HttpError`` subclasses.

        The loop is tenacity's: ``attempts`` tries, waits from ``_next_wait``, and a stop that refuses
        to start a wait that would take the total past ``max_wait_total``."""
        full = str(httpx.URL(url, params=params)) if params else url

        def attempt() -> tuple[object, httpx.Response]:
            if self._not_before is not None:
                pause, self._not_before = self._not_before - self.now(), None
                if pause > 0:
                    self._wait(pause, "rate limit quota used up", full)
            return self._attempt(method, url, full, params, headers, json_body, ok_status)

        retrying = Retrying(stop=self._stop, wait=self._next_wait, sleep=self._sleep,
                            retry=retry_if_exception_type(_Retry), reraise=False,
                            before_sleep=lambda st: log.info("retrying %s in %.1fs (%s)", safe_url(full),
                                                             st.upcoming_sleep, st.outcome.exception()))
        try:
            return retrying(attempt)
        except _OverBudget as over:
            last = retrying.statistics.get("attempt_number", 1)
            raise HttpError(f"giving up on {safe_url(full)} after {last} attempts: waiting {float(over.args[0]):.0f}s "
                            f"more would exceed the {self.policy.max_wait_total:.0f}s retry budget") from None
        except RetryError as exc:
            failure = exc.last_attempt.exception()
            cls = BadPayload if getattr(failure, "bad_payload", False) else HttpError
            raise cls(f"giving up on {safe_url(full)} after {self.policy.attempts} attempts: "
                      f"{getattr(failure, 'why', failure)}") from None

    def _attempt(self, method, url, full, params, headers, json_body, ok_status) -> tuple[object, httpx.Response]:
        self.requests += 1
        try:
            resp = self._client.request(method, url, params=params, headers=headers, json=json_body)
            body = resp.content
        except httpx.TransportError as exc:  # timeouts, refused, reset, truncated bodies
            raise _Retry(f"{type(exc).__name__}: {redact(str(exc), self.secrets)}") from None
        self._note_quota(resp)
        if resp.status_code in RETRY_STATUS:
            raise _Retry(f"HTTP {resp.status_code}", _reset_wait(resp.headers, self.now()))
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
            raise _Retry(f"body is not JSON ({len(body)} bytes: {snippet[:80]!r})", bad_payload=True) from None

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
