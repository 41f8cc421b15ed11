"""Who owns a peering, through the real CLI against the emulator (issue 24; docs/ownership.md, provider/ownership.py).

- Two stacks of one project on one runner (one PULUMI_HOME, one project folder, the same config): the second stack
  never takes, rewrites or deletes the first one's peerings; its preview and its up fail naming the peering, before
  any write.
- ``pulumi up --replace <urn>`` of a peering really re-creates it: ARM sees a DELETE of the peering, then a PUT.
- Two resources of one program that name the same peering, or link the same two vnets, fail at preview naming both.
- A HubSpokePeering spoke's link kind and peering names change on a live pair: ARM ends with exactly the new pair,
  Connected, with and without the hub's gateway (the demo's payments spoke uses it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from harness.pulumi import PulumiProject, program_tracebacks
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED, PROGRAM, configure
from tests.provider_on_emulator.programs import peering_program

pytestmark = pytest.mark.engine

HUB_PAYMENTS = {"local": "vnet-hub", "remote": "vnet-payments"}
PAYMENTS_HUB = {"local": "vnet-payments", "remote": "vnet-hub"}
PAIR_IDS = (
    f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/vnet-hub-to-vnet-payments",
    f"{seeded_vnet('vnet-payments')}/virtualNetworkPeerings/vnet-payments-to-vnet-hub",
)


def peering(emulator: Any, peering_id: str) -> dict[str, Any]:
    """One peering as ARM has it (fails the test if it is gone)."""
    response = emulator.arm("GET", peering_id)
    assert response.status_code == 200, f"{peering_id}: {response.status_code} {response.text}"
    body: dict[str, Any] = response.json()
    return body


def etags(emulator: Any, peering_ids: Iterable[str]) -> dict[str, str]:
    return {pid.lower(): peering(emulator, pid)["etag"] for pid in peering_ids}


def second_stack(first: PulumiProject, stack: str = "b") -> PulumiProject:
    """`pulumi stack init <stack>` in the first stack's project folder, with its environment: the same PULUMI_HOME,
    backend and project, so that anything the provider kept per project on this machine would be shared."""
    other = PulumiProject(first.workdir, stack, first.env)
    other.run("stack", "init")  # the harness adds --stack <stack>
    return other


def assert_refused_without_writes(result: Any, emulator: Any, seq: int, peering_ids: Iterable[str]) -> None:
    """The command failed naming one of these peerings as already existing (the engine stops at the first check
    that fails, and which of them that is depends on the engine's order), with the advice about another stack,
    and nothing reached ARM since ``seq``."""
    assert not result.ok, result.output
    text = result.output
    phrases = [f"peering {pid.split('/')[-1]} already exists on {pid.split('/')[-3]}" for pid in peering_ids]
    assert any(phrase in text for phrase in phrases), text
    assert "If another stack (of this project or another) manages it" in text, text
    assert program_tracebacks(text) == [], text
    assert arm_writes(emulator, seq) == []


def assert_second_goes_and_first_holds(
    first: PulumiProject,
    second: PulumiProject,
    emulator: Any,
    seq: int,
    peering_ids: Iterable[str],
    etags_before: dict[str, str],
) -> None:
    """A second stack that was refused these peerings is destroyed without a write to ARM since ``seq`` and without
    touching them (their ETags are ``etags_before``); the first stack, refreshed, still holds them unchanged."""
    second.destroy()
    assert arm_writes(emulator, seq) == []
    assert etags(emulator, peering_ids) == etags_before

    first.refresh()
    first.preview(expect_no_changes=True)
    assert_state_holds(first, emulator, peering_ids)
    assert etags(emulator, peering_ids) == etags_before


def assert_state_holds(
    project: PulumiProject, emulator: Any, peering_ids: Iterable[str], *, exact: bool = True
) -> None:
    """The stack's checkpoint holds exactly these peerings (by ARM id), Connected in ARM; with ``exact`` (after a
    refresh), with ARM's etag and state."""
    held = {r["id"].lower(): r["outputs"] for r in project.resources("VirtualNetworkPeering")}
    assert set(held) == {pid.lower() for pid in peering_ids}, sorted(held)
    for pid in peering_ids:
        live = peering(emulator, pid)
        assert live["properties"]["peeringState"] == "Connected", live
        if exact:
            assert held[pid.lower()]["peering_state"] == "Connected", held[pid.lower()]
            assert held[pid.lower()]["etag"] == live["etag"], (held[pid.lower()], live)


