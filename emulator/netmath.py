"""Address-prefix arithmetic on top of :mod:`ipaddress` (IPv4 and IPv6 alike)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class PrefixError(ValueError):
    """A prefix that is not CIDR (``expected`` is None) or has host bits set (``expected`` is the fixed form)."""

    def __init__(self, prefix: str, expected: str | None) -> None:
        super().__init__(prefix)
        self.prefix = prefix
        self.expected = expected


@lru_cache(maxsize=65536)
def parse(prefix: str) -> Network:
    """Parse a CIDR prefix strictly; raises PrefixError."""
    if not isinstance(prefix, str) or "/" not in prefix:
        raise PrefixError(str(prefix), None)
    try:
        return ipaddress.ip_network(prefix, strict=True)
    except ValueError:
        try:
            fixed = ipaddress.ip_network(prefix, strict=False)
        except ValueError:
            raise PrefixError(prefix, None) from None
        raise PrefixError(prefix, str(fixed)) from None


def is_ipv6(prefix: str) -> bool:
    return parse(prefix).version == 6


@lru_cache(maxsize=65536)
def span(prefix: str) -> tuple[int, int, int]:
    """(IP version, first address, last address) of a prefix, as integers; raises PrefixError as :func:`parse`."""
    net = parse(prefix)
    return net.version, int(net.network_address), int(net.broadcast_address)


def overlapping(left: Iterable[str], right: Iterable[str]) -> list[str]:
    """Prefixes of either side that overlap a prefix of the other (left's first), without duplicates.

    Compared as integer ranges (what ``ipaddress``'s ``overlaps`` decides, without its objects): a peering write
    compares the new pair's spaces with those of every vnet already peered to either side, hundreds for a hub.
    """
    right_spans = [(p, span(p)) for p in right]
    found: list[str] = []
    for lp in left:
        lv, lfirst, llast = span(lp)
        for rp, (rv, rfirst, rlast) in right_spans:
            if lv == rv and lfirst <= rlast and rfirst <= llast:
                for p in (lp, rp):
                    if p not in found:
                        found.append(p)
    return found


def within(prefix: str, space: Sequence[str]) -> bool:
    """Whether ``prefix`` lies inside one of the prefixes of ``space``."""
    net = parse(prefix)
    for p in space:
        outer = parse(p)
        if outer.version == net.version and net.subnet_of(outer):  # type: ignore[arg-type]
            return True
    return False


def ipv4_then_ipv6(prefixes: Iterable[str]) -> list[str]:
    """Order the way the service lists peered prefixes: IPv4 first, then IPv6, each in the given order, no dups."""
    seen: list[str] = []
    for p in prefixes:
        if p not in seen:
            seen.append(p)
    return [p for p in seen if not is_ipv6(p)] + [p for p in seen if is_ipv6(p)]
