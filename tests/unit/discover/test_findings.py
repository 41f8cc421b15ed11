"""What discover says is wrong: one finding per problem, with its code, the vnets, the peering and the fix."""

from __future__ import annotations

import pytest

from pulumi_azure_peering.discover.findings import FINDING_CODES, Finding, find_problems, propose_hubs
from tests.unit.discover.estate_factories import OTHER_SUB, estate, facts, side, vid

pytestmark = pytest.mark.unit

HUB, HUB2, A, B = vid("vnet-hub"), vid("vnet-hub2"), vid("vnet-a"), vid("vnet-b")


def codes(found: list[Finding]) -> list[str]:
    return [f.code for f in found]


def hub_and_spokes(*spoke_sides: object, hub_gateway: str | None = "Succeeded") -> list[Finding]:
    vnets = [facts(HUB, ["10.0.0.0/16"], gateway=hub_gateway), facts(A, ["10.1.0.0/16"]), facts(B, ["10.2.0.0/16"])]
    found_estate, pairs = estate(vnets, list(spoke_sides))  # type: ignore[arg-type]
    return find_problems(found_estate, pairs, [HUB])


def test_a_healthy_hub_has_no_findings() -> None:
    assert (
        hub_and_spokes(
            side(HUB, A, allowGatewayTransit=True),
            side(A, HUB, useRemoteGateways=True),
            side(HUB, B, allowGatewayTransit=True),
            side(B, HUB),
        )
        == []
    )


def test_a_one_sided_link_names_the_vnet_that_must_create_the_reverse() -> None:
    (finding,) = hub_and_spokes(side(HUB, A, state="Initiated", sync="RemoteNotInSync"))
    assert finding.code == "PairOneSided" and finding.severity == "error"
    assert finding.vnets == (A, HUB) and "create the peering of vnet-a toward vnet-hub" in finding.fix
    assert finding.peering == f"{HUB}/virtualNetworkPeerings/vnet-hub-to-vnet-a"


def test_a_disconnected_side_says_it_must_be_written_first() -> None:
    (finding,) = hub_and_spokes(side(HUB, A, state="Disconnected"))
    assert finding.code == "PairDisconnected" and finding.vnets[0] == HUB
    assert "RemotePeeringIsDisconnected" in finding.fix


def test_a_resized_spoke_names_the_side_to_sync() -> None:
    (finding,) = hub_and_spokes(side(HUB, A, sync="LocalNotInSync"), side(A, HUB, sync="RemoteNotInSync"))
    assert finding.code == "PairNotInSync" and finding.severity == "warning"
    assert finding.vnets == (HUB, A) and "syncRemoteAddressSpace=true" in finding.fix


def test_use_remote_gateways_toward_a_side_without_transit() -> None:
    found = hub_and_spokes(side(HUB, A), side(A, HUB, useRemoteGateways=True))
    assert codes(found) == ["UseRemoteGatewaysWithoutTransit"]
    assert found[0].peering == f"{HUB}/virtualNetworkPeerings/vnet-hub-to-vnet-a"  # the side to change


def test_use_remote_gateways_toward_a_hub_without_a_ready_gateway() -> None:
    found = hub_and_spokes(
        side(HUB, A, allowGatewayTransit=True), side(A, HUB, useRemoteGateways=True), hub_gateway="Updating"
    )
    assert codes(found) == ["UseRemoteGatewaysWithoutGateway"]


def test_transit_on_the_spoke_side() -> None:
    found = hub_and_spokes(side(HUB, A), side(A, HUB, allowGatewayTransit=True))
    assert codes(found) == ["TransitOnSpokeSide"] and found[0].vnets == (A, HUB)


def test_a_spoke_using_two_hubs_gateways() -> None:
    vnets = [
        facts(HUB, ["10.0.0.0/16"], gateway="Succeeded"),
        facts(HUB2, ["10.100.0.0/16"], gateway="Succeeded"),
        facts(A, ["10.1.0.0/16"]),
    ]
    found_estate, pairs = estate(
        vnets,
        [
            side(HUB, A, allowGatewayTransit=True),
            side(A, HUB, useRemoteGateways=True),
            side(HUB2, A, allowGatewayTransit=True),
            side(A, HUB2, useRemoteGateways=True),
        ],
    )
    found = find_problems(found_estate, pairs, [HUB, HUB2])
    assert codes(found) == ["TwoRemoteGateways"] and found[0].vnets == (A, HUB, HUB2)


def test_overlapping_spokes_of_one_hub() -> None:
    vnets = [facts(HUB, ["10.0.0.0/16"]), facts(A, ["10.1.0.0/16"]), facts(B, ["10.1.128.0/17"])]
    found_estate, pairs = estate(vnets, [side(HUB, A), side(A, HUB), side(HUB, B), side(B, HUB)])
    (finding,) = find_problems(found_estate, pairs, [HUB])
    assert finding.code == "AddressSpaceOverlap" and set(finding.vnets) == {A, B, HUB}
    assert "10.1.0.0/16 overlaps 10.1.128.0/17" in finding.message


def test_a_duplicate_link_and_a_subnet_that_is_gone() -> None:
    vnets = [facts(HUB, ["10.0.0.0/16"]), facts(A, ["10.1.0.0/16"], subnets=["app"])]
    found_estate, pairs = estate(
        vnets,
        [
            side(HUB, A, "old", state="Disconnected"),
            side(HUB, A, remoteSubnetNames=["app", "data"], peerCompleteVnets=False),
            side(A, HUB),
        ],
    )
    found = find_problems(found_estate, pairs, [HUB])
    assert sorted(codes(found)) == ["DuplicateLink", "MissingSubnet"]
    missing = next(f for f in found if f.code == "MissingSubnet")
    assert "data" in missing.message and "app," not in missing.message


def test_a_remote_vnet_that_no_longer_exists() -> None:
    gone = vid("vnet-gone")
    found_estate, pairs = estate([facts(HUB, ["10.0.0.0/16"])], [side(HUB, gone, state="Disconnected")], missing=[gone])
    assert codes(find_problems(found_estate, pairs, [HUB])) == ["RemoteVnetMissing"]


def test_a_partner_vnet_that_cannot_be_read_is_a_note() -> None:
    partner = vid("vnet-partner", OTHER_SUB)
    found_estate, pairs = estate(
        [facts(HUB, ["10.0.0.0/16"])], [side(HUB, partner)], unreadable={partner: "403 AuthorizationFailed"}
    )
    (finding,) = find_problems(found_estate, pairs, [HUB])
    assert (finding.code, finding.severity) == ("RemoteVnetUnreadable", "info")


def test_every_code_is_listed() -> None:
    assert len(set(FINDING_CODES)) == len(FINDING_CODES) == 12


def test_the_hub_proposed_is_the_vnet_with_a_gateway_and_the_most_peerings() -> None:
    vnets = [
        facts(HUB, ["10.0.0.0/16"], gateway="Succeeded"),
        facts(A, ["10.1.0.0/16"]),
        facts(B, ["10.2.0.0/16"]),
    ]
    links = [side(HUB, A), side(A, HUB), side(HUB, B), side(B, HUB), side(A, B), side(B, A)]
    found_estate, pairs = estate(vnets, links)
    assert propose_hubs(found_estate, pairs) == [HUB]
