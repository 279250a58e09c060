"""The client address of a request, for per-address login throttling.

The peer of the connection is the client, unless it is one of ``Settings.trusted_proxies``
(``CALLOPS_TRUSTED_PROXIES``). Then ``X-Forwarded-For`` is read from the right, skipping trusted proxies,
and the first other entry is the client: the address the outermost trusted proxy saw. Without trusted
proxies the header is ignored, since any client can send it.

    client_address("10.0.0.5", ["203.0.113.7, 10.0.0.9"], trusted_networks(["10.0.0.0/24"]))  # '203.0.113.7'
    throttle_key("2001:db8:1:2:3:4:5:6")  # '2001:db8:1:2::/64': one IPv6 client may own a whole /64
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from callops.store.login_failures import MAX_KEY_LENGTH

__all__ = ["IPNetwork", "client_address", "throttle_key", "trusted_networks"]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_IPV6_PREFIX = 64


def trusted_networks(proxies: Iterable[str]) -> tuple[IPNetwork, ...]:
    """The networks of ``Settings.trusted_proxies`` (validated by ``Settings.validate``)."""
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(text: str, trusted: Sequence[IPNetwork]) -> bool:
    address = _ip(text)
    return address is not None and any(address in network for network in trusted)


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[IPNetwork]) -> str:
    """The client's address: ``peer`` itself, or (when ``peer`` is a trusted proxy) from ``X-Forwarded-For``.

    ``forwarded_for`` holds the values of every ``X-Forwarded-For`` header, in order.
    """
    if peer is None:
        return "unknown"
    if not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def throttle_key(address: str) -> str:
    """The key failures of ``address`` are counted under: IPv4 as is, IPv6 by its /64 network."""
    ip = _ip(address)
    if ip is None:
        return address[:MAX_KEY_LENGTH]
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, _IPV6_PREFIX), strict=False))
    return str(ip)
