"""``VnetCache.learn``: what a peering ARM has just answered (after a write, or read) changes in the cached facts of
its vnets."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_azure_peering.provider.facts import PeeringFact, VnetFacts
from pulumi_azure_peering.provider.vnet_facts import VnetCache

pytestmark = pytest.mark.unit

SUB = "/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/rg/providers/Microsoft.Network"
HUB, SPOKE, OTHER = f"{SUB}/virtualNetworks/hub", f"{SUB}/virtualNetworks/spoke", f"{SUB}/virtualNetworks/other"


def _fact(local: str, name: str, remote: str, state: str) -> PeeringFact:
    return PeeringFact(
        id=f"{local}/virtualNetworkPeerings/{name}",
        name=name,
        remote_virtual_network_id=remote,
        peering_state=state,
        remote_address_prefixes=("10.0.0.0/24",),
    )


def _facts(vnet: str, *peerings: PeeringFact) -> VnetFacts:
    return VnetFacts(
        id=vnet,
        name=vnet.rsplit("/", 1)[-1],
        location="westeurope",
        provisioning_state="Succeeded",
        address_prefixes=("10.0.0.0/16",),
        peerings=peerings,
    )


def _written(local: str, name: str, remote: str, state: str) -> dict[str, Any]:
    return {
        "id": f"{local}/virtualNetworkPeerings/{name}",
        "name": name,
        "properties": {
            "remoteVirtualNetwork": {"id": remote},
            "peeringState": state,
            "allowGatewayTransit": True,
            "remoteVirtualNetworkAddressSpace": {"addressPrefixes": ["10.9.0.0/24"]},
        },
    }


def _cached(cache: VnetCache, fingerprint: str, vnet: str) -> VnetFacts | None:
    entry = cache._fresh((fingerprint, vnet.lower()))
    return None if entry is None else entry[1]


def test_the_written_peering_replaces_its_old_fact_or_is_added() -> None:
    cache = VnetCache(clock=lambda: 0.0)
    old = _fact(HUB, "to-spoke", SPOKE, "Initiated")
    cache._store(("me", HUB.lower()), _facts(HUB, old, _fact(HUB, "to-other", OTHER, "Connected")))
    cache.learn("me", _written(HUB, "to-spoke", SPOKE, "Initiated"))
    cache.learn("me", _written(HUB, "to-third", f"{SUB}/virtualNetworks/third", "Initiated"))
    hub = _cached(cache, "me", HUB)
    assert hub is not None
    assert [p.name for p in hub.peerings] == ["to-spoke", "to-other", "to-third"]
    assert hub.peerings[0].allow_gateway_transit and hub.peerings[0].remote_address_prefixes == ("10.9.0.0/24",)


def test_the_reverse_becomes_connected_only_when_the_write_connected_the_pair() -> None:
    cache = VnetCache(clock=lambda: 0.0)
    cache._store(("me", HUB.lower()), _facts(HUB, _fact(HUB, "to-spoke", SPOKE.upper(), "Initiated")))
    cache.learn("me", _written(SPOKE, "to-hub", HUB, "Initiated"))
    hub = _cached(cache, "me", HUB)
    assert hub is not None and hub.peerings[0].peering_state == "Initiated"
    cache.learn("me", _written(SPOKE, "to-hub", HUB, "Connected"))
    hub = _cached(cache, "me", HUB)
    assert hub is not None and hub.peerings[0].peering_state == "Connected"


def test_entries_it_cannot_vouch_for_are_forgotten() -> None:
    cache = VnetCache(clock=lambda: 0.0)
    cache._store(("other-identity", HUB.lower()), _facts(HUB))
    cache._store(("me", SPOKE.lower()), None)  # cached as missing: the write says otherwise
    cache._store(("me", OTHER.lower()), _facts(OTHER))
    cache.learn("me", _written(HUB, "to-spoke", SPOKE, "Initiated"))
    assert _cached(cache, "other-identity", HUB) is None
    assert cache._fresh(("me", SPOKE.lower())) is None
    assert _cached(cache, "me", OTHER) == _facts(OTHER)
