"""The provider object against the ARM emulator over HTTPS with real azure-identity credentials.

Each test calls configure/check/diff/create/read/update/delete in the order the engine would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from harness.topology import vnet_id
from pulumi_azure_peering.provider.errors import PeeringOperationError
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from pulumi_azure_peering.provider.runtime import Runtime, process_runtime
from tests.arm_views import arm_writes
from tests.emulator_config import PARTNER_TENANT, SUB_HUB, SUB_SPOKES, seeded_vnet
from tests.provider_on_emulator.provider_env import Engine, add_address_prefix, args, new_provider

pytestmark = pytest.mark.emulator


@pytest.fixture
def engine(emu: Any) -> Engine:
    return Engine(new_provider())


def arm_peering(emu: Any, local: str, name: str) -> dict[str, Any]:
    response = emu.arm("GET", f"{seeded_vnet(local)}/virtualNetworkPeerings/{name}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_initiated_then_connected_once_the_reverse_exists(engine: Engine, emu: Any) -> None:
    assert engine.up("a", args("vnet-hub", "vnet-payments")) == "create"
    out = engine.outputs["a"]
    assert out["peering_state"] == "Initiated"
    assert out["provisioning_state"] == "Succeeded"
    assert out["peering_id"].endswith("/virtualNetworkPeerings/vnet-hub-to-vnet-payments")
    assert out["remote_virtual_network_address_space"] == ["10.1.0.0/16"]
    assert out["resource_guid"] and out["etag"]

    assert engine.up("b", args("vnet-payments", "vnet-hub")) == "create"
    assert engine.outputs["b"]["peering_state"] == "Connected"
    refreshed = engine.refresh("a")
    assert refreshed is not None and refreshed["peering_state"] == "Connected"
    assert refreshed["resource_guid"] == engine.outputs["b"]["resource_guid"]
    assert engine.outputs["b"]["remote_virtual_network_encryption"] is None or isinstance(
        engine.outputs["b"]["remote_virtual_network_encryption"], dict
    )


def test_no_change_is_no_write(engine: Engine, emu: Any) -> None:
    engine.up("a", args("vnet-hub", "vnet-payments"))
    seq = emu.last_request_seq()
    assert engine.up("a", args("vnet-hub", "vnet-payments")) == "same"
    assert arm_writes(emu, seq) == []


def test_in_place_update(engine: Engine, emu: Any) -> None:
    engine.up("a", args("vnet-hub", "vnet-payments"))
    guid = engine.outputs["a"]["resource_guid"]
    assert engine.up("a", args("vnet-hub", "vnet-payments", allow_forwarded_traffic=True)) == "update"
    assert engine.outputs["a"]["allow_forwarded_traffic"] is True
    assert engine.outputs["a"]["resource_guid"] == guid
    assert arm_peering(emu, "vnet-hub", "vnet-hub-to-vnet-payments")["properties"]["allowForwardedTraffic"] is True


def test_replace_on_rename_deletes_first(engine: Engine, emu: Any, next_command: Callable[[], Runtime]) -> None:
    engine.up("a", args("vnet-hub", "vnet-payments"))
    next_command()  # each `pulumi up` is a provider process of its own (a create and a delete of one run never meet)
    assert engine.up("a", args("vnet-hub", "vnet-payments", name="hub-payments")) == "replace"
    assert engine.outputs["a"]["name"] == "hub-payments"
    gone = emu.arm("GET", f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/vnet-hub-to-vnet-payments")
    assert gone.status_code == 404


def test_subnet_peering_and_subnet_list_update(engine: Engine, emu: Any, next_command: Callable[[], Runtime]) -> None:
    sub: dict[str, Any] = {
        "peer_complete_vnets": False,
        "local_subnet_names": ["shared"],
        "remote_subnet_names": ["app"],
    }
    engine.up("a", args("vnet-hub", "vnet-payments", **sub))
    assert engine.outputs["a"]["local_subnet_names"] == ["shared"]
    more: dict[str, Any] = {**sub, "remote_subnet_names": ["app", "data"]}
    next_command()
    assert engine.up("a", args("vnet-hub", "vnet-payments", **more)) == "update"
    assert sorted(engine.outputs["a"]["remote_subnet_names"]) == ["app", "data"]
    next_command()
    assert engine.up("a", args("vnet-hub", "vnet-payments")) == "replace"  # subnets -> whole vnet
    assert engine.outputs["a"]["peer_complete_vnets"] is True


def test_refresh_sees_a_flag_changed_out_of_band_and_up_restores_it(engine: Engine, emu: Any) -> None:
    engine.up("a", args("vnet-hub", "vnet-payments"))
    body = arm_peering(emu, "vnet-hub", "vnet-hub-to-vnet-payments")
    body["properties"]["allowVirtualNetworkAccess"] = False
    put = emu.arm("PUT", body["id"], json={"properties": body["properties"]})
    assert put.status_code in (200, 201), put.text
    emu.finish_operations()
    refreshed = engine.refresh("a")
    assert refreshed is not None and refreshed["allow_virtual_network_access"] is False
    assert engine.up("a", args("vnet-hub", "vnet-payments")) == "update"
    assert engine.outputs["a"]["allow_virtual_network_access"] is True


def test_remote_address_space_change_is_synced(engine: Engine, emu: Any) -> None:
    engine.up("a", args("vnet-hub", "vnet-payments"))
    engine.up("b", args("vnet-payments", "vnet-hub"))
    vnet_body = emu.arm("GET", seeded_vnet("vnet-payments")).json()
    vnet_body["properties"]["addressSpace"]["addressPrefixes"].append("10.11.0.0/16")
    put = emu.arm(
        "PUT",
        seeded_vnet("vnet-payments"),
        json={"location": vnet_body["location"], "properties": vnet_body["properties"]},
    )
    assert put.status_code in (200, 201), put.text
    emu.finish_operations()
    a = engine.refresh("a")
    b = engine.refresh("b")
    assert a is not None and b is not None
    levels = {a["peering_sync_level"], b["peering_sync_level"]}
    assert levels & {"LocalNotInSync", "RemoteNotInSync", "LocalAndRemoteNotInSync"}, levels
    seq = emu.last_request_seq()
    for key, local, remote in (("a", "vnet-hub", "vnet-payments"), ("b", "vnet-payments", "vnet-hub")):
        engine.up(key, args(local, remote))
    assert any("syncRemoteAddressSpace=true" in (r.get("query") or "") for r in arm_writes(emu, seq))
    a, b = engine.refresh("a"), engine.refresh("b")
    assert a is not None and b is not None
    assert a["peering_sync_level"] == b["peering_sync_level"] == "FullyInSync"
    assert "10.11.0.0/16" in a["remote_virtual_network_address_space"]
    assert a["peering_state"] == "Connected"


def test_a_resized_remote_is_synced_by_a_plain_up_when_the_program_gives_its_space(engine: Engine, emu: Any) -> None:
    """No refresh: the program gives each peering its remote vnet's address space (as HubSpokePeering's lookup or
    an azure-native vnet's output does). Without it a plain `up` sees no change after a resize, and the pair stays
    out of sync; with it, the diff sees the remote resized since ARM last reported it, and the update syncs."""
    spaces = {"vnet-hub": ["10.0.0.0/16", "fd00:10::/48"], "vnet-payments": ["10.1.0.0/16"]}
    pair = (("a", "vnet-hub", "vnet-payments"), ("b", "vnet-payments", "vnet-hub"))
    for key, local, remote in pair:
        engine.up(key, args(local, remote, remote_vnet_address_space=spaces[remote]))
    add_address_prefix(emu, seeded_vnet("vnet-payments"), "10.11.0.0/16")
    seq = emu.last_request_seq()
    # the space the program gave last time: nothing to see, nothing written (today's tools' behaviour)
    assert [engine.up(k, args(lo, re, remote_vnet_address_space=spaces[re])) for k, lo, re in pair] == ["same"] * 2
    assert arm_writes(emu, seq) == []
    spaces["vnet-payments"] = ["10.1.0.0/16", "10.11.0.0/16"]  # what a lookup of the vnet reads now
    assert [engine.up(k, args(lo, re, remote_vnet_address_space=spaces[re])) for k, lo, re in pair] == [
        "update",
        "same",
    ]
    assert any("syncRemoteAddressSpace=true" in (r.get("query") or "") for r in arm_writes(emu, seq))
    for key in ("a", "b"):
        live = arm_peering(
            emu,
            *(
                ("vnet-hub", "vnet-hub-to-vnet-payments")
                if key == "a"
                else ("vnet-payments", "vnet-payments-to-vnet-hub")
            ),
        )
        assert live["properties"]["peeringSyncLevel"] == "FullyInSync", live
    assert "10.11.0.0/16" in engine.outputs["a"]["remote_virtual_network_address_space"]
    seq = emu.last_request_seq()
    assert [engine.up(k, args(lo, re, remote_vnet_address_space=spaces[re])) for k, lo, re in pair] == ["same"] * 2
    assert arm_writes(emu, seq) == []


def test_deleted_remote_peering_is_disconnected_then_re_established(engine: Engine, emu: Any) -> None:
    engine.up("a", args("vnet-hub", "vnet-payments"))
    engine.up("b", args("vnet-payments", "vnet-hub"))
    deleted = emu.arm("DELETE", f"{seeded_vnet('vnet-payments')}/virtualNetworkPeerings/vnet-payments-to-vnet-hub")
    assert deleted.status_code in (200, 202, 204)
    emu.finish_operations()
    a = engine.refresh("a")
    assert a is not None and a["peering_state"] == "Disconnected"
    assert engine.refresh("b") is None  # gone: leaves the state
    # the next up: b is created again while a is updated; run them concurrently, as the engine may
    results: dict[str, str] = {}

    def step(key: str, local: str, remote: str) -> None:
        results[key] = engine.up(key, args(local, remote))

    threads = [
        threading.Thread(target=step, args=("b", "vnet-payments", "vnet-hub")),
        threading.Thread(target=step, args=("a", "vnet-hub", "vnet-payments")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == {"a": "update", "b": "create"}
    a = engine.refresh("a")
    assert a is not None and a["peering_state"] == "Connected"


def test_existing_peering_is_not_taken_over_unless_adopted(engine: Engine, emu: Any) -> None:
    pid = f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/manual"
    body = {
        "properties": {"remoteVirtualNetwork": {"id": seeded_vnet("vnet-analytics")}, "allowForwardedTraffic": True}
    }
    assert emu.arm("PUT", pid, json=body).status_code in (200, 201)
    emu.finish_operations()
    failures = engine.failures("m", args("vnet-hub", "vnet-analytics", name="manual"))
    assert "adopt_existing=true" in failures["name"]
    # create itself refuses too (preflight off, or a peering that appeared after check)
    provider = engine.provider
    with pytest.raises(PeeringOperationError, match="already exists"):
        provider.create(engine.check("m", args("vnet-hub", "vnet-analytics", name="manual", preflight=False)))
    assert engine.up("m", args("vnet-hub", "vnet-analytics", name="manual", adopt_existing=True)) == "create"
    assert engine.outputs["m"]["allow_forwarded_traffic"] is False  # brought to the program's inputs


def test_a_write_updates_the_cached_facts_of_its_vnets_instead_of_reading_them_again(engine: Engine, emu: Any) -> None:
    """A hub's facts list every peering of the hub: re-reading them after each write made a rollout O(N^2)."""
    hub = seeded_vnet("vnet-hub")
    assert engine.up("a", args("vnet-hub", "vnet-payments")) == "create"
    seq = emu.last_request_seq()
    assert engine.up("b", args("vnet-hub", "vnet-analytics")) == "create"
    reads_of_hub = [r for r in emu.request_log(since=seq) if r["method"] == "GET" and r["path"].lower() == hub.lower()]
    assert reads_of_hub == []
    # what the cache holds after the writes is what ARM holds, and the checks see it (in a run of their own: in
    # this run the ledger would refuse "c" and "d" first, as other resources naming a's peering and link)
    process_runtime().ledger.reset()
    taken = engine.failures("c", args("vnet-hub", "vnet-analytics", name="vnet-hub-to-vnet-payments"))
    assert "already exists" in taken["name"]
    twin = engine.failures("d", args("vnet-hub", "vnet-payments", name="second-link"))
    assert "AnotherPeeringAlreadyReferencesRemoteVnet" in twin["remote_virtual_network_id"]
    assert engine.up("a-back", args("vnet-payments", "vnet-hub")) == "create"  # the pair is Connected now
    seq = emu.last_request_seq()
    cached = process_runtime().vnet_facts.get(engine.provider.client(), hub)
    assert emu.request_log(since=seq) == []  # answered by the cache
    assert cached is not None
    listed = emu.arm("GET", f"{hub}/virtualNetworkPeerings").json()["value"]
    assert {(p.name, p.peering_state, str(p.remote_virtual_network_id).lower()) for p in cached.peerings} == {
        (p["name"], p["properties"]["peeringState"], p["properties"]["remoteVirtualNetwork"]["id"].lower())
        for p in listed
    }