# -- HubSpokePeering (the demo program, examples/hub_spoke) --------------------------------------------------

IDENTITY = {"vnetId": seeded_vnet("vnet-identity")}
SUBNETS = {"link": "subnets", "localSubnetNames": ["app"], "hubSubnetNames": ["shared"]}
#: The payments spoke with and without the hub's gateway (the demo's payments spoke routes through it).
GATEWAY = pytest.mark.parametrize("gateway", [False, True], ids=["no-gateway", "hub-gateway"])


def payments(gateway: bool, **more: Any) -> dict[str, Any]:
    return {"vnetId": seeded_vnet("vnet-payments"), "useHubGateway": gateway, **more}


def spokes(payments_spoke: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"identity": IDENTITY, "payments": payments_spoke}


def deploy_hub_spoke(make_project: Callable[..., PulumiProject], emulator: Any, gateway: bool) -> PulumiProject:
    emulator.seed(DEMO_SEED)
    project = make_project(PROGRAM)
    configure(project, seeded_vnet("vnet-hub"), spokes(payments(gateway)))
    project.up(skip_preview=False)
    return project


def hub_spoke_ids(
    hub_name: str = "vnet-hub-to-vnet-payments", spoke_name: str = "vnet-payments-to-vnet-hub"
) -> list[str]:
    """ARM ids of the identity pair and of the payments pair under these names."""
    return [
        f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/vnet-hub-to-vnet-identity",
        f"{seeded_vnet('vnet-identity')}/virtualNetworkPeerings/vnet-identity-to-vnet-hub",
        f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/{hub_name}",
        f"{seeded_vnet('vnet-payments')}/virtualNetworkPeerings/{spoke_name}",
    ]


def identity_etags(emulator: Any) -> dict[str, str]:
    return {
        "hub": live_peerings(emulator, seeded_vnet("vnet-hub"))["vnet-hub-to-vnet-identity"]["etag"],
        "spoke": live_peerings(emulator, seeded_vnet("vnet-identity"))["vnet-identity-to-vnet-hub"]["etag"],
    }


