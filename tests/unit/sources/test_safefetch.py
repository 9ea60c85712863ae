"""SSRF guards of the resource downloader, with a fake resolver (no network)."""

from __future__ import annotations

import pytest

from miryoku.sources.safefetch import FetchPolicy, RefusedURL, check_url, host_allowed


def resolver(addresses):
    return lambda host, port: addresses


POLICY = FetchPolicy(allowed_hosts={"data.city.example.jp", "*.bodik.jp"})


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254",
                                     "::1", "fe80::1", "fd00::1", "0.0.0.0", "224.0.0.1", "::ffff:127.0.0.1"])
def test_non_public_addresses_are_refused(address):
    with pytest.raises(RefusedURL, match="non-public"):
        check_url("https://data.city.example.jp/a.csv", POLICY, resolver([address]))


def test_any_private_address_among_several_is_refused():
    with pytest.raises(RefusedURL):
        check_url("https://data.city.example.jp/a.csv", POLICY, resolver(["203.0.113.9", "10.1.1.1"]))


def test_public_address_on_allowed_host_passes():
    check_url("https://data.city.example.jp/a.csv", POLICY, resolver(["8.8.8.8"]))
    check_url("https://www.data.bodik.jp/a.csv", POLICY, resolver(["8.8.4.4"]))


@pytest.mark.parametrize("url", ["ftp://data.city.example.jp/a.csv", "file:///etc/passwd",
                                 "https://evil.example/a.csv", "https://data.city.example.jp.evil.example/a",
                                 "https://user:pw@data.city.example.jp/a.csv", "https://bodik.jp.evil/a"])
def test_scheme_host_and_userinfo_rules(url):
    with pytest.raises(RefusedURL):
        check_url(url, POLICY, resolver(["8.8.8.8"]))


def test_test_only_flag_allows_loopback():
    policy = FetchPolicy(allowed_hosts={"127.0.0.1"}, allow_private_addresses=True)
    check_url("http://127.0.0.1:8080/a.csv", policy, resolver(["127.0.0.1"]))


def test_host_matching():
    assert host_allowed("DATA.CITY.EXAMPLE.JP.", {"data.city.example.jp"})
    assert not host_allowed("bodik.jp", {"*.bodik.jp"})
    assert FetchPolicy.from_options({"allowed_hosts": ["A.example"], "max_bytes": 10}).max_bytes == 10