def test_destroy_and_already_gone(engine: Engine, emu: Any, next_command: Callable[[], Runtime]) -> None:
    engine.up("a", args("vnet-hub", "vnet-payments"))
    pid, outs = engine.ids["a"], engine.outputs["a"]
    next_command()  # `pulumi destroy`
    engine.destroy("a")
    assert emu.arm("GET", pid).status_code == 404
    engine.provider.delete(pid, outs)  # already gone: success


def test_preflight_failures_make_no_write(engine: Engine, emu: Any) -> None:
    emu.seed(
        {
            "resourceGroups": [
                {
                    "subscriptionId": SUB_SPOKES,
                    "name": "rg-spokes",
                    "location": "westeurope",
                    "virtualNetworks": [{"name": "vnet-clash", "addressPrefixes": ["10.1.128.0/17"]}],
                }
            ]
        }
    )
    seq = emu.last_request_seq()
    overlap = engine.failures("x", args("vnet-payments", "vnet-clash"))
    assert "VnetAddressSpacesOverlap" in overlap["remote_virtual_network_id"]
    no_gateway = engine.failures("y", args("vnet-hub", "vnet-analytics", use_remote_gateways=True))
    assert "use_remote_gateways" in no_gateway
    missing = engine.failures("z", args("vnet-hub", "vnet-nowhere"))
    assert "does not exist" in missing["remote_virtual_network_id"]
    process_runtime().ledger.reset()  # another program: in this one "s" would link the same two vnets as "y"
    subnets = engine.failures(
        "s",
        args(
            "vnet-hub",
            "vnet-analytics",
            peer_complete_vnets=False,
            local_subnet_names=["shared"],
            remote_subnet_names=["nope"],
        ),
    )
    assert "nope" in subnets["remote_subnet_names"]
    assert arm_writes(emu, seq) == []