def payments_pair(
    emulator: Any, hub_name: str, spoke_name: str, gateway: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The payments pair as ARM has it, asserting it is the only link between the two vnets, Connected, with
    gateway transit as configured."""
    hub_side = {
        n: p
        for n, p in live_peerings(emulator, seeded_vnet("vnet-hub")).items()
        if p["properties"]["remoteVirtualNetwork"]["id"].lower() == seeded_vnet("vnet-payments").lower()
    }
    spoke_side = live_peerings(emulator, seeded_vnet("vnet-payments"))
    assert list(hub_side) == [hub_name], hub_side.keys()
    assert list(spoke_side) == [spoke_name], spoke_side.keys()
    hub, spoke = hub_side[hub_name]["properties"], spoke_side[spoke_name]["properties"]
    assert hub["peeringState"] == spoke["peeringState"] == "Connected", (hub, spoke)
    assert hub["allowGatewayTransit"] is spoke["useRemoteGateways"] is gateway, (hub, spoke)
    return hub, spoke


# -- one project, two stacks, one PULUMI_HOME ------------------------------------------------------------------


def test_second_stack_of_the_project_never_takes_the_first_ones_pair(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    program = peering_program(HUB_PAYMENTS, PAYMENTS_HUB)
    first = make_project(program, stack="dev")
    first.up(skip_preview=False)
    before = etags(emulator, PAIR_IDS)

    # No preview, refresh or up of the first stack in between: whatever its create left on this machine is there.
    second = second_stack(first, "prod")
    assert second.env["PULUMI_HOME"] == first.env["PULUMI_HOME"] and second.workdir == first.workdir
    seq = emulator.last_request_seq()
    preview = second.preview(check=False)
    assert_refused_without_writes(preview, emulator, seq, PAIR_IDS)

    up = second.up(check=False)
    assert_refused_without_writes(up, emulator, seq, PAIR_IDS)
    assert second.resources("VirtualNetworkPeering") == []

    assert_second_goes_and_first_holds(first, second, emulator, seq, PAIR_IDS, before)


def test_second_stack_of_a_hub_spoke_project_never_takes_the_first_ones_peerings(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    emulator.seed(DEMO_SEED)
    first = make_project(PROGRAM, stack="dev")
    configure(first, seeded_vnet("vnet-hub"), spokes(payments(gateway=True)))
    first.up(skip_preview=False)
    ids = hub_spoke_ids()
    before = etags(emulator, ids)

    second = second_stack(first, "prod")
    configure(second, seeded_vnet("vnet-hub"), spokes(payments(gateway=True)))
    seq = emulator.last_request_seq()
    preview = second.preview(check=False)
    assert_refused_without_writes(preview, emulator, seq, ids)
    up = second.up(check=False, skip_preview=False)
    assert_refused_without_writes(up, emulator, seq, ids)
    up = second.up(check=False)  # straight to the update: the children's checks and creates decide alone
    assert_refused_without_writes(up, emulator, seq, ids)
    assert second.resources("VirtualNetworkPeering") == []

    assert_second_goes_and_first_holds(first, second, emulator, seq, ids, before)


# -- up --replace ----------------------------------------------------------------------------------------------


def test_up_replace_of_a_peering_is_refused_with_the_way_to_recreate_it(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    """`pulumi up --replace <urn>`: the engine checks a replacement target with no old inputs (step_generator.go:
    the target's old state is ignored), so the provider cannot tell the stack's own peering from another stack's
    and refuses it at preview, saying so and how to re-create it; nothing is written, nothing is skipped in
    silence (the old code reported `1 replaced` and re-created nothing). The way it names works."""
    project = make_project(peering_program(HUB_PAYMENTS, PAYMENTS_HUB))
    project.up()
    hub_side = PAIR_IDS[0]
    old_etag = peering(emulator, hub_side)["etag"]
    (urn,) = [
        r["urn"] for r in project.resources("VirtualNetworkPeering") if r["urn"].endswith("::vnet-hub-to-vnet-payments")
    ]

    seq = emulator.last_request_seq()
    refused = project.up("--replace", urn, check=False)
    assert not refused.ok and "replaced" not in refused.output.split("Resources:")[-1], refused.output
    assert "pulumi up --replace" in refused.output and "pulumi destroy --target" in refused.output, refused.output
    assert arm_writes(emulator, seq) == []
    assert peering(emulator, hub_side)["etag"] == old_etag

    project.run("destroy", "--target", urn, "--yes", "--skip-preview")
    project.up()
    writes = [(w["method"], w["status"]) for w in arm_writes(emulator, seq) if w["path"].lower() == hub_side.lower()]
    accepted = [method for method, status in writes if status < 300]
    assert accepted[:1] == ["DELETE"] and "PUT" in accepted, writes
    created = [w for w in arm_writes(emulator, seq) if w["path"].lower() == hub_side.lower() and w["method"] == "PUT"]
    assert any(w["status"] == 201 for w in created), created

    live = peering(emulator, hub_side)
    assert live["etag"] != old_etag
    assert live["properties"]["peeringState"] == "Connected", live
    assert peering(emulator, PAIR_IDS[1])["properties"]["peeringState"] == "Connected"
    project.refresh()
    project.preview(expect_no_changes=True)
    assert_state_holds(project, emulator, PAIR_IDS)


# -- two resources of one program, one peering -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("hub-payments", "hub-payments"), "both name peering 'hub-payments' of vnet 'vnet-hub'"),
        (
            ("hub-payments-1", "hub-payments-2"),
            "both peer vnet 'vnet-hub' with 'vnet-payments'; ARM allows one peering from a vnet to the same remote "
            "(AnotherPeeringAlreadyReferencesRemoteVnet)",
        ),
    ],
    ids=["same-name", "same-remote"],
)
def test_two_resources_naming_one_peering_fail_preview_naming_both(
    make_project: Callable[..., PulumiProject], emulator: Any, names: tuple[str, str], expected: str
) -> None:
    first, second = names
    project = make_project(
        peering_program(
            {**HUB_PAYMENTS, "name": first, "resource": "first-link"},
            {**HUB_PAYMENTS, "name": second, "resource": "second-link"},
        )
    )
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok, preview.output
    text = preview.output
    assert expected in text, text
    assert "resources 'first-link' and 'second-link'" in text or "resources 'second-link' and 'first-link'" in text
    assert program_tracebacks(text) == [], text
    up = project.up(check=False, skip_preview=False)
    assert not up.ok and expected in up.output, up.output
    assert arm_writes(emulator, seq) == []
    assert live_peerings(emulator, seeded_vnet("vnet-hub")) == {}


# -- a live HubSpokePeering pair: link kind and peering names ---------------------------------------------------


@GATEWAY
def test_link_kind_switches_on_a_live_pair(
    make_project: Callable[..., PulumiProject], emulator: Any, gateway: bool
) -> None:
    project = deploy_hub_spoke(make_project, emulator, gateway)
    identity = identity_etags(emulator)
    hub, spoke = payments_pair(emulator, "vnet-hub-to-vnet-payments", "vnet-payments-to-vnet-hub", gateway)
    assert hub["peerCompleteVnets"] is True and spoke["peerCompleteVnets"] is True

    configure(project, seeded_vnet("vnet-hub"), spokes(payments(gateway, **SUBNETS)))
    project.up(skip_preview=False)
    hub, spoke = payments_pair(emulator, "vnet-hub-to-vnet-payments", "vnet-payments-to-vnet-hub", gateway)
    assert hub["peerCompleteVnets"] is False and spoke["peerCompleteVnets"] is False
    assert spoke["localSubnetNames"] == ["app"] and spoke["remoteSubnetNames"] == ["shared"], spoke
    assert hub["localSubnetNames"] == ["shared"] and hub["remoteSubnetNames"] == ["app"], hub
    assert_state_holds(project, emulator, hub_spoke_ids(), exact=False)
    project.preview(expect_no_changes=True)

    configure(project, seeded_vnet("vnet-hub"), spokes(payments(gateway)))
    project.up(skip_preview=False)
    hub, spoke = payments_pair(emulator, "vnet-hub-to-vnet-payments", "vnet-payments-to-vnet-hub", gateway)
    assert hub["peerCompleteVnets"] is True and spoke["peerCompleteVnets"] is True
    assert not spoke.get("localSubnetNames") and not hub.get("localSubnetNames"), (hub, spoke)
    project.preview(expect_no_changes=True)
    project.refresh()
    project.preview(expect_no_changes=True)
    assert_state_holds(project, emulator, hub_spoke_ids())
    assert identity_etags(emulator) == identity


@GATEWAY
def test_peering_names_change_on_a_live_pair(
    make_project: Callable[..., PulumiProject], emulator: Any, gateway: bool
) -> None:
    project = deploy_hub_spoke(make_project, emulator, gateway)
    identity = identity_etags(emulator)

    renamed_spoke = payments(gateway, spokePeeringName="payments-to-hub")
    configure(project, seeded_vnet("vnet-hub"), spokes(renamed_spoke))
    project.up(skip_preview=False)
    payments_pair(emulator, "vnet-hub-to-vnet-payments", "payments-to-hub", gateway)
    assert_state_holds(project, emulator, hub_spoke_ids(spoke_name="payments-to-hub"), exact=False)
    project.preview(expect_no_changes=True)

    configure(project, seeded_vnet("vnet-hub"), spokes({**renamed_spoke, "hubPeeringName": "hub-to-payments"}))
    project.up(skip_preview=False)
    payments_pair(emulator, "hub-to-payments", "payments-to-hub", gateway)
    project.preview(expect_no_changes=True)
    project.refresh()
    project.preview(expect_no_changes=True)
    assert_state_holds(project, emulator, hub_spoke_ids("hub-to-payments", "payments-to-hub"))
    assert identity_etags(emulator) == identity
