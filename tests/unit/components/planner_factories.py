"""Small builders for the planner's tests: vnet ids, facts and specs with sensible defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.topology import vnet_id
from pulumi_azure_peering.components.plan import Plan, PlanError, plan_hub_spoke
from pulumi_azure_peering.components.topology import (
    GatewayFact,
    GatewayState,
    HubSpokeSpec,
    PeeringFact,
    SpokeSpec,
    VnetFacts,
)

SUB = "11111111-1111-1111-1111-111111111111"
OTHER_SUB = "22222222-2222-2222-2222-222222222222"
TENANT_A = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
TENANT_B = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"


def vid(name: str, rg: str = "rg-net", sub: str = SUB) -> str:
    return vnet_id(sub, rg, name)


HUB = vid("vnet-hub")

#: A gateway whose provisioning state ARM reports as this, for each summary state of the planner.
_GATEWAY_PROVISIONING_STATES: Mapping[GatewayState, Sequence[str]] = {
    "none": (),
    "succeeded": ("Succeeded",),
    "provisioning": ("Updating",),
    "failed": ("Failed",),
}


def gateways(vnet_id: str, state: GatewayState) -> tuple[GatewayFact, ...]:
    """The gateways of a vnet whose gateway summary (``VnetFacts.gateway``) is ``state``."""
    gateway_id = vnet_id.replace("/virtualNetworks/", "/virtualNetworkGateways/") + "-gw"
    return tuple(GatewayFact(gateway_id, provisioning) for provisioning in _GATEWAY_PROVISIONING_STATES[state])


def facts(
    vnet_id: str,
    prefixes: Sequence[str],
    *,
    subnets: Mapping[str, Sequence[str]] | None = None,
    gateway: GatewayState = "none",
    existing: Sequence[PeeringFact] = (),
    count: int | None = None,
) -> VnetFacts:
    return VnetFacts(
        id=vnet_id,
        address_prefixes=tuple(prefixes),
        subnets={name: tuple(values) for name, values in (subnets or {}).items()},
        gateways=gateways(vnet_id, gateway),
        peerings=tuple(existing),
        peering_count=count,
    )


def facts_map(*items: VnetFacts) -> dict[str, VnetFacts]:
    return {f.id: f for f in items}


def spoke(name: str, **kwargs: object) -> SpokeSpec:
    """A spoke whose vnet is ``vnet-<name>`` in the default subscription."""
    return SpokeSpec(vnet_id=str(kwargs.pop("vnet_id", vid(f"vnet-{name}"))), **kwargs)  # type: ignore[arg-type]


def hub_spec(spokes: Mapping[str, SpokeSpec], **kwargs: object) -> HubSpokeSpec:
    return HubSpokeSpec(hub_vnet_id=str(kwargs.pop("hub_vnet_id", HUB)), spokes=spokes, **kwargs)  # type: ignore[arg-type]


def standard_facts(n_spokes: int = 3, *, hub_gateway: GatewayState = "succeeded") -> dict[str, VnetFacts]:
    """Hub 10.0.0.0/16 and spokes s1..sn at 10.<i>.0.0/16, each with subnets 'app' and 'data'."""
    items = [
        facts(
            HUB,
            ["10.0.0.0/16", "fd00:0::/48"],
            subnets={
                "GatewaySubnet": ["10.0.0.0/27"],
                "shared": ["10.0.1.0/24", "fd00:0:0:1::/64"],
                "v4only": ["10.0.2.0/24"],
            },
            gateway=hub_gateway,
        )
    ]
    for i in range(1, n_spokes + 1):
        items.append(
            facts(
                vid(f"vnet-s{i}"),
                [f"10.{i}.0.0/16", f"fd00:{i}::/48"],
                subnets={"app": [f"10.{i}.1.0/24", f"fd00:{i}:0:1::/64"], "data": [f"10.{i}.2.0/24"]},
            )
        )
    return facts_map(*items)


def spokes_n(n: int, **kwargs: object) -> dict[str, SpokeSpec]:
    return {f"s{i}": spoke(f"s{i}", **kwargs) for i in range(1, n + 1)}


def plan(spokes: Mapping[str, SpokeSpec], fx: Mapping[str, VnetFacts] | None = None, **kwargs: object) -> Plan:
    return plan_hub_spoke(hub_spec(spokes, **kwargs), fx)


def only_error(p: Plan, code: str) -> PlanError:
    """The single error with this code (fails with the full list otherwise)."""
    found = [e for e in p.errors if e.code == code]
    assert len(found) == 1, f"expected one {code}, got: {p.errors}"
    assert p.peerings == (), "a plan with errors must not offer peerings"
    return found[0]


def assert_names_spoke_and_fix(err: PlanError, spoke_name: str | None, *fragments: str) -> None:
    """The error names the spoke (or the hub), carries a fix and mentions each fragment."""
    if spoke_name is None:
        assert err.spoke is None
        assert err.message.startswith("hub: ")
    else:
        assert err.spoke == spoke_name
        assert f"spoke {spoke_name!r}" in err.message
    assert " Fix: " in err.message and err.message.endswith(".")
    for fragment in fragments:
        assert fragment in err.message, f"{fragment!r} not in {err.message!r}"