def test_gateway_transit_spoke_uses_the_hub_gateway(engine: Engine, emu: Any) -> None:
    engine.up("hub", args("vnet-hub", "vnet-analytics", allow_gateway_transit=True))
    engine.up("spoke", args("vnet-analytics", "vnet-hub", use_remote_gateways=True))
    out = engine.outputs["spoke"]
    assert out["use_remote_gateways"] is True and out["peering_state"] == "Connected"
    assert out["remote_gateways"] and "virtualNetworkGateways" in out["remote_gateways"][0]


def test_cross_tenant_needs_auxiliary_tenant(engine: Engine, emu: Any) -> None:
    failures = engine.failures("p", args("vnet-hub", "vnet-partner"))
    assert "auxiliary_tenant_ids" in failures["remote_virtual_network_id"]
    assert engine.up("p", args("vnet-hub", "vnet-partner", auxiliary_tenant_ids=[PARTNER_TENANT])) == "create"
    assert engine.outputs["p"]["peering_state"] == "Initiated"


def test_a_tenant_one_peering_names_is_not_lent_to_another(engine: Engine, emu: Any) -> None:
    """Once a peering that names the partner tenant has been written, the process knows the partner's subscription
    belongs to it (ARM's challenge said so) and has the partner's vnet cached. Another peering to the partner's
    vnet that does not name the tenant must still be refused at check, as in a process that learned nothing: its
    PUT needs the partner's token as an auxiliary one, and ARM would refuse it at `up`."""
    assert engine.up("p", args("vnet-hub", "vnet-partner", auxiliary_tenant_ids=[PARTNER_TENANT])) == "create"

    spoke_side = engine.failures("q", args("vnet-payments", "vnet-partner"))
    assert PARTNER_TENANT in spoke_side["remote_virtual_network_id"]
    assert "auxiliary_tenant_ids" in spoke_side["remote_virtual_network_id"]
    assert "preflight=false" not in spoke_side["remote_virtual_network_id"]  # the fix is the tenant, said once
    partner_side = engine.failures("r", args("vnet-partner", "vnet-payments"))
    assert PARTNER_TENANT in partner_side["virtual_network_id"]

    # what check would otherwise have let through: ARM refuses the write without the partner's token
    response = emu.arm(
        "PUT",
        f"{seeded_vnet('vnet-payments')}/virtualNetworkPeerings/vnet-payments-to-vnet-partner",
        json={"properties": {"remoteVirtualNetwork": {"id": seeded_vnet("vnet-partner")}}},
    )
    assert response.status_code in (401, 403), response.text
    # with the tenant named, both sides go through
    aux: dict[str, Any] = {"auxiliary_tenant_ids": [PARTNER_TENANT]}
    assert engine.up("q", args("vnet-payments", "vnet-partner", **aux)) == "create"
    assert engine.up("r", args("vnet-partner", "vnet-payments", **aux)) == "create"
    assert engine.outputs["r"]["peering_state"] == "Connected"


