"""The preflight's overlap test, on prefixes parsed once per process, against the standard library's."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_azure_peering.provider.preflight import overlaps

pytestmark = pytest.mark.unit

_v4 = st.builds(lambda a, n: f"{ipaddress.IPv4Address(a)}/{n}", st.integers(0, 2**32 - 1), st.integers(0, 32))
_v6 = st.builds(lambda a, n: f"{ipaddress.IPv6Address(a)}/{n}", st.integers(0, 2**128 - 1), st.integers(0, 128))
# small spaces near one another, so that overlaps and touching edges are common, plus what is not a prefix
_near = st.builds(lambda a, n: f"10.0.{a}.0/{n}", st.integers(0, 255), st.integers(16, 24))
# single addresses and the last address of a block: overlaps that touch in exactly one address
_edges = st.builds(lambda a, n: f"10.0.{a}.{255 if n == 32 else 0}/{n}", st.integers(0, 3), st.sampled_from([24, 32]))
_prefixes = st.lists(
    st.one_of(_v4, _v6, _near, _edges, st.sampled_from(["", "nope", "10.0.0.0/33", "::/129"])), max_size=5
)


def _expected(a: list[str], b: list[str], ipv6_only: bool) -> list[tuple[str, str]]:
    def nets(prefixes: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        out = []
        for p in prefixes:
            try:
                net = ipaddress.ip_network(p, strict=False)
            except ValueError:
                continue
            if not ipv6_only or net.version == 6:
                out.append(net)
        return out

    return [(str(x), str(y)) for x in nets(a) for y in nets(b) if x.version == y.version and x.overlaps(y)]


@settings(max_examples=400, deadline=None)
@given(_prefixes, _prefixes, st.booleans())
def test_the_same_pairs_as_the_standard_library(a: list[str], b: list[str], ipv6_only: bool) -> None:
    assert overlaps(a, b, ipv6_only=ipv6_only) == _expected(a, b, ipv6_only)
    assert overlaps(a, b, ipv6_only=ipv6_only) == _expected(a, b, ipv6_only)  # and again, from the parse cache
