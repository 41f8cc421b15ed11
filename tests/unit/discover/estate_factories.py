"""Estates for the discover unit tests, built the way ARM lists them: vnets with their peerings' whole properties."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_azure_peering.discover.estate import Estate, Scope
from pulumi_azure_peering.discover.pairs import Pair, Side, pair_peerings
from pulumi_azure_peering.provider.facts import GatewayFact, VnetFacts
from pulumi_azure_peering.provider.ids import vnet_id, vnet_key

SUB = "00000000-0000-0000-0000-0000000000a1"
OTHER_SUB = "00000000-0000-0000-0000-0000000000a2"


def vid(name: str, sub: str = SUB, rg: str = "rg-net") -> str:
    return vnet_id(sub, rg, name)


def side(
    local: str,
    remote: str,
    name: str | None = None,
    *,
    state: str = "Connected",
    sync: str = "FullyInSync",
    **flags: Any,
) -> Side:
    """The peering of vnet id ``local`` toward vnet id ``remote``, as ARM lists it."""
    peering_name = name or f"{local.rsplit('/', 1)[-1]}-to-{remote.rsplit('/', 1)[-1]}"
    properties: dict[str, Any] = {
        "peeringState": state,
        "peeringSyncLevel": sync,
        "remoteVirtualNetwork": {"id": remote},
        "allowVirtualNetworkAccess": True,
        "allowForwardedTraffic": False,
        "allowGatewayTransit": False,
        "useRemoteGateways": False,
        **flags,
    }
    return Side(local, peering_name, f"{local}/virtualNetworkPeerings/{peering_name}", properties)


def facts(vnet: str, prefixes: Sequence[str], *, gateway: str | None = None, subnets: Sequence[str] = ()) -> VnetFacts:
    gateways = (GatewayFact(f"{vnet}-gw", gateway),) if gateway is not None else ()
    return VnetFacts(
        id=vnet,
        name=vnet.rsplit("/", 1)[-1],
        address_prefixes=tuple(prefixes),
        subnets={s: ("10.255.0.0/24",) for s in subnets},
        gateways=gateways,
    )


def estate(
    vnets: Sequence[VnetFacts],
    sides: Sequence[Side],
    *,
    outside: Sequence[VnetFacts] = (),
    missing: Sequence[str] = (),
    unreadable: dict[str, str] | None = None,
) -> tuple[Estate, list[Pair]]:
    """An estate of ``vnets`` (the scope) and ``outside`` (read on their own), with ``sides``, and its pairs."""
    every = [*vnets, *outside]
    by_key = {vnet_key(f.id) or f.id: f for f in every}
    grouped: dict[str, tuple[Side, ...]] = {key: () for key in by_key}
    for s in sides:
        key = vnet_key(s.vnet_id) or s.vnet_id
        grouped[key] = (*grouped.get(key, ()), s)
    result = Estate(
        scope=Scope(subscriptions=(SUB,)),
        vnets=by_key,
        sides=grouped,
        in_scope=frozenset(vnet_key(f.id) or f.id for f in vnets),
        missing=frozenset(vnet_key(m) or m for m in missing),
        unreadable={vnet_key(k) or k: v for k, v in (unreadable or {}).items()},
    )
    pairs = pair_peerings(
        {by_key[key].id if key in by_key else key: tuple(group) for key, group in grouped.items()},
        [f.id for f in every],
    )
    return result, pairs