def test_four_threads_on_one_hub_make_no_conflicts(engine: Engine, emu: Any) -> None:
    emu.set_latency(0.2)
    pairs = [
        ("vnet-hub", "vnet-payments"),
        ("vnet-payments", "vnet-hub"),
        ("vnet-hub", "vnet-analytics"),
        ("vnet-analytics", "vnet-hub"),
    ]
    seq = emu.last_request_seq()
    errors: list[BaseException] = []

    def step(local: str, remote: str) -> None:
        try:
            engine.up(f"{local}>{remote}", args(local, remote))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=step, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert all(engine.refresh(k)["peering_state"] == "Connected" for k in list(engine.ids))  # type: ignore[index]
    conflicts = [r for r in emu.request_log(since=seq) if r["status"] == 409]
    assert conflicts == []  # serialised per vnet inside the process


def test_injected_faults_are_absorbed(engine: Engine, emu: Any) -> None:
    emu.set_faults("seed=3;429=0.25;503=0.15;500=0.05;retry_after=0")
    engine.up("a", args("vnet-hub", "vnet-payments"))
    engine.up("b", args("vnet-payments", "vnet-hub"))
    engine.up("a", args("vnet-hub", "vnet-payments", allow_forwarded_traffic=True))
    assert engine.refresh("a") is not None
    engine.destroy("a")
    engine.destroy("b")
    injected = emu.faults()
    emu.set_faults("")
    assert sum(injected.get("injected", injected.get("counts", {})).values()) > 0, injected


