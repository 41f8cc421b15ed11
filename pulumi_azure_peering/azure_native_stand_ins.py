"""Stand-ins for azure-native's ``network.VirtualNetwork`` and ``network.VirtualNetworkGateway``.

Programs that create their vnets (and a hub's VPN gateway) and peer them in the same stack are the most common
thing our users write. In real life those vnets come from azure-native; here, where no Azure account is reachable,
these two Pulumi dynamic resources create them in the emulator (or in Azure: nothing here is emulator-specific)
the way azure-native would: a PUT to ARM over HTTPS with a bearer token from azure-identity, waiting for the
long-running operation, so that their ``id`` is an output that is *unknown during preview*, exactly like
``azure_native.network.VirtualNetwork(...).id``.

They talk to ARM through the provider's one ARM client (:mod:`pulumi_azure_peering.provider.arm`: its retries,
tokens, operation polling and error messages), imported only in the dynamic-provider process. They are example
resources for programs run without an Azure account, not part of the emulator (which never imports the provider).
Their dynamic providers are pickled *by reference to this module*: the process the engine starts imports it again
from the installed package, so this module's path is in the state of every stack that uses them.

Settings are read at run time in the provider process (never pickled), as the peering provider reads them
(:func:`pulumi_azure_peering.provider.settings.resolve_settings`): stack config ``azure-peering:armEndpoint``,
``authorityHost``, ``caBundle``, ``tenantId``, ``clientId``, ``clientSecret``, else the environment variables of
``azure-peering-emulator env`` (``AZURE_PEERING_ARM_ENDPOINT``, ``AZURE_AUTHORITY_HOST``, ``REQUESTS_CA_BUNDLE``,
``AZURE_TENANT_ID``/``AZURE_CLIENT_ID``/``AZURE_CLIENT_SECRET``), else public Azure and ``DefaultAzureCredential``.
The subscription is resolved in the program (it is part of the resource's ARM id, so of its inputs): the
``subscription_id`` argument, else ``azure-native:subscriptionId`` (the config azure-native reads), else
``ARM_SUBSCRIPTION_ID`` / ``AZURE_SUBSCRIPTION_ID``.

Usage (what ``examples/new_network`` does)::

    from pulumi_azure_peering.azure_native_stand_ins import VirtualNetwork, VirtualNetworkArgs, VirtualNetworkGateway,
    VirtualNetworkGatewayArgs

    hub = VirtualNetwork("hub", VirtualNetworkArgs(
        resource_group_name="rg-net", virtual_network_name="vnet-hub", address_prefixes=["10.20.0.0/16"],
        location="westeurope",
        subnets=[{"name": "GatewaySubnet", "address_prefix": "10.20.255.0/27"}],
    ))
    gateway = VirtualNetworkGateway("hub-gw", VirtualNetworkGatewayArgs(
        resource_group_name="rg-net", virtual_network_gateway_name="vgw-hub", virtual_network_id=hub.id,
    ))
    hub.id  # the vnet's ARM id: unknown at preview, known once created
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi.dynamic as dyn

if TYPE_CHECKING:
    from pulumi_azure_peering.provider.arm import ArmClient

NETWORK_API_VERSION = "2024-05-01"
RESOURCES_API_VERSION = "2021-04-01"
# the wire form of an unknown value; the runtime hands check/diff `pulumi.output.Unknown` instances instead
_WIRE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class StandInError(Exception):
    """An ARM call of a stand-in failed; the message names the resource, the HTTP status and ARM's code."""


def is_unknown(value: Any) -> bool:
    """Whether a value (or anything inside it) is not known yet, in either form the runtime uses."""
    if isinstance(value, pulumi.output.Unknown):
        return True
    if isinstance(value, str):
        return value == _WIRE_UNKNOWN
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(v) for v in value)
    return False


def default_subscription_id() -> str | None:
    """The subscription azure-native would use: ``azure-native:subscriptionId``, then the environment."""
    configured = pulumi.Config("azure-native").get("subscriptionId")
    if configured:
        return configured
    return os.environ.get("ARM_SUBSCRIPTION_ID") or os.environ.get("AZURE_SUBSCRIPTION_ID") or None


# --- ARM access (provider process only) -------------------------------------------------------------------------


