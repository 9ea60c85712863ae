"""Downloading files whose URLs come from someone else (catalog resources), without SSRF.

A CKAN catalog is written by third parties: a resource URL could point at the metadata service of a
cloud VM, a database on the private network or a 10 GB file. Before every request (and again after
every redirect, followed by hand) the URL must be http(s), its host must be on the configured allow
list, and *every* address the host resolves to must be public — loopback, private, link-local,
multicast, reserved and unspecified addresses are refused unless the source sets the test-only
``allow_private_addresses``. Downloads stop at ``max_bytes`` and each request has a timeout.
Names from the source are never turned into paths here or by callers: files are kept by checksum.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from miryoku.sources.http import HttpError
from miryoku.sources.secrets import safe_url

REDIRECTS = {301, 302, 303, 307, 308}


class RefusedURL(ValueError):
    """The URL may not be fetched (scheme, host not allowed, non-public address, too large)."""


@dataclass
class FetchPolicy:
    allowed_hosts: set[str] = field(default_factory=set)
    allow_private_addresses: bool = False  # tests against 127.0.0.1 only
    max_bytes: int = 50 * 1024 * 1024
    timeout: float = 60.0
    max_redirects: int = 3
    attempts: int = 3
    base_delay: float = 1.0

    @classmethod
    def from_options(cls, options: dict, extra_hosts: list[str] = ()) -> FetchPolicy:
        hosts = {h.lower() for h in options.get("allowed_hosts", [])} | {h.lower() for h in extra_hosts}
        return cls(allowed_hosts=hosts,
                   allow_private_addresses=bool(options.get("allow_private_addresses", False)),
                   max_bytes=int(options.get("max_bytes", cls.max_bytes)),
                   timeout=float(options.get("download_timeout", cls.timeout)),
                   attempts=int(options.get("retry_attempts", cls.attempts)),
                   base_delay=float(options.get("retry_base_delay", cls.base_delay)))


def host_allowed(host: str, allowed: set[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == a or (a.startswith("*.") and host.endswith(a[1:])) for a in allowed)


def check_url(url: str, policy: FetchPolicy,
              resolve: Callable[[str, int], list[str]] | None = None) -> None:
    """Raise ``RefusedURL`` unless ``url`` may be fetched under ``policy``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedURL(f"scheme {parts.scheme!r} is not http(s): {safe_url(url)}")
    host = parts.hostname or ""
    if not host or parts.username or parts.password:
        raise RefusedURL(f"no host, or credentials in the URL: {safe_url(url)}")
    if not host_allowed(host, policy.allowed_hosts):
        raise RefusedURL(f"host {host!r} is not in allowed_hosts")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = (resolve or _resolve)(host, port)
    except OSError as exc:
        raise RefusedURL(f"cannot resolve {host!r}: {exc}") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        public = not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                      or ip.is_reserved or ip.is_unspecified)
        if not public and not policy.allow_private_addresses:
            raise RefusedURL(f"host {host!r} resolves to non-public address {ip}")


def _resolve(host: str, port: int) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


def fetch_url(url: str, policy: FetchPolicy, *, client: httpx.Client | None = None,
              sleep: Callable[[float], None] = time.sleep) -> tuple[bytes, str]:
    """The body of ``url`` and the final URL after redirects; ``RefusedURL`` or ``HttpError`` on failure."""
    own = client is None
    client = client or httpx.Client(timeout=policy.timeout, follow_redirects=False)
    try:
        current = url
        for _ in range(policy.max_redirects + 1):
            check_url(current, policy)
            status, location, body = _get(client, current, policy, sleep)
            if status in REDIRECTS and location:
                current = urljoin(current, location)
                continue
            if status != 200:
                raise HttpError(f"HTTP {status} downloading {safe_url(current)}", status)
            return body, current
        raise RefusedURL(f"more than {policy.max_redirects} redirects from {safe_url(url)}")
    finally:
        if own:
            client.close()


def _get(client: httpx.Client, url: str, policy: FetchPolicy, sleep) -> tuple[int, str | None, bytes]:
    last = ""
    for attempt in range(policy.attempts):
        if attempt:
            sleep(policy.base_delay * 2 ** (attempt - 1))
        try:
            with client.stream("GET", url) as resp:
                if resp.status_code in (429, 500, 502, 503, 504):
                    last = f"HTTP {resp.status_code}"
                    continue
                if resp.status_code in REDIRECTS:
                    return resp.status_code, resp.headers.get("location"), b""
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                    raise RefusedURL(f"{safe_url(url)} is {declared} bytes > max_bytes {policy.max_bytes}")
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > policy.max_bytes:
                        raise RefusedURL(f"{safe_url(url)} exceeds max_bytes {policy.max_bytes}")
                    chunks.append(chunk)
                return resp.status_code, None, b"".join(chunks)
        except httpx.TransportError as exc:
            last = type(exc).__name__
    raise HttpError(f"giving up downloading {safe_url(url)} after {policy.attempts} attempts: {last}")
