"""diff: in place vs replace, delete-before-replace, drift from refreshed outputs."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_azure_peering.provider.diffing import declared_change
from pulumi_azure_peering.provider.models import VirtualNetworkPeeringResource, outputs_from
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from pulumi_azure_peering.provider.validation import is_unknown, validate_inputs
from tests.unit.provider.provider_fakes import peering_json, vnet_id
from tests.unit.provider.runtime_calls import runtime_unknown

pytestmark = pytest.mark.unit

PROVIDER = VirtualNetworkPeeringProvider()


def news(**extra: Any) -> dict[str, Any]:
    inputs, failures = validate_inputs(
        {
            "virtual_network_id": vnet_id("hub"),
            "name": "hub-to-spoke",
            "remote_virtual_network_id": vnet_id("spoke"),
            **extra,
        }
    )
    assert not failures or is_unknown(extra), failures
    return {**inputs, "__provider": "x"}


def olds(**props: Any) -> dict[str, Any]:
    state = {k: v for k, v in props.items() if k in ("state", "sync", "provisioning")}
    wire = {k: v for k, v in props.items() if k not in state}
    live = VirtualNetworkPeeringResource.model_validate(peering_json(**state, **wire))
    inputs = news()
    return {**outputs_from(inputs, live), "__provider": "old"}


def test_no_change() -> None:
    d = PROVIDER.diff("id", olds(), news())
    assert d.changes is False and not d.replaces


def test_ids_compare_case_insensitively() -> None:
    d = PROVIDER.diff("id", olds(), news(remote_virtual_network_id=vnet_id("SPOKE").replace("rg1", "RG1")))
    assert d.changes is False


@pytest.mark.parametrize(
    "change",
    [
        {"allow_forwarded_traffic": True},
        {"allow_virtual_network_access": False},
        {"allow_gateway_transit": True},
        {"use_remote_gateways": True},
        {"do_not_verify_remote_gateways": True, "use_remote_gateways": True},
    ],
)
def test_flags_change_in_place(change: dict[str, Any]) -> None:
    d = PROVIDER.diff("id", olds(), news(**change))
    assert d.changes is True and d.replaces == []


def test_subnet_lists_change_in_place_and_compare_as_sets() -> None:
    old = olds(peerCompleteVnets=False, localSubnetNames=["a", "b"], remoteSubnetNames=["c"])
    same = news(peer_complete_vnets=False, local_subnet_names=["B", "a"], remote_subnet_names=["c"])
    assert PROVIDER.diff("id", old, same).changes is False
    more = news(peer_complete_vnets=False, local_subnet_names=["a", "b", "d"], remote_subnet_names=["c"])
    d = PROVIDER.diff("id", old, more)
    assert d.changes is True and d.replaces == []


def test_address_spaces_reported_by_arm_are_not_a_change_when_unset() -> None:
    assert PROVIDER.diff("id", olds(), news()).changes is False


def test_remote_change_replaces_after_deleting() -> None:
    d = PROVIDER.diff("id", olds(), news(remote_virtual_network_id=vnet_id("other")))
    assert d.replaces == ["remote_virtual_network_id"]
    assert d.delete_before_replace is True  # same peering id


def test_name_change_replaces_after_deleting_since_the_remote_is_the_same() -> None:
    d = PROVIDER.diff("id", olds(), news(name="renamed"))
    assert d.replaces == ["name"]
    assert d.delete_before_replace is True  # ARM allows one peering per (vnet, remote)


def test_name_and_remote_change_can_create_first() -> None:
    d = PROVIDER.diff("id", olds(), news(name="renamed", remote_virtual_network_id=vnet_id("other")))
    assert set(d.replaces or []) == {"name", "remote_virtual_network_id"}
    assert d.delete_before_replace is False


def test_link_kind_change_replaces() -> None:
    d = PROVIDER.diff(
        "id", olds(), news(peer_complete_vnets=False, local_subnet_names=["a"], remote_subnet_names=["b"])
    )
    assert "peer_complete_vnets" in (d.replaces or [])
    assert d.delete_before_replace is True


def test_local_vnet_change_replaces() -> None:
    d = PROVIDER.diff("id", olds(), news(virtual_network_id=vnet_id("hub2")))
    assert d.replaces == ["virtual_network_id"]


def test_unknown_remote_during_preview_is_a_replace() -> None:
    d = PROVIDER.diff("id", olds(), news(remote_virtual_network_id=runtime_unknown()))
    assert d.replaces == ["remote_virtual_network_id"] and d.delete_before_replace is True


@pytest.mark.parametrize("level", ["LocalNotInSync", "RemoteNotInSync", "LocalAndRemoteNotInSync"])
def test_out_of_sync_is_an_update(level: str) -> None:
    d = PROVIDER.diff("id", olds(state="Connected", sync=level), news())
    assert d.changes is True and d.replaces == []
    never = {**olds(state="Connected", sync=level), "sync_remote_address_space": "never"}
    assert PROVIDER.diff("id", never, news(sync_remote_address_space="never")).changes is False


def test_disconnected_is_re_established_by_an_update() -> None:
    d = PROVIDER.diff("id", olds(state="Disconnected"), news())
    assert d.changes is True and d.replaces == []


def test_flag_changed_out_of_band_shows_after_refresh() -> None:
    d = PROVIDER.diff("id", olds(allowForwardedTraffic=True), news())
    assert d.changes is True and d.replaces == []


def test_local_only_inputs_are_updates() -> None:
    d = PROVIDER.diff("id", olds(), news(timeouts={"create": 60}))
    assert d.changes is True and d.replaces == []


@pytest.mark.parametrize("change", [{"adopt_existing": True}, {"preflight": False}])
def test_what_only_create_reads_needs_no_update(change: dict[str, Any]) -> None:
    """adopt_existing and preflight are read by check and create alone: after the import of a peering as declared
    (the package's HubSpokePeering with adopt_existing, docs/adopting.md) no update follows for them."""
    assert PROVIDER.diff("id", olds(), news(**change)).changes is False
    assert PROVIDER.diff("id", olds(), news(**change, allow_forwarded_traffic=True)).changes is True


@pytest.mark.parametrize("policy", ["auto", "always"])
def test_a_one_sided_peering_waiting_for_its_other_side_is_no_drift(policy: str) -> None:
    """Real Azure reads Initiated / RemoteNotInSync for as long as the other side does not exist."""
    old = {**olds(state="Initiated", sync="RemoteNotInSync"), "sync_remote_address_space": policy}
    assert PROVIDER.diff("id", old, news(sync_remote_address_space=policy)).changes is False


def test_a_changed_local_address_space_is_written_whatever_arm_reads() -> None:
    """A prefix peering's localAddressSpace reads as what the reverse side peers: the reverse's write can make it
    read as asked while this side still declares the old prefixes, so a change of it is written, not trusted."""
    old = {"local_address_space": ["10.1.1.0/24"], "remote_address_space": ["10.0.1.0/24"]}
    assert declared_change(old, {**old, "local_address_space": ["10.1.0.0/17"]}) == ["local_address_space"]
    assert declared_change(old, {**old, "local_address_space": ["10.1.1.0/24"]}) == []
    assert declared_change(old, {**old, "remote_address_space": ["10.0.0.0/16"]}) == []  # its own: ARM confirms it
    assert declared_change(old, {"remote_address_space": ["10.0.1.0/24"]}) == []  # not declared: nothing to write
