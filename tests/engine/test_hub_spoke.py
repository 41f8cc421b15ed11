"""HubSpokePeering through the real engine against the emulator: rollout order, idempotence, churn, sync, and
topologies refused at preview before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness import topology
from harness.pulumi import PulumiProject, copy_example, hermetic_env, program_tracebacks
from harness.s3 import backend_env, backend_keys
from tests.arm_views import arm_writes, live_peerings
from tests.emulator_config import SUB_SPOKES, seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED, DEMO_SPOKES, PROGRAM, configure
from tests.provider_on_emulator.provider_env import add_address_prefix

pytestmark = pytest.mark.engine


@pytest.fixture
def hub_spoke_project(make_project: Callable[..., PulumiProject], emulator: Any) -> PulumiProject:
    emulator.seed(DEMO_SEED)
    project = make_project(PROGRAM)
    configure(project, seeded_vnet("vnet-hub"), DEMO_SPOKES)
    return project


def test_rollout_is_connected_idempotent_and_order_free(hub_spoke_project: PulumiProject, emulator: Any) -> None:
    project = hub_spoke_project
    seq = emulator.last_request_seq()
    project.up()
    # the engine runs the four hub-side creates at once; the provider serialises them per vnet inside its process,
    # so ARM never answers 409 AnotherOperationInProgress (docs/provider.md): each of the eight peerings is one PUT
    log = emulator.request_log(since=seq)
    assert [r for r in log if r["status"] == 409] == []
    puts = sorted(r["path"].rsplit("/", 1)[-1] for r in log if r["method"] == "PUT")
    assert puts == sorted({n for s in DEMO_SPOKES for n in (f"vnet-hub-to-vnet-{s}", f"vnet-{s}-to-vnet-hub")}), puts
    hub_side = live_peerings(emulator, seeded_vnet("vnet-hub"))
    assert sorted(hub_side) == [
        "vnet-hub-to-vnet-analytics",
        "vnet-hub-to-vnet-identity",
        "vnet-hub-to-vnet-payments",
        "vnet-hub-to-vnet-web",
    ]
    assert {p["properties"]["peeringState"] for p in hub_side.values()} == {"Connected"}
    assert hub_side["vnet-hub-to-vnet-payments"]["properties"]["allowGatewayTransit"] is True
    payments = live_peerings(emulator, seeded_vnet("vnet-payments"))["vnet-payments-to-vnet-hub"]["properties"]
    assert payments["useRemoteGateways"] is True and payments["peeringState"] == "Connected"
    analytics = live_peerings(emulator, seeded_vnet("vnet-analytics"))["vnet-analytics-to-vnet-hub"]["properties"]
    assert analytics["peerCompleteVnets"] is False and analytics["localSubnetNames"] == ["app"]

    outputs = project.outputs()["peerings"]
    assert {o["hub_to_spoke_state"] for o in outputs.values()} == {"Connected"}
    assert {o["spoke_to_hub_state"] for o in outputs.values()} == {"Connected"}
    # the component draws what it reports: the hub, each spoke by key and vnet, one Connected line per pair
    picture = project.outputs()["topology"].splitlines()
    assert picture[:2] == ["flowchart LR", '    v0{{"vnet-hub"}}'], picture
    assert sorted(line.split('"')[1] for line in picture[2:6]) == [f"{k}: vnet-{k}" for k in sorted(DEMO_SPOKES)]
    assert sorted(line for line in picture if "---" in line) == [f"    v0 ---|Connected| v{i}" for i in range(1, 5)]

    # Reordering the spokes changes nothing: names derive from spoke keys only.
    configure(project, seeded_vnet("vnet-hub"), dict(reversed(list(DEMO_SPOKES.items()))))
    before = emulator.last_request_seq()
    stored = {r["urn"]: r["inputs"] for r in project.resources("VirtualNetworkPeering")}
    project.preview(expect_no_changes=True)
    project.up("--expect-no-changes")
    assert arm_writes(emulator, before) == []
    # The inputs checked now are the stored ones: where they differ, the engine writes the whole checkpoint for
    # each unchanged resource (N writes of an N-sized stack in every no-change up, as many at every preview).
    assert {r["urn"]: r["inputs"] for r in project.resources("VirtualNetworkPeering")} == stored


def test_a_disconnected_pair_is_written_hub_side_first(hub_spoke_project: PulumiProject, emulator: Any) -> None:
    """The spoke side of a pair is deleted out of band: the hub side reads Disconnected, and ARM refuses a write of
    the spoke side until the hub side is written again (RemotePeeringIsDisconnected). The component orders the
    spoke side's re-creation after the hub side's update (docs/planner.md), so the refreshed `up` writes the hub
    side, then the spoke side, with no refusal and no re-arm, and the pair reads Connected again."""
    project = hub_spoke_project
    configure(project, seeded_vnet("vnet-hub"), {"identity": DEMO_SPOKES["identity"]})
    project.up()
    spoke_side = f"{seeded_vnet('vnet-identity')}/virtualNetworkPeerings/vnet-identity-to-vnet-hub"
    assert emulator.arm("DELETE", spoke_side).status_code in (200, 202, 204)
    emulator.finish_operations()
    hub_side = live_peerings(emulator, seeded_vnet("vnet-hub"))["vnet-hub-to-vnet-identity"]["properties"]
    assert hub_side["peeringState"] == "Disconnected"

    # ARM answers the hub side's reads half a second late: were the spoke side not ordered after the hub side, its
    # PUT would reach ARM first and be refused (the order, not the time, is what is asserted)
    emulator.set_faults("slow=1:0.5;match=GET:/virtualNetworkPeerings/vnet-hub-to-vnet-identity")
    seq = emulator.last_request_seq()
    up = project.up("--refresh")
    assert emulator.faults()["injected"].get("slow"), emulator.faults()
    emulator.set_faults("")
    assert "is Disconnected; it is written again before its reverse" in up.output, up.output
    writes = [(w["method"], w["path"].rsplit("/", 1)[-1], w["status"]) for w in arm_writes(emulator, seq)]
    assert writes == [("PUT", "vnet-hub-to-vnet-identity", 200), ("PUT", "vnet-identity-to-vnet-hub", 201)], writes
    for vnet, name in (("vnet-hub", "vnet-hub-to-vnet-identity"), ("vnet-identity", "vnet-identity-to-vnet-hub")):
        properties = live_peerings(emulator, seeded_vnet(vnet))[name]["properties"]
        assert (properties["peeringState"], properties["peeringSyncLevel"]) == ("Connected", "FullyInSync")
    assert project.outputs()["peerings"]["identity"]["status"] == "Connected"
    project.preview(expect_no_changes=True)


def test_mesh_between_spokes(hub_spoke_project: PulumiProject, emulator: Any) -> None:
    project = hub_spoke_project
    spokes = {**DEMO_SPOKES, "analytics": {**DEMO_SPOKES["analytics"], "joinMesh": False}}
    project.write_config(
        {"peering-test:hubVnetId": seeded_vnet("vnet-hub"), "peering-test:spokes": spokes, "peering-test:mesh": True}
    )
    project.up()
    mesh = project.outputs()["mesh_peerings"]
    # identity, payments and web are meshed both ways: 3 pairs, 6 peerings; analytics stays out.
    assert len(mesh) == 6 and all("analytics" not in key for key in mesh)
    # drawn: 4 hub pairs and the 3 meshed pairs, each once, all Connected
    links = [line for line in project.outputs()["topology"].splitlines() if "---" in line]
    assert len(links) == 7 and all("---|Connected|" in line for line in links), links
    for name in ("vnet-identity", "vnet-payments", "vnet-web"):
        live = live_peerings(emulator, seeded_vnet(name))
        meshed = {n: p for n, p in live.items() if n.startswith("mesh-")}
        assert len(meshed) == 2, live.keys()
        for p in meshed.values():
            assert p["properties"]["peeringState"] == "Connected"
            assert p["properties"]["useRemoteGateways"] is False and p["properties"]["allowGatewayTransit"] is False
    project.preview(expect_no_changes=True)


def test_removing_a_spoke_deletes_both_halves_only(hub_spoke_project: PulumiProject, emulator: Any) -> None:
    project = hub_spoke_project
    project.up()
    etags_before = {n: p["etag"] for n, p in live_peerings(emulator, seeded_vnet("vnet-hub")).items()}

    configure(project, seeded_vnet("vnet-hub"), {k: v for k, v in DEMO_SPOKES.items() if k != "web"})
    before = emulator.last_request_seq()
    result = project.up()
    assert "2 deleted" in result.stdout, result.stdout
    writes = arm_writes(emulator, before)
    assert {(w["method"], w["path"].lower().rsplit("/", 1)[-1]) for w in writes if w["status"] < 300} == {
        ("DELETE", "vnet-hub-to-vnet-web"),
        ("DELETE", "vnet-web-to-vnet-hub"),
    }
    assert "vnet-hub-to-vnet-web" not in live_peerings(emulator, seeded_vnet("vnet-hub"))
    assert live_peerings(emulator, seeded_vnet("vnet-web")) == {}
    etags_after = {n: p["etag"] for n, p in live_peerings(emulator, seeded_vnet("vnet-hub")).items()}
    assert etags_after == {n: e for n, e in etags_before.items() if n != "vnet-hub-to-vnet-web"}


def test_resized_spoke_is_synced_on_up_refresh(hub_spoke_project: PulumiProject, emulator: Any) -> None:
    project = hub_spoke_project
    project.up()
    vnet = seeded_vnet("vnet-identity")
    add_address_prefix(emulator, vnet, "10.44.0.0/16")
    hub_side = live_peerings(emulator, seeded_vnet("vnet-hub"))["vnet-hub-to-vnet-identity"]["properties"]
    assert hub_side["peeringSyncLevel"] == "LocalNotInSync"

    project.up("--refresh")
    hub_side = live_peerings(emulator, seeded_vnet("vnet-hub"))["vnet-hub-to-vnet-identity"]["properties"]
    spoke_side = live_peerings(emulator, vnet)["vnet-identity-to-vnet-hub"]["properties"]
    assert hub_side["peeringSyncLevel"] == spoke_side["peeringSyncLevel"] == "FullyInSync"
    assert "10.44.0.0/16" in hub_side["remoteVirtualNetworkAddressSpace"]["addressPrefixes"]
    project.preview(expect_no_changes=True)


def test_resized_spoke_is_synced_by_a_plain_up(hub_spoke_project: PulumiProject, emulator: Any) -> None:
    """No refresh: the component read the spoke's new address space at preview, so a plain preview shows the hub
    side's update with the old and the new prefixes, and a plain up syncs the pair (issue 25)."""
    project = hub_spoke_project
    project.up()
    vnet = seeded_vnet("vnet-identity")
    add_address_prefix(emulator, vnet, "10.44.0.0/16")

    seq = emulator.last_request_seq()
    preview = project.preview("--diff")
    assert arm_writes(emulator, seq) == []
    assert "1 to update" in preview.output, preview.output
    assert "remote_vnet_address_space" in preview.output and "10.44.0.0/16" in preview.output, preview.output
    project.up()
    hub_side = live_peerings(emulator, seeded_vnet("vnet-hub"))["vnet-hub-to-vnet-identity"]["properties"]
    spoke_side = live_peerings(emulator, vnet)["vnet-identity-to-vnet-hub"]["properties"]
    assert hub_side["peeringSyncLevel"] == spoke_side["peeringSyncLevel"] == "FullyInSync"
    assert "10.44.0.0/16" in hub_side["remoteVirtualNetworkAddressSpace"]["addressPrefixes"]
    project.preview(expect_no_changes=True)


