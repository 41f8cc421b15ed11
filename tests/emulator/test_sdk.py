"""The official Azure SDK for Python as an independent client: azure-identity + azure-mgmt-network over HTTPS.

Configured the way a user would, from `azure-peering-emulator env` (REQUESTS_CA_BUNDLE trusts the emulator's CA).
Each long-running call waits at least the 1 s Retry-After the emulator sends, like ARM does.
"""

from __future__ import annotations

import pytest

from pulumi_azure_peering.emulator.testing import EmulatorProcess

from .helpers import RG, SUB_A

pytestmark = pytest.mark.emulator


def test_sdk_peers_syncs_lists_and_deletes(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
    from azure.identity import ClientSecretCredential
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.network.models import (
        AddressSpace,
        SubResource,
        VirtualNetwork,
        VirtualNetworkPeering,
        VirtualNetworkPeeringPropertiesFormat,
        VirtualNetworkPropertiesFormat,
    )

    def vnet(*prefixes: str) -> VirtualNetwork:
        space = AddressSpace(address_prefixes=list(prefixes))
        return VirtualNetwork(location="westeurope", properties=VirtualNetworkPropertiesFormat(address_space=space))

    def peering(remote: str | None, forwarded: bool = False) -> VirtualNetworkPeering:
        props = VirtualNetworkPeeringPropertiesFormat(
            remote_virtual_network=SubResource(id=remote), allow_forwarded_traffic=forwarded
        )
        return VirtualNetworkPeering(properties=props)

    env = emu.env()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    emu.seed({"resourceGroups": [{"subscriptionId": SUB_A, "name": RG, "location": "westeurope"}]})
    since = emu.last_request_seq()
    credential = ClientSecretCredential(
        env["AZURE_TENANT_ID"],
        env["AZURE_CLIENT_ID"],
        env["AZURE_CLIENT_SECRET"],
        authority=env["AZURE_AUTHORITY_HOST"],
        disable_instance_discovery=True,
    )
    client = NetworkManagementClient(
        credential,
        SUB_A,
        base_url=env["AZURE_PEERING_ARM_ENDPOINT"],
        credential_scopes=["https://management.azure.com/.default"],
    )
    vnets = client.virtual_networks
    a = vnets.begin_create_or_update(RG, "a", vnet("10.1.0.0/16")).result()
    b = vnets.begin_create_or_update(RG, "b", vnet("10.2.0.0/16", "fd00:2::/48")).result()
    assert a.provisioning_state == "Succeeded"

    peerings = client.virtual_network_peerings
    ab = peerings.begin_create_or_update(RG, "a", "a-b", peering(b.id)).result()
    assert (ab.peering_state, ab.provisioning_state) == ("Initiated", "Succeeded")
    ba = peerings.begin_create_or_update(RG, "b", "b-a", peering(a.id, forwarded=True)).result()
    assert ba.peering_state == "Connected"
    assert peerings.get(RG, "a", "a-b").peering_state == "Connected"
    assert ba.remote_address_space.address_prefixes == ["10.1.0.0/16"]

    vnets.begin_create_or_update(RG, "a", vnet("10.1.0.0/16", "10.11.0.0/16")).result()
    assert peerings.get(RG, "b", "b-a").peering_sync_level == "LocalNotInSync"
    assert peerings.get(RG, "a", "a-b").peering_sync_level == "RemoteNotInSync"
    synced = peerings.begin_create_or_update(
        RG, "b", "b-a", peerings.get(RG, "b", "b-a"), sync_remote_address_space="true"
    ).result()
    assert synced.peering_sync_level == "FullyInSync"
    assert synced.remote_address_space.address_prefixes == ["10.1.0.0/16", "10.11.0.0/16"]

    assert [p.name for p in peerings.list(RG, "a")] == ["a-b"]
    with pytest.raises(HttpResponseError) as overlap:
        peerings.begin_create_or_update(RG, "a", "a-a", peering(a.id)).result()
    assert overlap.value.error is not None and overlap.value.error.code == "CannotPeerVirtualNetworkWithItself"

    peerings.begin_delete(RG, "a", "a-b").result()
    with pytest.raises(ResourceNotFoundError):
        peerings.get(RG, "a", "a-b")
    assert peerings.get(RG, "b", "b-a").peering_state == "Disconnected"

    log = emu.request_log(since)
    assert any("/operations/" in e["path"] for e in log)  # it polled Azure-AsyncOperation
    sent = {e["query"].split("api-version=")[1][:10] for e in log if "api-version=" in e["query"]}
    assert "2026-03-01" in sent
