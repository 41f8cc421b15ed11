"""An index of CIDR prefixes (IPv4 and IPv6) under labels, answering which labels have a prefix overlapping a given
one without scanning them all.

Two CIDR prefixes are either disjoint or nested, so a query prefix Q overlaps a stored prefix P exactly when
- P contains Q (P is Q or one of its ancestors): P's network is Q's first address masked to P's length, found by one
  exact lookup per prefix length stored; or
- Q contains P: P's first address lies within Q's range, found by bisecting the stored prefixes sorted by first
  address.
A query costs O(lengths stored + log(prefixes stored) + answers) instead of O(prefixes stored); adding or removing
a prefix costs a dictionary update and one insertion in (or deletion from) a sorted list.

The peering rules use it to find the vnets already peered to a vnet whose address space overlaps a new link's
(:class:`pulumi_azure_peering.emulator.services.peered_spaces.PeeredSpaces`): a hub has hundreds of them.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable

from . import netmath

#: A stored prefix in a version's sorted list: (first address, prefix length, prefix as given, label). Sorting by
#: first address puts every prefix a query contains in one contiguous run.
_Entry = tuple[int, int, str, str]


class SpanIndex:
    """CIDR prefixes stored under labels (strings); a label holds a set of prefixes, replaced as a whole.

    Contracts:
    - :meth:`overlapping` answers what a scan of every stored prefix with :func:`netmath.overlapping` would;
    - prefixes are compared as the ranges they cover, per IP version (an IPv4 prefix never overlaps an IPv6 one);
    - prefixes must be strict CIDR (:func:`netmath.parse`); :meth:`put` raises :class:`netmath.PrefixError`
      otherwise and leaves the index as it was.
    """

    def __init__(self) -> None:
        self._prefixes: dict[str, tuple[str, ...]] = {}  # label -> its prefixes, without duplicates
        # (version, length) -> network's first address -> labels holding that prefix: the ancestors' lookups
        self._by_network: dict[tuple[int, int], dict[int, dict[str, None]]] = {}
        self._sorted: dict[int, list[_Entry]] = {4: [], 6: []}  # version -> entries sorted by first address

    def __len__(self) -> int:
        """How many labels hold at least one prefix."""
        return len(self._prefixes)

    def __contains__(self, label: object) -> bool:
        return label in self._prefixes

    def labels(self) -> list[str]:
        """The labels holding at least one prefix, in the order they were first put (since last removed)."""
        return list(self._prefixes)

    def prefixes(self, label: str) -> tuple[str, ...]:
        """The prefixes ``label`` holds (as given to :meth:`put`, without duplicates); empty when it holds none."""
        return self._prefixes.get(label, ())

    def put(self, label: str, prefixes: Iterable[str]) -> None:
        """Make ``label`` hold exactly ``prefixes`` (none: the label is removed)."""
        wanted = tuple(dict.fromkeys(prefixes))
        spans = [(p, netmath.span(p), netmath.parse(p).prefixlen) for p in wanted]  # validates before changing
        if self._prefixes.get(label) == wanted:
            return
        self.remove(label)
        if not wanted:
            return
        self._prefixes[label] = wanted
        for prefix, (version, first, _), length in spans:
            self._by_network.setdefault((version, length), {}).setdefault(first, {})[label] = None
            bisect.insort(self._sorted[version], (first, length, prefix, label))

    def remove(self, label: str) -> None:
        """Forget ``label`` and its prefixes (nothing happens for a label that holds none)."""
        held = self._prefixes.pop(label, None)
        if held is None:
            return
        # one range spelt several ways ("2001:db8::/32", "2001:0db8::/32") is one network entry but several sorted ones
        networks_held: set[tuple[int, int, int]] = set()
        for prefix in held:
            version, first, _ = netmath.span(prefix)
            length = netmath.parse(prefix).prefixlen
            networks_held.add((version, length, first))
            entries = self._sorted[version]
            del entries[bisect.bisect_left(entries, (first, length, prefix, label))]
        for version, length, first in networks_held:
            networks = self._by_network[(version, length)]
            labels = networks[first]
            del labels[label]
            if not labels:
                del networks[first]
                if not networks:
                    del self._by_network[(version, length)]

    def overlapping(self, prefix: str, exclude: Collection[str] = ()) -> dict[str, list[str]]:
        """The labels (but those in ``exclude``) holding a prefix that overlaps ``prefix``, each with those of its
        prefixes that do, in the order :meth:`prefixes` lists them; the labels in no particular order."""
        version, first, last = netmath.span(prefix)
        length = netmath.parse(prefix).prefixlen
        bits = 32 if version == 4 else 128
        hits: dict[str, set[str]] = {}
        # stored prefixes containing the query (itself or an ancestor): one lookup per stored length up to its own
        for (stored_version, stored_length), networks in self._by_network.items():
            if stored_version != version or stored_length > length:
                continue
            network = first >> (bits - stored_length) << (bits - stored_length) if stored_length else 0
            for label in networks.get(network, ()):
                if label not in exclude:
                    hits.setdefault(label, set()).update(self._held(label, version, network, stored_length))
        # stored prefixes starting within the query: all of them lie within it (or contain it, starting where it
        # does, which the lookups above found already)
        entries = self._sorted[version]
        at = bisect.bisect_left(entries, (first, -1, "", ""))
        while at < len(entries) and entries[at][0] <= last:
            _, _, stored, label = entries[at]
            if label not in exclude:
                hits.setdefault(label, set()).add(stored)
            at += 1
        return {label: [p for p in self._prefixes[label] if p in found] for label, found in hits.items()}

    def _held(self, label: str, version: int, network: int, length: int) -> list[str]:
        """``label``'s prefixes whose network is ``network``/``length``: usually one, but IPv6 can spell one range
        several ways ("2001:db8::/32", "2001:0db8::/32")."""
        return [
            p
            for p in self._prefixes[label]
            if netmath.span(p)[:2] == (version, network) and netmath.parse(p).prefixlen == length
        ]