def test_bad_topology_fails_at_preview_with_zero_writes(hub_spoke_project: PulumiProject, emulator: Any) -> None:
    project = hub_spoke_project
    overlapping = {
        "name": "vnet-overlap",
        "addressPrefixes": ["10.1.128.0/20"],  # inside vnet-payments' 10.1.0.0/16
        "subnets": [{"name": "app", "addressPrefix": "10.1.128.0/24"}],
    }
    emulator.seed(
        {
            "resourceGroups": [
                {
                    "subscriptionId": SUB_SPOKES,
                    "name": "rg-spokes",
                    "location": "westeurope",
                    "virtualNetworks": [overlapping],
                }
            ]
        }
    )
    spokes = {
        **DEMO_SPOKES,
        "overlap": {"vnetId": seeded_vnet("vnet-overlap")},
        "payments-again": {"vnetId": seeded_vnet("vnet-payments")},
        "analytics": {**DEMO_SPOKES["analytics"], "localSubnetNames": ["nope"]},
    }
    configure(project, seeded_vnet("vnet-hub"), spokes)
    before = emulator.last_request_seq()
    result = project.preview(check=False)
    assert not result.ok
    text = result.output
    assert "nothing was changed" in text
    assert 'spokes["payments-again"]' in text and "Fix:" in text
    assert 'spokes["overlap"]' in text or 'spokes["payments"]' in text
    assert "10.1.128.0/20" in text
    assert 'spokes["analytics"].local_subnet_names' in text and "nope" in text
    assert program_tracebacks(text) == [], text
    assert arm_writes(emulator, before) == []


