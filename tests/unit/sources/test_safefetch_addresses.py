"""Only globally routable addresses are fetched; every malformed URL is a RefusedURL; pinning keeps the name."""

from __future__ import annotations

import pytest

from miryoku.sources.safefetch import (
    CheckedURL,
    FetchPolicy,
    RefusedURL,
    address_allowed,
    check_url,
    fetch_url,
)

POLICY = FetchPolicy(allowed_hosts={"data.city.example.jp", "h"})


@pytest.mark.parametrize("address", [
    "100.64.0.1", "100.100.100.200",  # shared address space (CGNAT), incl. a cloud metadata address
    "2002:7f00:1::1", "2002:a00:1::1",  # 6to4 wrapping 127.0.0.1 / 10.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "198.18.0.1", "192.0.2.1", "240.0.0.1", "255.255.255.255", "233.252.0.1", "ff0e::1",
    "127.0.0.1", "::1", "::ffff:10.0.0.1", "fc00::1", "fe80::1%eth0",
])
def test_non_global_addresses_are_refused(address):
    assert not address_allowed(address)
    with pytest.raises(RefusedURL, match="non-public"):
        check_url("https://data.city.example.jp/a.csv", POLICY, lambda h, p: [address])


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_global_addresses_pass(address):
    assert address_allowed(address)


def test_the_test_switch_allows_loopback_and_nothing_else():
    assert address_allowed("127.0.0.5", allow_loopback=True)
    assert address_allowed("::1", allow_loopback=True)
    for private in ("10.0.0.1", "192.168.1.1", "169.254.169.254", "100.100.100.200"):
        assert not address_allowed(private, allow_loopback=True)


@pytest.mark.parametrize("url", [
    "http://h:99999/", "http://h:-1/", "http://[::1/", "http://[zz::1]/", "http://h:port/", "", "not a url",
    "http:///nohost", "javascript:alert(1)", None, 42,
])
def test_malformed_urls_are_refused_not_raised(url):
    with pytest.raises(RefusedURL):
        check_url(url, POLICY, lambda h, p: ["8.8.8.8"])


def test_fetch_url_refuses_a_malformed_url_before_any_request():
    class NoNetwork:
        def build_request(self, *a, **k):
            raise AssertionError("no request may be built")
    with pytest.raises(RefusedURL):
        fetch_url("http://h:99999/x.csv", POLICY, client=NoNetwork(), resolve=lambda h, p: ["8.8.8.8"])


def test_resolver_failures_and_empty_answers_are_refusals():
    def broken(host, port):
        raise UnicodeError("label too long")
    with pytest.raises(RefusedURL):
        check_url("https://h/a", POLICY, broken)
    with pytest.raises(RefusedURL):
        check_url("https://h/a", POLICY, lambda h, p: [])


def test_pinned_request_keeps_the_name_for_host_header_and_tls():
    checked = CheckedURL("https://h:8443/a.csv?x=1", "h", 8443, ("8.8.8.8", "2606:4700:4700::1111"))
    assert checked.pinned(0) == ("https://8.8.8.8:8443/a.csv?x=1", {"Host": "h:8443"}, {"sni_hostname": "h"})
    assert checked.pinned(1)[0] == "https://[2606:4700:4700::1111]:8443/a.csv?x=1"  # a retry: next checked address
    plain = CheckedURL("http://h/a", "h", 80, ("8.8.8.8",))
    assert plain.pinned(0) == ("http://8.8.8.8/a", {"Host": "h"}, {})
