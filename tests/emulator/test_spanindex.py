"""The emulator's index of CIDR prefixes by label answers what a scan of every stored prefix would, through random
puts, replacements and removals of nested, equal, disjoint, IPv4 and IPv6 prefixes (the peering overlap check relies
on it: an index that missed an overlap would let the emulator accept a link the service refuses)."""

from __future__ import annotations

import ipaddress
import random

import pytest

from pulumi_azure_peering.emulator import netmath
from pulumi_azure_peering.emulator.spanindex import SpanIndex

pytestmark = pytest.mark.emulator


def _random_prefix(rng: random.Random) -> str:
    """A prefix in a small space, so that nesting, equality and neighbours are frequent."""
    if rng.random() < 0.7:
        length = rng.randrange(0, 33) if rng.random() < 0.05 else rng.randrange(8, 17)
        address = 0x0A000000 | rng.randrange(1 << 16) << 8 if length else 0
        return str(ipaddress.IPv4Network((address, length), strict=False))
    length = rng.randrange(40, 57)
    address = 0x20010DB8 << 96 | rng.randrange(1 << 24) << 72
    return str(ipaddress.IPv6Network((address, length), strict=False))


def _scanned(stored: dict[str, list[str]], prefix: str, exclude: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for label, prefixes in stored.items():
        if label in exclude:
            continue
        hits = [p for p in dict.fromkeys(prefixes) if netmath.overlapping([prefix], [p])]
        if hits:
            found[label] = hits
    return found


def test_overlapping_answers_what_a_scan_does() -> None:
    rng = random.Random(29)
    index = SpanIndex()
    stored: dict[str, list[str]] = {}
    labels = [f"vnet{i}" for i in range(40)]
    for step in range(1500):
        label = rng.choice(labels)
        if rng.random() < 0.2:
            index.remove(label)
            stored.pop(label, None)
        else:
            prefixes = [_random_prefix(rng) for _ in range(rng.randrange(0, 4))]
            if prefixes and rng.random() < 0.1:
                prefixes.append(prefixes[0])  # duplicates are held once
            index.put(label, prefixes)
            if prefixes:
                stored[label] = prefixes
            else:
                stored.pop(label, None)
        assert sorted(index.labels()) == sorted(stored), step
        for held in stored:
            assert index.prefixes(held) == tuple(dict.fromkeys(stored[held])), step
        for _ in range(3):
            query = _random_prefix(rng)
            exclude = set(rng.sample(labels, rng.randrange(3)))
            assert index.overlapping(query, exclude) == _scanned(stored, query, exclude), (step, query, exclude)


def test_one_range_spelt_two_ways_and_both_versions() -> None:
    index = SpanIndex()
    index.put("a", ["2001:db8::/32", "2001:0db8::/32", "10.0.0.0/8"])
    index.put("b", ["10.1.0.0/16"])
    assert index.overlapping("2001:db8:1::/48") == {"a": ["2001:db8::/32", "2001:0db8::/32"]}
    assert index.overlapping("0.0.0.0/0") == {"a": ["10.0.0.0/8"], "b": ["10.1.0.0/16"]}
    assert index.overlapping("10.1.2.0/24", exclude={"a"}) == {"b": ["10.1.0.0/16"]}
    assert index.overlapping("::/0") == {"a": ["2001:db8::/32", "2001:0db8::/32"]}
    assert index.overlapping("11.0.0.0/8") == {}
    # a label holding one range spelt two ways is replaced and removed like any other
    index.put("a", ["2001:db8::/48", "10.0.0.0/8"])
    assert index.overlapping("2001:db8::/32") == {"a": ["2001:db8::/48"]}
    index.remove("a")
    assert index.overlapping("::/0") == {}
    assert index.overlapping("0.0.0.0/0") == {"b": ["10.1.0.0/16"]}
    index.put("c", ["10.9.0.0/16", "10.9.0.0/016"])
    index.remove("c")
    assert "c" not in index and index.overlapping("10.9.1.0/24") == {}


def test_a_prefix_that_is_not_cidr_leaves_the_index_as_it_was() -> None:
    index = SpanIndex()
    index.put("a", ["10.0.0.0/16"])
    with pytest.raises(netmath.PrefixError):
        index.put("a", ["10.1.0.0/16", "10.2.0.1/16"])
    assert index.prefixes("a") == ("10.0.0.0/16",)
    assert index.overlapping("10.0.1.0/24") == {"a": ["10.0.0.0/16"]}