def test_twenty_spokes_while_hub_gateway_is_still_provisioning(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    n = 20
    emulator.set_latency(0.05)
    emulator.seed(topology.hub_and_spokes(n, gateway_seconds=4))
    project = make_project(PROGRAM)
    configure(project, topology.hub_id(), topology.spokes_config(n, use_hub_gateway=True))
    before = emulator.last_request_seq()
    result = project.up(timeout=600)
    assert "failed" not in result.stdout.lower()
    assert f"+ {2 * n + 2} created" in result.stdout, result.stdout
    hub_side = live_peerings(emulator, topology.hub_id())
    assert len(hub_side) == n
    assert {p["properties"]["peeringState"] for p in hub_side.values()} == {"Connected"}
    for i in range(n):
        spoke = live_peerings(emulator, topology.spoke_id(i))
        (props,) = [p["properties"] for p in spoke.values()]
        assert props["useRemoteGateways"] is True and props["peeringState"] == "Connected"
    # Writes that ARM refused for good would show as failed operations; transient ones were absorbed.
    final_failures = [w for w in arm_writes(emulator, before) if w["status"] >= 400 and w["status"] not in (409, 429)]
    assert all(w.get("code") in ("ReferencedResourceNotProvisioned", "RemoteVnetHasNoGateways") for w in final_failures)


def test_split_ownership_with_state_in_s3(tmp_path: Path, emulator: Any, s3_backend: str) -> None:
    """The network team's hub stack and a spoke team's stack, both with state in an S3 bucket (moto server)."""
    emulator.seed(DEMO_SEED)
    env = hermetic_env(tmp_path / "state", {**emulator.env(), **backend_env(s3_backend)})
    example = copy_example("split_ownership", tmp_path / "split_ownership")
    hub = PulumiProject(example / "hub", "prod", env)
    spoke = PulumiProject(example / "spoke", "prod", env)
    hub.select()
    hub.write_config(
        {
            "hub-network:hubVnetId": seeded_vnet("vnet-hub"),
            "hub-network:sharedServicesVnetId": seeded_vnet("vnet-identity"),
        }
    )
    hub.up()
    spoke.select()
    spoke.write_config(
        {
            "spoke-payments:hubStack": "organization/hub-network/prod",
            "spoke-payments:spokeName": "payments",
            "spoke-payments:spokeVnetId": seeded_vnet("vnet-payments"),
            "spoke-payments:useHubGateway": True,
        }
    )
    spoke.up()
    out = spoke.outputs()["peerings"]["payments"]
    assert out["hub_to_spoke_state"] == out["spoke_to_hub_state"] == "Connected"
    hub_side = live_peerings(emulator, seeded_vnet("vnet-hub"))
    assert set(hub_side) == {"vnet-hub-to-vnet-identity", "vnet-hub-to-vnet-payments"}
    spoke.preview(expect_no_changes=True)
    spoke.destroy()
    hub.destroy()
    assert live_peerings(emulator, seeded_vnet("vnet-hub")) == {}
    keys = backend_keys(s3_backend)
    assert any(k.endswith("stacks/hub-network/prod.json") for k in keys), keys
    assert any(k.endswith("stacks/spoke-payments/prod.json") for k in keys), keys
