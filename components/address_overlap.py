"""Address-space overlap maths: which networks of two lists overlap, and which lists of many share a network.

Pure functions of :mod:`ipaddress` networks; IPv4 never overlaps IPv6.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def overlaps(a: Sequence[IpNetwork], b: Sequence[IpNetwork]) -> list[tuple[IpNetwork, IpNetwork]]:
    """Every pair ``(x of a, y of b)`` of the same IP version that overlaps, in the lists' order."""
    pairs: list[tuple[IpNetwork, IpNetwork]] = []
    for x in a:
        for y in b:
            if x.version == y.version and x.overlaps(y):
                pairs.append((x, y))
    return pairs


def overlapping_pairs(prefix_lists: Sequence[Sequence[IpNetwork] | None]) -> list[tuple[int, int]]:
    """The pairs ``(i, j)``, ``i < j``, of lists sharing an overlapping network (same IP version), sorted. A sweep
    over the networks sorted by first address: each one overlaps exactly those still open when it starts, so the
    cost is O(M log M) in the networks plus the overlaps found, not one comparison per pair of lists."""
    found: set[tuple[int, int]] = set()
    entries = sorted(
        (net.version, int(net.network_address), -int(net.broadcast_address), owner)
        for owner, nets in enumerate(prefix_lists)
        for net in nets or ()
    )
    open_nets: list[tuple[int, int, int]] = []  # (version, last address, owner)
    for version, first, negated_last, owner in entries:
        open_nets = [o for o in open_nets if o[0] == version and o[1] >= first]
        for _, _, other in open_nets:
            if other != owner:
                found.add((min(owner, other), max(owner, other)))
        open_nets.append((version, -negated_last, owner))
    return sorted(found)


def describe_overlap(pairs: Sequence[tuple[IpNetwork, IpNetwork]]) -> str:
    """The first three overlapping pairs in words, and how many more."""
    shown = "; ".join(f"{x} overlaps {y}" for x, y in pairs[:3])
    return shown + (f" (and {len(pairs) - 3} more)" if len(pairs) > 3 else "")
