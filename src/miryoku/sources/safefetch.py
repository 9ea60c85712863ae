"""Downloading files whose URLs come from someone else (catalog resources), without SSRF.

A CKAN catalog is written by third parties: a resource URL could point at the metadata service of a
cloud VM, a database on the private network or a 10 GB file. Before every request (and again after
every redirect, followed by hand) the URL must be http(s), its host must be on the configured allow
list, and *every* address the host resolves to must be globally routable (``ipaddress.is_global``,
not multicast, not a 6to4/Teredo/NAT64 tunnel address that could wrap a private one). The request
then connects to the address that was checked — the URL's host is replaced by that address, the
``Host`` header and the TLS server name (SNI and certificate check) keep the real name — so a DNS
answer that changes between check and connect (DNS rebinding) cannot reach anything else; every
retry reuses the checked addresses and every redirect is checked and pinned afresh. Loopback is
allowed only with the test-only ``allow_private_addresses`` (loopback and nothing else). Any URL
that cannot be parsed is a ``RefusedURL`` for that resource alone. Downloads stop at ``max_bytes``
and each request has a timeout. Names from the source are never turned into paths here or by
callers: files are kept by checksum.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from miryoku.sources.http import HttpError
from miryoku.sources.secrets import safe_url

REDIRECTS = {301, 302, 303, 307, 308}


class RefusedURL(ValueError):
    """The URL may not be fetched (scheme, host not allowed, non-public address, too large)."""


@dataclass
class FetchPolicy:
    allowed_hosts: set[str] = field(default_factory=set)
    allow_private_addresses: bool = False  # test-only: allows loopback (127.0.0.0/8, ::1), nothing else
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


# Tunnel prefixes whose addresses embed another (possibly private) IPv4 address.
_TUNNELS = [ipaddress.ip_network(n) for n in ("2002::/16", "2001::/32", "64:ff9b::/96", "64:ff9b:1::/48")]


def address_allowed(address: str, allow_loopback: bool = False) -> bool:
    """Whether a connection to ``address`` may be made: a global unicast address, or loopback if opted in."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    if ip.is_multicast or not ip.is_global:
        return False
    return not (isinstance(ip, ipaddress.IPv6Address) and any(ip in net for net in _TUNNELS))


@dataclass(frozen=True)
class CheckedURL:
    """A URL that passed ``check_url`` and the addresses it may be fetched from (in this order)."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]

    def pinned(self, attempt: int = 0) -> tuple[str, dict, dict]:
        """(URL with the host replaced by a checked address, headers, httpx extensions)."""
        parts = urlsplit(self.url)
        address = self.addresses[attempt % len(self.addresses)]
        literal = f"[{address}]" if ":" in address else address
        default = 443 if parts.scheme == "https" else 80
        netloc = literal if parts.port in (None, default) else f"{literal}:{parts.port}"
        host_header = self.host if parts.port in (None, default) else f"{self.host}:{parts.port}"
        extensions = {"sni_hostname": self.host} if parts.scheme == "https" else {}
        return (urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
                {"Host": host_header}, extensions)


def check_url(url: str, policy: FetchPolicy,
              resolve: Callable[[str, int], list[str]] | None = None) -> CheckedURL:
    """The checked URL with its allowed addresses; ``RefusedURL`` unless ``url`` may be fetched."""
    url = "" if url is None else str(url)
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme, parts.hostname or "", parts.port
        credentials = parts.username or parts.password
    except ValueError as exc:  # bad IPv6 literal, port out of range, …
        raise RefusedURL(f"malformed URL {safe_url(url)!r}: {exc}") from None
    if scheme not in ("http", "https"):
        raise RefusedURL(f"scheme {scheme!r} is not http(s): {safe_url(url)}")
    if not host or credentials:
        raise RefusedURL(f"no host, or credentials in the URL: {safe_url(url)}")
    if not host_allowed(host, policy.allowed_hosts):
        raise RefusedURL(f"host {host!r} is not in allowed_hosts")
    port = port or (443 if scheme == "https" else 80)
    try:
        addresses = (resolve or _resolve)(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise RefusedURL(f"cannot resolve {host!r}: {exc}") from None
    if not addresses:
        raise RefusedURL(f"{host!r} resolves to no address")
    for address in addresses:
        try:
            allowed = address_allowed(address, policy.allow_private_addresses)
        except ValueError:
            allowed = False
        if not allowed:
            raise RefusedURL(f"host {host!r} resolves to non-public address {address}")
    return CheckedURL(url=url, host=host, port=port, addresses=tuple(addresses))


def _resolve(host: str, port: int) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


def fetch_url(url: str, policy: FetchPolicy, *, client: httpx.Client | None = None,
              sleep: Callable[[float], None] = time.sleep,
              resolve: Callable[[str, int], list[str]] | None = None) -> tuple[bytes, str]:
    """The body of ``url`` and the final URL after redirects; ``RefusedURL`` or ``HttpError`` on failure."""
    own = client is None
    client = client or httpx.Client(timeout=policy.timeout, follow_redirects=False, trust_env=False)
    try:
        current = str(url)
        for _ in range(policy.max_redirects + 1):
            checked = check_url(current, policy, resolve)
            status, location, body = _get(client, checked, policy, sleep)
            if status in REDIRECTS and location:
                try:
                    current = urljoin(current, location)
                except ValueError as exc:
                    raise RefusedURL(f"malformed redirect from {safe_url(current)}: {exc}") from None
                continue
            if status != 200:
                raise HttpError(f"HTTP {status} downloading {safe_url(current)}", status)
            return body, current
        raise RefusedURL(f"more than {policy.max_redirects} redirects from {safe_url(url)}")
    finally:
        if own:
            client.close()


def _get(client: httpx.Client, checked: CheckedURL, policy: FetchPolicy, sleep) -> tuple[int, str | None, bytes]:
    last, url = "", checked.url
    for attempt in range(policy.attempts):
        if attempt:
            sleep(policy.base_delay * 2 ** (attempt - 1))
        target, headers, extensions = checked.pinned(attempt)
        try:
            request = client.build_request("GET", target, headers=headers, extensions=extensions)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            raise RefusedURL(f"malformed URL {safe_url(url)!r}: {exc}") from None
        try:
            resp = client.send(request, stream=True)
        except httpx.UnsupportedProtocol as exc:
            raise RefusedURL(f"malformed URL {safe_url(url)!r}: {exc}") from None
        except httpx.TransportError as exc:
            last = type(exc).__name__
            continue
        try:
            with closing(resp):
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