@contextmanager
def _failing_as(label: str) -> Iterator[None]:
    """The client's errors (one line each, with ARM's code and the fix) as this resource's errors."""
    from pulumi_azure_peering.provider.errors import PeeringError

    try:
        yield
    except PeeringError as exc:
        raise StandInError(f"{label}: {exc}") from None


class _StandInProvider(dyn.ResourceProvider):
    """Shared plumbing: settings from ``configure`` (kept in the provider process only, never pickled)."""

    serialize_as_secret_always = False  # nothing secret is ever pickled into these providers

    def __init__(self) -> None:
        super().__init__()
        self._config: dict[str, Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._config = {}

    def configure(self, req: dyn.ConfigureRequest) -> None:
        from pulumi_azure_peering.provider.resource import CONFIG_KEYS
        from pulumi_azure_peering.provider.settings import CONFIG_NAMESPACE

        logging.getLogger("azure.identity").setLevel(logging.ERROR)
        keys = [f"{CONFIG_NAMESPACE}:{key}" for key in CONFIG_KEYS]
        self._config = {key: req.config.get(key) for key in keys if req.config.get(key) is not None}

    def _arm(self) -> ArmClient:
        """The provider's ARM client for the stack's settings (one per process and settings)."""
        from pulumi_azure_peering.provider.runtime import client_for
        from pulumi_azure_peering.provider.settings import resolve_settings

        return client_for(resolve_settings(None, self._config))

    # -- what each kind of resource says about itself ----------------------------------------------------------

    KIND = "resource"
    """How errors name the resource kind, e.g. ``virtual network``."""
    NAME_KEY = "name"
    """The input holding the resource's ARM name."""
    TIMEOUT = 600.0
    """Seconds a write or a delete may take."""

    def _put(self, props: dict[str, Any], label: str) -> tuple[str, dict[str, Any]]:
        """PUT the resource, wait for it, and return its id and outputs."""
        raise NotImplementedError

    def _outputs(self, props: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _label(self, props: Mapping[str, Any], id_: str = "") -> str:
        return f"{self.KIND} {props.get(self.NAME_KEY) or id_}"

    # -- the lifecycle, the same for every kind -----------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        id_, outs = self._put(props, self._label(props))
        return dyn.CreateResult(id_, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.UpdateResult:
        _, outs = self._put(news, self._label(news))
        return dyn.UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> dyn.ReadResult:
        from pulumi_azure_peering.provider.arm import Deadline

        with _failing_as(self._label(props, id_)):
            live = self._arm().get_json(id_, api_version=NETWORK_API_VERSION, deadline=Deadline(120))
        if live is None:
            return dyn.ReadResult("", {})
        return dyn.ReadResult(id_, self._outputs(props, live))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        from pulumi_azure_peering.provider.arm import Deadline

        with _failing_as(self._label(props, id_)):
            self._arm().delete_resource(id_, api_version=NETWORK_API_VERSION, deadline=Deadline(self.TIMEOUT))


def _plain(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if not k.startswith("__")}


def _diff(olds: Mapping[str, Any], news: Mapping[str, Any], replace_on: Sequence[str]) -> dyn.DiffResult:
    """Changed inputs (an unknown one may change); identity fields replace, deleting first (same ARM name)."""
    old, new = _plain(olds), _plain(news)
    changed: list[str] = []
    for key, value in new.items():
        if is_unknown(value):
            changed.append(key)  # not known yet: it may change (Pulumi shows it as an update or replace)
        elif value is None:
            continue  # an optional input left to its default (location: the resource group's)
        elif value != old.get(key):
            changed.append(key)
    replaces = [k for k in changed if k in replace_on]
    return dyn.DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=bool(replaces))


# --- virtual network ----------------------------------------------------------------------------------------------


def vnet_id(subscription_id: str, resource_group: str, name: str) -> str:
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
        f"/providers/Microsoft.Network/virtualNetworks/{name}"
    )


def _subnet_wire(subnet: Mapping[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if subnet.get("address_prefixes"):
        props["addressPrefixes"] = list(subnet["address_prefixes"])
    else:
        props["addressPrefix"] = subnet["address_prefix"]
    return {"name": subnet["name"], "properties": props}


def _subnet_from_wire(raw: Mapping[str, Any]) -> dict[str, Any]:
    props = raw.get("properties") or {}
    if props.get("addressPrefixes"):
        return {"name": raw["name"], "address_prefixes": list(props["addressPrefixes"])}
    return {"name": raw["name"], "address_prefix": props.get("addressPrefix")}


class VirtualNetworkProvider(_StandInProvider):
    """Creates a vnet (and its resource group when missing) with a PUT, like azure-native; waits for it."""

    KIND = "virtual network"
    NAME_KEY = "virtual_network_name"
    TIMEOUT = 600.0
    REPLACE_ON = ("subscription_id", "resource_group_name", "virtual_network_name", "location")

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        failures: list[dyn.CheckFailure] = []
        news = dict(news)
        subnets = news.get("subnets")
        if isinstance(subnets, list) and not is_unknown(subnets):
            try:
                news["subnets"] = [_subnet_from_wire(_subnet_wire(s)) for s in subnets]
            except (KeyError, TypeError, AttributeError):
                failures.append(
                    dyn.CheckFailure("subnets", 'each subnet needs "name" and "address_prefix" (or "address_prefixes")')
                )
        for key in ("resource_group_name", "virtual_network_name", "subscription_id"):
            value = news.get(key)
            if not is_unknown(value) and (not isinstance(value, str) or not value):
                failures.append(dyn.CheckFailure(key, f"a non-empty string is required, not {value!r}"))
        prefixes = news.get("address_prefixes")
        if not is_unknown(prefixes) and (not isinstance(prefixes, list) or not prefixes):
            failures.append(dyn.CheckFailure("address_prefixes", "at least one address prefix is required"))
        return dyn.CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.DiffResult:
        return _diff(olds, news, self.REPLACE_ON)

    def _body(self, props: Mapping[str, Any], location: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "location": location,
            "properties": {
                "addressSpace": {"addressPrefixes": list(props["address_prefixes"])},
                "subnets": [_subnet_wire(s) for s in props.get("subnets") or []],
            },
        }
        if props.get("tags"):
            body["tags"] = dict(props["tags"])
        return body

    def _outputs(self, props: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, Any]:
        live_props = live.get("properties") or {}
        return {
            **_plain(props),
            "name": live.get("name"),
            "location": live.get("location"),
            "address_prefixes": list((live_props.get("addressSpace") or {}).get("addressPrefixes") or []),
            "subnets": [_subnet_from_wire(s) for s in live_props.get("subnets") or []],
            "provisioning_state": live_props.get("provisioningState"),
        }

    def _ensure_resource_group(self, arm: ArmClient, props: Mapping[str, Any], deadline: Any, label: str) -> str:
        """The location to use: the argument, else the resource group's. Creates the group when missing."""
        rg_path = f"/subscriptions/{props['subscription_id']}/resourceGroups/{props['resource_group_name']}"
        group = arm.get_json(rg_path, api_version=RESOURCES_API_VERSION, deadline=deadline)
        location = props.get("location") or (group or {}).get("location")
        if not location:
            raise StandInError(f"{label}: resource group {props['resource_group_name']} does not exist: set location")
        if group is None:
            arm.put_resource(rg_path, {"location": location}, api_version=RESOURCES_API_VERSION, deadline=deadline)
        return str(location)

    def _put(self, props: dict[str, Any], label: str) -> tuple[str, dict[str, Any]]:
        from pulumi_azure_peering.provider.arm import Deadline

        deadline = Deadline(self.TIMEOUT)
        arm = self._arm()
        with _failing_as(label):
            location = self._ensure_resource_group(arm, props, deadline, label)
            path = vnet_id(props["subscription_id"], props["resource_group_name"], props["virtual_network_name"])
            current = arm.get_json(path, api_version=NETWORK_API_VERSION, deadline=deadline)
            body = self._body(props, location)
            if current is not None and (current.get("properties") or {}).get("virtualNetworkPeerings"):
                # A PUT without the peerings would ask ARM to drop them: keep the ones the vnet has.
                body["properties"]["virtualNetworkPeerings"] = current["properties"]["virtualNetworkPeerings"]
            arm.put_resource(path, body, api_version=NETWORK_API_VERSION, deadline=deadline)
            live = arm.get_json(path, api_version=NETWORK_API_VERSION, deadline=deadline)
        if live is None:
            raise StandInError(f"{label}: {path} is gone right after it was written")
        return str(live.get("id") or path), self._outputs(props, live)


@dataclass
class VirtualNetworkArgs:
    """What azure-native's ``network.VirtualNetworkArgs`` would take (a subset)."""

    resource_group_name: pulumi.Input[str]
    """The resource group (created in ``location`` when it does not exist)."""
    virtual_network_name: pulumi.Input[str]
    """The vnet's ARM name."""
    address_prefixes: pulumi.Input[Sequence[pulumi.Input[str]]]
    """The vnet's address space (``address_space.address_prefixes`` in azure-native)."""
    location: pulumi.Input[str] | None = None
    """Azure region; defaults to the resource group's."""
    subnets: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """Inline subnets: ``{"name": ..., "address_prefix": ...}`` (or ``address_prefixes``); a VPN gateway needs
    one named ``GatewaySubnet``."""
    subscription_id: str | None = None
    """Defaults to ``azure-native:subscriptionId``, then ``ARM_SUBSCRIPTION_ID`` / ``AZURE_SUBSCRIPTION_ID``."""
    tags: Mapping[str, str] | None = None


class VirtualNetwork(dyn.Resource, module="azure-stand-ins", name="VirtualNetwork"):
    """A virtual network, created like ``azure_native.network.VirtualNetwork``: ``.id`` is its ARM id, an output
    that is unknown at preview."""

    name: pulumi.Output[str]
    """The vnet's ARM name."""
    address_prefixes: pulumi.Output[list[str]]
    """The address space ARM reports."""
    location: pulumi.Output[str]
    subnets: pulumi.Output[list[dict[str, Any]]]
    resource_group_name: pulumi.Output[str]
    subscription_id: pulumi.Output[str]
    provisioning_state: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: VirtualNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        subscription = args.subscription_id or default_subscription_id()
        if not subscription:
            raise pulumi.RunError(
                f"VirtualNetwork {resource_name}: no subscription: pass subscription_id, or set "
                "azure-native:subscriptionId or ARM_SUBSCRIPTION_ID"
            )
        props: dict[str, Any] = {
            "resource_group_name": args.resource_group_name,
            "virtual_network_name": args.virtual_network_name,
            "address_prefixes": args.address_prefixes,
            "location": args.location,
            "subnets": args.subnets or [],
            "subscription_id": subscription,
            "tags": dict(args.tags) if args.tags else None,
            "name": None,
            "provisioning_state": None,
        }
        super().__init__(_VNET_PROVIDER, resource_name, props, opts)


# --- virtual network gateway ---------------------------------------------------------------------------------------


def _parse_vnet_id(value: str) -> tuple[str, str, str]:
    parts = value.strip("/").split("/")
    if len(parts) != 8 or parts[0].lower() != "subscriptions" or parts[6].lower() != "virtualnetworks":
        raise StandInError(f"{value!r} is not the ARM id of a virtual network")
    return parts[1], parts[3], parts[7]


class VirtualNetworkGatewayProvider(_StandInProvider):
    """Creates a VPN gateway in a vnet's GatewaySubnet and waits until it is provisioned (18 to 45 minutes on
    Azure, as long as the emulator is told to take); deleting waits too."""

    KIND = "virtual network gateway"
    NAME_KEY = "virtual_network_gateway_name"
    TIMEOUT = 3600.0
    REPLACE_ON = ("resource_group_name", "virtual_network_gateway_name", "virtual_network_id", "location")

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        failures: list[dyn.CheckFailure] = []
        for key in ("resource_group_name", "virtual_network_gateway_name", "virtual_network_id"):
            value = news.get(key)
            if not is_unknown(value) and (not isinstance(value, str) or not value):
                failures.append(dyn.CheckFailure(key, f"a non-empty string is required, not {value!r}"))
        value = news.get("virtual_network_id")
        if isinstance(value, str) and value and not is_unknown(value):
            try:
                _parse_vnet_id(value)
            except StandInError as exc:
                failures.append(dyn.CheckFailure("virtual_network_id", str(exc)))
        return dyn.CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.DiffResult:
        return _diff(olds, news, self.REPLACE_ON)

    @staticmethod
    def _path(props: Mapping[str, Any]) -> str:
        subscription, _, _ = _parse_vnet_id(str(props["virtual_network_id"]))
        return (
            f"/subscriptions/{subscription}/resourceGroups/{props['resource_group_name']}"
            f"/providers/Microsoft.Network/virtualNetworkGateways/{props['virtual_network_gateway_name']}"
        )

    def _outputs(self, props: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, Any]:
        live_props = live.get("properties") or {}
        return {
            **_plain(props),
            "name": live.get("name"),
            "location": live.get("location"),
            "provisioning_state": live_props.get("provisioningState"),
        }

    def _put(self, props: dict[str, Any], label: str) -> tuple[str, dict[str, Any]]:
        from pulumi_azure_peering.provider.arm import Deadline

        deadline = Deadline(self.TIMEOUT)
        arm = self._arm()
        with _failing_as(label):
            vnet = arm.get_json(str(props["virtual_network_id"]), api_version=NETWORK_API_VERSION, deadline=deadline)
            if vnet is None:
                raise StandInError(f"{label}: virtual network {props['virtual_network_id']} does not exist")
            path = self._path(props)
            sku = props.get("sku") or "VpnGw1"
            body = {
                "location": props.get("location") or vnet.get("location"),
                "properties": {
                    "gatewayType": props.get("gateway_type") or "Vpn",
                    "vpnType": props.get("vpn_type") or "RouteBased",
                    "sku": {"name": sku, "tier": sku},
                    "ipConfigurations": [
                        {
                            "name": "default",
                            "properties": {"subnet": {"id": f"{vnet['id']}/subnets/GatewaySubnet"}},
                        }
                    ],
                },
            }
            arm.put_resource(path, body, api_version=NETWORK_API_VERSION, deadline=deadline)
            live = arm.get_json(path, api_version=NETWORK_API_VERSION, deadline=deadline)
        state = ((live or {}).get("properties") or {}).get("provisioningState")
        if live is None or state != "Succeeded":
            raise StandInError(f"{label}: provisioning ended in state {state!r}")
        return str(live.get("id") or path), self._outputs(props, live)


@dataclass
class VirtualNetworkGatewayArgs:
    """What azure-native's ``network.VirtualNetworkGatewayArgs`` would take, reduced to a VPN gateway in the
    ``GatewaySubnet`` of one vnet (azure-native takes ``ip_configurations`` with that subnet's id and a public IP)."""

    resource_group_name: pulumi.Input[str]
    virtual_network_gateway_name: pulumi.Input[str]
    virtual_network_id: pulumi.Input[str]
    """ARM id of the vnet whose ``GatewaySubnet`` the gateway goes in (its subscription is the gateway's)."""
    location: pulumi.Input[str] | None = None
    """Defaults to the vnet's region."""
    sku: pulumi.Input[str] = "VpnGw1"
    gateway_type: pulumi.Input[str] = "Vpn"
    vpn_type: pulumi.Input[str] = "RouteBased"


class VirtualNetworkGateway(dyn.Resource, module="azure-stand-ins", name="VirtualNetworkGateway"):
    """A VPN gateway, created like ``azure_native.network.VirtualNetworkGateway``; its create returns once ARM
    reports it provisioned, so resources that depend on it find a Succeeded gateway."""

    name: pulumi.Output[str]
    location: pulumi.Output[str]
    virtual_network_id: pulumi.Output[str]
    provisioning_state: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: VirtualNetworkGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props: dict[str, Any] = {
            "resource_group_name": args.resource_group_name,
            "virtual_network_gateway_name": args.virtual_network_gateway_name,
            "virtual_network_id": args.virtual_network_id,
            "location": args.location,
            "sku": args.sku,
            "gateway_type": args.gateway_type,
            "vpn_type": args.vpn_type,
            "name": None,
            "provisioning_state": None,
        }
        super().__init__(_GATEWAY_PROVIDER, resource_name, props, opts)


_VNET_PROVIDER = VirtualNetworkProvider()
_GATEWAY_PROVIDER = VirtualNetworkGatewayProvider()

__all__ = [
    "StandInError",
    "VirtualNetwork",
    "VirtualNetworkArgs",
    "VirtualNetworkGateway",
    "VirtualNetworkGatewayArgs",
    "VirtualNetworkGatewayProvider",
    "VirtualNetworkProvider",
    "default_subscription_id",
    "is_unknown",
    "vnet_id",
]
