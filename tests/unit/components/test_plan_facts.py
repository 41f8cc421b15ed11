"""The plain form of the provider's vnet lookup (``pulumi_azure_peering.provider.get_virtual_network()``) read back
into the facts the planner plans with (the provider's own ``VnetFacts``)."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_azure_peering.components.topology import PeeringFact, vnet_facts_from_lookup
from tests.unit.components.planner_factories import HUB, plan, spokes_n, vid

pytestmark = pytest.mark.unit


def lookup(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": HUB,
        "name": "vnet-hub",
        "location": "westeurope",
        "provisioning_state": "Succeeded",
        "address_prefixes": ["10.0.0.0/16"],
        "subnets": {"GatewaySubnet": ["10.0.0.0/27"], "shared": ["10.0.1.0/24", "fd00::/64"]},
        "gateways": [
            {
                "id": HUB.replace("virtualNetworks/vnet-hub", "virtualNetworkGateways/gw"),
                "provisioning_state": "Succeeded",
            }
        ],
        "peerings": [
            {
                "id": HUB + "/virtualNetworkPeerings/to-legacy",
                "name": "to-legacy",
                "remote_virtual_network_id": vid("vnet-legacy"),
                "peering_state": "Connected",
                "use_remote_gateways": False,
                "allow_gateway_transit": True,
                "remote_address_prefixes": ["172.16.0.0/16"],
            }
        ],
        "has_gateway": True,
        "gateway_provisioning": False,
    }
    data.update(overrides)
    return data


def test_full_lookup_is_converted() -> None:
    f = vnet_facts_from_lookup(lookup())
    assert (f.id, f.name, f.location, f.provisioning_state) == (HUB, "vnet-hub", "westeurope", "Succeeded")
    assert f.address_prefixes == ("10.0.0.0/16",)
    assert dict(f.subnets) == {"GatewaySubnet": ("10.0.0.0/27",), "shared": ("10.0.1.0/24", "fd00::/64")}
    assert f.gateway == "succeeded"
    assert f.peerings == (
        PeeringFact(
            id=HUB + "/virtualNetworkPeerings/to-legacy",
            name="to-legacy",
            remote_virtual_network_id=vid("vnet-legacy"),
            allow_gateway_transit=True,
            peering_state="Connected",
            remote_address_prefixes=("172.16.0.0/16",),
        ),
    )
    assert f.peering_count is None


def test_the_plain_form_reads_back_as_the_same_facts() -> None:
    f = vnet_facts_from_lookup(lookup())
    assert vnet_facts_from_lookup(f.to_dict()) == f
    assert f.to_dict() == {
        **lookup(),
        "gateways": tuple(lookup()["gateways"]),
        "peerings": tuple(
            {**p, "remote_address_prefixes": tuple(p["remote_address_prefixes"])} for p in lookup()["peerings"]
        ),
    }


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([], "none"),
        (["Creating"], "provisioning"),
        (["Updating"], "provisioning"),
        (["Failed"], "failed"),
        (["Deleting"], "failed"),
        (["Failed", "Creating"], "provisioning"),
        (["Failed", "Succeeded"], "succeeded"),
        ([None], "succeeded"),
    ],
)
def test_gateway_state_summary(states: list[str | None], expected: str) -> None:
    gateways = [{"id": f"gw{i}", "provisioning_state": s} for i, s in enumerate(states)]
    assert vnet_facts_from_lookup(lookup(gateways=gateways)).gateway == expected


def test_odd_lookups_do_not_raise() -> None:
    f = vnet_facts_from_lookup({"peerings": [None, {"name": ""}, {"name": "p"}], "subnets": "x", "gateways": "y"})
    assert f.id == "" and f.gateway == "none" and dict(f.subnets) == {}
    assert [p.name for p in f.peerings] == ["p"]
    assert f.peerings[0].remote_address_prefixes == ()


def test_converted_facts_drive_the_plan() -> None:
    fx = {HUB: vnet_facts_from_lookup(lookup())}
    fx[vid("vnet-s1")] = vnet_facts_from_lookup(
        lookup(id=vid("vnet-s1"), address_prefixes=["172.16.5.0/24"], peerings=[], gateways=[])
    )
    p = plan(spokes_n(1), fx)
    assert [e.code for e in p.errors] == ["OverlapsWithPeeredVnet"]
    assert "to-legacy" in p.errors[0].message


def test_a_lookup_of_ones_own_may_answer_as_get_virtual_networks_does() -> None:
    """``HubSpokePeering.vnet_lookup`` answered with ``get_virtual_networks``' dicts before the facts became one
    type: such a lookup still plans the same as one answering ``VnetFacts`` (``read_virtual_networks``)."""
    from collections.abc import Mapping, Sequence

    from pulumi_azure_peering.components.hub_spoke import look_up_facts
    from tests.unit.components.planner_factories import hub_spec, standard_facts

    known = standard_facts(2)
    spec = hub_spec(spokes_n(2))

    def as_facts(wanted: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        return {vnet_id: known[vnet_id] for vnet_id in wanted}

    def as_dicts(wanted: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        return {vnet_id: known[vnet_id].to_dict() for vnet_id in wanted}

    typed, typed_problems = look_up_facts(spec, as_facts)
    plain, plain_problems = look_up_facts(spec, as_dicts)
    assert typed_problems == plain_problems == []
    assert plain == typed and set(typed) == set(known)
