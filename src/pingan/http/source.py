"""Pure core: which address a request came from, believing X-Forwarded-For only from proxies.

Login and sign-up throttles are keyed on this address, so a client must not be able to pick
it: the header is read only when the immediate peer is a configured proxy, and then from the
right (the hops our proxies appended) to the first address that is not one of ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Network = IPv4Network | IPv6Network


def _parse(value: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in net for net in proxies)


def source_address(peer: str, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client address: the peer itself unless it is a trusted proxy, else the right-most
    X-Forwarded-For entry that is not a trusted proxy (the peer if a hop is malformed)."""
    if not _trusted(_parse(peer), proxies):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    source = peer
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            return source  # garbage where a proxy should have written an address
        source = str(address)
        if not _trusted(address, proxies):
            return source
    return source
