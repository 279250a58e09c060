"""The client address used for throttling: X-Forwarded-For only through trusted proxies; IPv6 by /64."""

from __future__ import annotations

import pytest

from callops.config import Settings
from callops.errors import InvalidInput
from callops.web.client_address import client_address, throttle_key, trusted_networks

PROXIES = trusted_networks(["10.0.0.0/24", "2001:db8:ffff::1"])


def test_the_header_is_ignored_without_trusted_proxies() -> None:
    """With no trusted proxies, or from a peer that is not one, the peer is the client whatever the header says."""
    assert client_address("198.51.100.4", ["203.0.113.7"], ()) == "198.51.100.4"
    assert client_address("198.51.100.4", ["203.0.113.7"], PROXIES) == "198.51.100.4"
    assert client_address(None, ["203.0.113.7"], PROXIES) == "unknown"


def test_through_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() -> None:
    """Entries a client forged on the left are passed over: the client is what the outermost proxy saw."""
    assert client_address("10.0.0.5", ["203.0.113.7"], PROXIES) == "203.0.113.7"
    assert client_address("10.0.0.5", ["1.2.3.4, 203.0.113.7, 10.0.0.9"], PROXIES) == "203.0.113.7"
    assert client_address("10.0.0.5", ["1.2.3.4", "203.0.113.7"], PROXIES) == "203.0.113.7"
    assert client_address("2001:db8:ffff::1", ["203.0.113.7"], PROXIES) == "203.0.113.7"
    assert client_address("10.0.0.5", ["10.0.0.8, 10.0.0.9"], PROXIES) == "10.0.0.8"
    assert client_address("10.0.0.5", [], PROXIES) == "10.0.0.5"


def test_throttle_keys_group_ipv6_by_64_and_unwrap_mapped_ipv4() -> None:
    """IPv4 stays as is, IPv6 counts by its /64, IPv4-mapped IPv6 counts as the IPv4; other text is cut to 80."""
    assert throttle_key("203.0.113.7") == "203.0.113.7"
    assert throttle_key("2001:db8:1:2:3:4:5:6") == throttle_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert throttle_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert throttle_key("x" * 100) == "x" * 80


def test_trusted_proxies_come_from_the_environment_and_are_checked() -> None:
    """CALLOPS_TRUSTED_PROXIES is a comma-separated list of addresses or networks; anything else is refused."""
    settings = Settings.from_env({"CALLOPS_TRUSTED_PROXIES": " 10.0.0.0/24, ::1 ,"})
    assert settings.trusted_proxies == ("10.0.0.0/24", "::1")
    assert Settings.from_env({}).trusted_proxies == ()
    with pytest.raises(InvalidInput, match="CALLOPS_TRUSTED_PROXIES"):
        Settings.from_env({"CALLOPS_TRUSTED_PROXIES": "proxy.example"})