def test_conflicts_from_another_writer_are_retried(engine: Engine, emu: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # The provider waits out the holder's operation as long as its answers ask: here the emulator's exact remaining
    # time (``x-ms-retry-after-ms``, an extra real Azure does not send), capped at a minute. This test ends that
    # operation as soon as the provider has been told 409, so each wait is recorded and cut short, not slept in full.
    waits: list[float] = []

    def short_sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(min(seconds, 0.05))

    monkeypatch.setattr(engine.provider.client().retry, "sleep", short_sleep)
    emu.set_latency(600.0)
    # someone else writes to the hub (outside this process); their operation ends once we have been told 409
    other = {"properties": {"remoteVirtualNetwork": {"id": seeded_vnet("vnet-analytics")}}}
    assert emu.arm("PUT", f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/other", json=other).status_code in (
        200,
        201,
    )
    emu.set_latency(0.05)
    seq = emu.last_request_seq()

    def release_after_a_conflict() -> None:
        for _ in range(600):
            if any(r["status"] == 409 for r in emu.request_log(since=seq)):
                break
            threading.Event().wait(0.1)
        emu.finish_operations()

    releaser = threading.Thread(target=release_after_a_conflict, daemon=True)
    releaser.start()
    engine.up("a", args("vnet-hub", "vnet-payments"))
    releaser.join(30)
    assert engine.outputs["a"]["peering_state"] == "Initiated"
    log = emu.request_log(since=seq)
    statuses = [r["status"] for r in log if r["method"] == "PUT"]
    assert 409 in statuses and statuses[-1] in (200, 201)
    # the 409 was waited out by reading the holder's operation, not by a blind backoff
    assert waits, "the conflict was retried without a wait"
    conflict = next(r["seq"] for r in log if r["status"] == 409)
    assert any(r["method"] == "GET" and "/operations/" in r["path"] and r["seq"] > conflict for r in log), log


def test_expired_tokens_are_replaced(engine: Engine, emu: Any) -> None:
    engine.up("a", args("vnet-hub", "vnet-payments"))
    peering = engine.ids["a"]
    emu.expire_tokens()
    seq = emu.last_request_seq()
    refreshed = engine.refresh("a")
    assert refreshed is not None and refreshed["peering_state"] == "Initiated"
    reads = [
        (r["status"], r["code"]) for r in emu.request_log(since=seq) if r["method"] == "GET" and r["path"] == peering
    ]
    # the expired token was refused, a new one fetched, and the same read answered with it
    assert reads == [(401, "ExpiredAuthenticationToken"), (200, None)], reads


def test_settings_from_stack_config(emu: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    env = emu.env()
    for key in ("AZURE_PEERING_ARM_ENDPOINT", "AZURE_CLIENT_SECRET", "AZURE_PEERING_CA_BUNDLE"):
        monkeypatch.delenv(key)
    config = {
        "azure-peering:armEndpoint": env["AZURE_PEERING_ARM_ENDPOINT"],
        "azure-peering:clientSecret": env["AZURE_CLIENT_SECRET"],
        "azure-peering:caBundle": env["AZURE_PEERING_CA_BUNDLE"],
    }
    engine = Engine(new_provider(config))
    assert engine.up("a", args("vnet-hub", "vnet-payments")) == "create"
    broken = Engine(new_provider({**config, "azure-peering:clientSecret": "wrong"}))
    with pytest.raises(PeeringOperationError, match="could not get an ARM token"):
        broken.provider.read(engine.ids["a"], engine.outputs["a"])


def test_provider_unpickled_in_a_fresh_process_state_holds_no_secret(emu: Any) -> None:
    provider = new_provider()
    assert isinstance(provider, VirtualNetworkPeeringProvider)
    provider.client()
    import base64

    from pulumi.dynamic.dynamic import serialize_provider

    raw = base64.b64decode(serialize_provider(provider))
    assert emu.env()["AZURE_CLIENT_SECRET"].encode() not in raw


def test_replacing_one_half_of_a_connected_pair_re_arms_the_other(
    engine: Engine, emu: Any, next_command: Callable[[], Runtime]
) -> None:
    engine.up("a", args("vnet-hub", "vnet-payments"))
    engine.up("b", args("vnet-payments", "vnet-hub"))
    next_command()
    # the rename deletes the old half first, which disconnects b; the new half re-arms b instead of failing
    assert engine.up("a", args("vnet-hub", "vnet-payments", name="hub-payments")) == "replace"
    a, b = engine.refresh("a"), engine.refresh("b")
    assert a is not None and b is not None
    assert a["peering_state"] == b["peering_state"] == "Connected"
    assert b["allow_virtual_network_access"] is True  # b's own settings untouched


def test_per_resource_timeout_bounds_a_hung_operation(engine: Engine, emu: Any) -> None:
    """The create's own timeout cuts off an operation ARM is still running: the create is transactional, so it
    deletes what it started as soon as ARM lets go of the vnet, and says so; nothing is left for a later run (on
    this machine or another) to find and refuse (docs/ownership.md)."""
    emu.set_faults("seed=1;lro_hang=1;match=PUT:virtualNetworkPeerings")
    seq = emu.last_request_seq()

    def release_once_the_create_cleans_up() -> None:
        # ARM's operation ends only once the create has given up on it and tried to delete (refused: vnet busy)
        for _ in range(600):
            if any(r["method"] == "DELETE" for r in emu.request_log(since=seq)):
                break
            threading.Event().wait(0.1)
        emu.set_faults("")
        emu.finish_operations()

    releaser = threading.Thread(target=release_once_the_create_cleans_up, daemon=True)
    releaser.start()
    try:
        with pytest.raises(PeeringOperationError, match=r"did not finish within 2s.*timeouts.*deleted again"):
            engine.up("a", args("vnet-hub", "vnet-payments", timeouts={"create": 2}))
        releaser.join(30)
        pid = f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/vnet-hub-to-vnet-payments"
        assert emu.arm("GET", pid).status_code == 404
    finally:
        emu.set_faults("")
        emu.finish_operations()


def test_use_remote_gateways_waits_for_a_gateway_still_provisioning(engine: Engine, emu: Any) -> None:
    emu.seed(
        {
            "resourceGroups": [
                {
                    "subscriptionId": SUB_HUB,
                    "name": "rg-gw",
                    "location": "westeurope",
                    "virtualNetworks": [
                        {
                            "name": "vnet-gwhub",
                            "addressPrefixes": ["10.50.0.0/16"],
                            "subnets": [{"name": "GatewaySubnet", "addressPrefix": "10.50.255.0/27"}],
                            "gateway": {"name": "vgw", "gatewayType": "Vpn", "sku": "VpnGw1", "provisioningSeconds": 3},
                        },
                        {"name": "vnet-gwspoke", "addressPrefixes": ["10.51.0.0/16"]},
                    ],
                }
            ]
        }
    )

    def vid(name: str) -> str:
        return vnet_id(SUB_HUB, "rg-gw", name)

    def gw_args(local: str, remote: str, **extra: Any) -> dict[str, Any]:
        return {
            **args("vnet-hub", "vnet-payments", name=f"{local}-to-{remote}", **extra),
            "virtual_network_id": vid(local),
            "remote_virtual_network_id": vid(remote),
        }

    engine.up("hub", gw_args("vnet-gwhub", "vnet-gwspoke", allow_gateway_transit=True))
    seq = emu.last_request_seq()
    engine.up("spoke", gw_args("vnet-gwspoke", "vnet-gwhub", use_remote_gateways=True))
    assert engine.outputs["spoke"]["peering_state"] == "Connected"
    codes = [r.get("code") for r in emu.request_log(since=seq) if r["method"] == "PUT"]
    assert "RemoteVnetHasNoGateways" in codes  # refused while provisioning, then written once it was ready
