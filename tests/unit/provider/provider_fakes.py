"""Shared fakes for the provider's unit tests: settings, tokens and an ARM client that never touches the network."""

from __future__ import annotations

from typing import Any

from harness import topology
from pulumi_azure_peering.provider.arm import ArmClient, RetryPolicy
from pulumi_azure_peering.provider.models import VirtualNetworkPeeringResource, outputs_from
from pulumi_azure_peering.provider.properties import ABSENT_WHEN_CHECKED_KEY, RESOURCE_NAME_KEY
from pulumi_azure_peering.provider.settings import Settings, resolve_settings
from pulumi_azure_peering.provider.tenants import TenantDirectory
from pulumi_azure_peering.provider.validation import validate_inputs

SUB = "00000000-0000-0000-0000-000000000001"
ARM = "https://arm.test"
HOME_TENANT = "home-tenant"
#: What real Azure reports for the first side of a pair while the other side does not exist.
LONE_SIDE = ("Initiated", "RemoteNotInSync")


def vnet_id(name: str, rg: str = "rg1", sub: str = SUB) -> str:
    return topology.vnet_id(sub, rg, name)


def peering_id(vnet: str, name: str) -> str:
    return f"{vnet_id(vnet)}/virtualNetworkPeerings/{name}"


def arm_settings(**config: Any) -> Settings:
    cfg = {"azure-peering:armEndpoint": ARM, **{f"azure-peering:{k}": v for k, v in config.items()}}
    return resolve_settings(None, cfg, environ={})


class FakeTokens:
    """Stands in for TokenSource: hands out recognisable tokens and records which tenants were asked."""

    def __init__(self) -> None:
        self.asked: list[str | None] = []
        self.invalidated = 0

    def token(self, tenant_id: str | None = None) -> str:
        self.asked.append(tenant_id)
        return f"token-for-{tenant_id or 'home'}"

    def invalidate(self) -> None:
        self.invalidated += 1

    def home_tenant(self) -> str:
        return HOME_TENANT

    def auxiliary_header(self, tenant_ids: list[str]) -> str | None:
        tenants = [t for t in tenant_ids if t]
        return ", ".join(f"Bearer {self.token(t)}" for t in tenants) or None


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_client(settings: Settings | None = None, **kwargs: Any) -> tuple[ArmClient, Sleeps]:
    sleeps = Sleeps()
    tokens: Any = kwargs.pop("tokens", None) or FakeTokens()
    client = ArmClient(
        settings or arm_settings(),
        tokens=tokens,
        tenants=TenantDirectory(),  # each test learns tenants afresh
        retry=RetryPolicy(sleep=sleeps, initial_backoff=0.01, max_backoff=0.05),
        poll_interval=0.01,
        **kwargs,
    )
    return client, sleeps


def peering_json(
    vnet: str = "hub",
    name: str = "hub-to-spoke",
    remote: str = "spoke",
    *,
    state: str = "Initiated",
    sync: str | None = None,
    provisioning: str = "Succeeded",
    **props: Any,
) -> dict[str, Any]:
    """A peering as ARM answers it. By default the first side of a pair, alone: real Azure reads it ``Initiated`` /
    ``RemoteNotInSync`` for as long as the other side does not exist (recorded traffic: tests/emulator/
    test_one_sided_peering.py); a ``sync`` not given is that for ``Initiated``, else ``FullyInSync``."""
    if sync is None:
        sync = LONE_SIDE[1] if state == LONE_SIDE[0] else "FullyInSync"
    body: dict[str, Any] = {
        "id": peering_id(vnet, name),
        "name": name,
        "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "etag": 'W/"1"',
        "properties": {
            "allowVirtualNetworkAccess": True,
            "allowForwardedTraffic": False,
            "allowGatewayTransit": False,
            "useRemoteGateways": False,
            "doNotVerifyRemoteGateways": False,
            "peerCompleteVnets": True,
            "enableOnlyIPv6Peering": False,
            "remoteVirtualNetwork": {"id": vnet_id(remote)},
            "peeringState": state,
            "peeringSyncLevel": sync,
            "provisioningState": provisioning,
            "resourceGuid": "11111111-2222-3333-4444-555555555555",
            "remoteAddressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
            "remoteVirtualNetworkAddressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
            "localVirtualNetworkAddressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        },
    }
    body["properties"].update(props)
    return body


def stored_component_side(**declared: Any) -> dict[str, Any]:
    """A spoke side as ``HubSpokePeering`` declares it (``preflight: false``: the component planned with the vnets
    it read), with ``declared`` inputs over that, and as ``pulumi stack export`` shows it after ``up``: ``id``,
    the checked ``inputs`` (the program's resource name, the pickled provider, the recovery evidence a create's
    check recorded) and the ``outputs`` from ARM's answer, a Connected pair with every flag at its default."""
    inputs, failures = validate_inputs(
        {
            "virtual_network_id": vnet_id("spoke"),
            "name": "spoke-to-hub",
            "remote_virtual_network_id": vnet_id("hub"),
            "preflight": False,
            **declared,
        }
    )
    assert failures == [], failures
    inputs = {
        **inputs,
        RESOURCE_NAME_KEY: "hub.spoke-to-hub",
        ABSENT_WHEN_CHECKED_KEY: "2026-12-07T00:00:00+00:00",
        "__provider": "pickled",
    }
    live = VirtualNetworkPeeringResource.model_validate(
        peering_json("spoke", "spoke-to-hub", "hub", state="Connected", sync="FullyInSync")
    )
    return {"id": peering_id("spoke", "spoke-to-hub"), "inputs": inputs, "outputs": outputs_from(inputs, live)}


def vnet_json(name: str, prefixes: list[str], subnets: dict[str, str] | None = None, **props: Any) -> dict[str, Any]:
    return {
        "id": vnet_id(name),
        "name": name,
        "location": "westeurope",
        "properties": {
            "provisioningState": "Succeeded",
            "addressSpace": {"addressPrefixes": prefixes},
            "subnets": [
                {"name": sname, "id": f"{vnet_id(name)}/subnets/{sname}", "properties": {"addressPrefix": prefix}}
                for sname, prefix in (subnets or {}).items()
            ],
            **props,
        },
    }
