"""Stand-ins for azure-native's ``network.VirtualNetwork`` and ``network.VirtualNetworkGateway``.

Programs that create their vnets (and a hub's VPN gateway) and peer them in the same stack are the most common
thing our users write. In real life those vnets come from azure-native; here, where no Azure account is reachable,
these two Pulumi dynamic resources create them in the emulator (or in Azure: nothing here is emulator-specific)
the way azure-native would: a PUT to ARM over HTTPS with a bearer token from azure-identity, waiting for the
long-running operation, so that their ``id`` is an output that is *unknown during preview*, exactly like
``azure_native.network.VirtualNetwork(...).id``.

Why this module is written with requests + azure-identity directly, and lives here rather than on top of
``pulumi_azure_peering.provider.arm`` in ``harness/``:

- ``emulator/`` must not import ``provider/`` (docs: DESIGN.md), and a stand-in for *another* provider should not
  share our provider's ARM client either: the tests that build their world with it check that client, so the world
  must be built independently, as azure-native builds it.
- The dynamic provider is pickled into state *by reference to its module*; the dynamic-provider process the engine
  starts in the project's directory imports that module again. ``emulator`` is an installed package of this
  project, ``harness`` is not, so a provider class in ``harness/`` would only resolve with a PYTHONPATH set by hand.
- It is small: one GET/PUT/DELETE helper with retries for ARM's transient answers and LRO polling.

Settings are read at run time in the provider process (never pickled): stack config ``azure-peering:armEndpoint``,
``authorityHost``, ``caBundle``, ``tenantId``, ``clientId``, ``clientSecret``, else the environment variables of
``azure-peering-emulator env`` (``AZURE_PEERING_ARM_ENDPOINT``, ``AZURE_AUTHORITY_HOST``, ``REQUESTS_CA_BUNDLE``,
``AZURE_TENANT_ID``/``AZURE_CLIENT_ID``/``AZURE_CLIENT_SECRET``), else public Azure and ``DefaultAzureCredential``.
The subscription is resolved in the program (it is part of the resource's ARM id, so of its inputs): the
``subscription_id`` argument, else ``azure-native:subscriptionId`` (the config azure-native reads), else
``ARM_SUBSCRIPTION_ID`` / ``AZURE_SUBSCRIPTION_ID``.

Usage (what ``examples/new_network`` does)::

    from pulumi_azure_peering.emulator.stand_ins import VirtualNetwork, VirtualNetworkArgs, VirtualNetworkGateway,
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
import random
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi.dynamic as dyn
import requests

NETWORK_API_VERSION = "2024-05-01"
RESOURCES_API_VERSION = "2021-04-01"
PUBLIC_ARM = "https://management.azure.com"
PUBLIC_AUTHORITIES = (
    "https://login.microsoftonline.com",
    "https://login.microsoftonline.us",
    "https://login.chinacloudapi.cn",
)
# ARM's answers that say "later": throttling, server trouble, and another operation holding the resource
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
RETRY_CODES = frozenset({"AnotherOperationInProgress", "ReferencedResourceNotProvisioned", "RetryableError"})
# the wire form of an unknown value; the runtime hands check/diff `pulumi.output.Unknown` instances instead
_WIRE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

_CONFIG_KEYS = {
    "armEndpoint": ("AZURE_PEERING_ARM_ENDPOINT",),
    "authorityHost": ("AZURE_PEERING_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST"),
    "caBundle": ("AZURE_PEERING_CA_BUNDLE", "REQUESTS_CA_BUNDLE"),
    "tenantId": ("AZURE_TENANT_ID",),
    "clientId": ("AZURE_CLIENT_ID",),
    "clientSecret": ("AZURE_CLIENT_SECRET",),
}


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


@dataclass(frozen=True)
class _Settings:
    arm_endpoint: str
    authority_host: str | None
    ca_bundle: str | None
    tenant_id: str | None
    client_id: str | None
    client_secret: str | None = field(repr=False)

    @property
    def scope(self) -> str:
        return f"{self.arm_endpoint}/.default"


def _resolve_settings(config: Mapping[str, Any]) -> _Settings:
    def lookup(key: str) -> str | None:
        value = config.get(f"azure-peering:{key}")
        if value:
            return str(value).strip()
        for name in _CONFIG_KEYS[key]:
            if os.environ.get(name):
                return os.environ[name].strip()
        return None

    authority = lookup("authorityHost")
    if authority and "://" not in authority:
        authority = f"https://{authority}"
    return _Settings(
        arm_endpoint=(lookup("armEndpoint") or PUBLIC_ARM).rstrip("/"),
        authority_host=authority.rstrip("/") if authority else None,
        ca_bundle=lookup("caBundle"),
        tenant_id=lookup("tenantId"),
        client_id=lookup("clientId"),
        client_secret=lookup("clientSecret"),
    )


# One credential per distinct settings, for the life of the provider process; never on a provider object.
_CREDENTIALS: dict[_Settings, Any] = {}
_CREDENTIALS_LOCK = threading.Lock()


def _credential(settings: _Settings) -> Any:
    from azure.identity import ClientSecretCredential, DefaultAzureCredential

    with _CREDENTIALS_LOCK:
        cred = _CREDENTIALS.get(settings)
        if cred is not None:
            return cred
        kwargs: dict[str, Any] = {}
        if settings.authority_host:
            kwargs["authority"] = settings.authority_host
            if settings.authority_host not in PUBLIC_AUTHORITIES:
                kwargs["disable_instance_discovery"] = True  # otherwise MSAL asks the public cloud about it
        if settings.ca_bundle:
            kwargs["connection_verify"] = settings.ca_bundle
        if settings.client_secret and settings.tenant_id and settings.client_id:
            cred = ClientSecretCredential(settings.tenant_id, settings.client_id, settings.client_secret, **kwargs)
        else:
            cred = DefaultAzureCredential(**kwargs)
        _CREDENTIALS[settings] = cred
        return cred


def _retry_after(response: requests.Response, attempt: int) -> float:
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        if response.headers.get(name):
            try:
                return min(10.0, float(response.headers[name]) / 1000.0)
            except ValueError:
                pass
    try:
        return min(10.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        backoff: float = min(10.0, 0.5 * 2.0**attempt)
        return backoff * random.uniform(0.5, 1.0)


def _error_code(response: requests.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return "", response.text[:300]
    return str(error.get("code") or ""), str(error.get("message") or "")


class _Arm:
    """GET/PUT/DELETE of ARM resources with a bearer token, retries for transient answers, LRO polling."""

    def __init__(self, settings: _Settings, label: str) -> None:
        self.settings = settings
        self.label = label
        self.session = requests.Session()
        self.session.verify = settings.ca_bundle or True

    def close(self) -> None:
        self.session.close()

    def _url(self, path_or_url: str) -> str:
        return path_or_url if path_or_url.startswith("https://") else f"{self.settings.arm_endpoint}{path_or_url}"

    def request(
        self, method: str, path_or_url: str, *, api_version: str | None, body: Any = None, deadline: float
    ) -> requests.Response:
        """One logical request: retried on 429/5xx/connection errors and busy-resource conflicts until
        ``deadline`` (monotonic seconds). Returns the final response, successful or not."""
        params = {"api-version": api_version} if api_version and "api-version=" not in path_or_url else None
        attempt = 0
        while True:
            token = _credential(self.settings).get_token(self.settings.scope).token
            try:
                response = self.session.request(
                    method,
                    self._url(path_or_url),
                    params=params,
                    json=body,
                    headers={"Authorization": f"Bearer {token}", "User-Agent": "azure-peering-stand-ins/0.1"},
                    timeout=60,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if time.monotonic() > deadline:
                    raise StandInError(f"{self.label}: {method} failed: {exc}") from None
                time.sleep(min(5.0, 0.5 * 2**attempt))
                attempt += 1
                continue
            code, _ = _error_code(response) if response.status_code >= 400 else ("", "")
            transient = response.status_code in RETRY_STATUSES or code in RETRY_CODES
            if not transient or time.monotonic() + 1 > deadline:
                return response
            time.sleep(max(0.05, _retry_after(response, attempt)))
            attempt += 1

    def fail(self, what: str, response: requests.Response) -> StandInError:
        code, message = _error_code(response)
        return StandInError(f"{self.label}: {what} failed with HTTP {response.status_code} {code}: {message}")

    def get(self, path: str, api_version: str, deadline: float) -> dict[str, Any] | None:
        response = self.request("GET", path, api_version=api_version, deadline=deadline)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self.fail(f"GET {path}", response)
        result: dict[str, Any] = response.json()
        return result

    def wait(self, response: requests.Response, what: str, deadline: float) -> None:
        """Poll a write's Azure-AsyncOperation (else Location) until it is terminal; raise unless Succeeded."""
        url = response.headers.get("Azure-AsyncOperation") or response.headers.get("Location")
        if not url:
            return
        last = response
        while time.monotonic() < deadline:
            time.sleep(max(0.05, _retry_after(last, 0)))
            last = self.request("GET", url, api_version=None, deadline=deadline)
            if last.status_code == 202:
                continue  # a Location poll still in progress
            if last.status_code >= 400:
                raise self.fail(f"{what} (operation)", last)
            if last.status_code == 204 or not last.content:
                return
            status = str(last.json().get("status") or "Succeeded")
            if status.lower() == "succeeded":
                return
            if status.lower() in ("failed", "canceled"):
                error = last.json().get("error") or {}
                raise StandInError(f"{self.label}: {what} {status}: {error.get('code')}: {error.get('message')}")
        raise StandInError(f"{self.label}: {what} did not finish in time")

    def put(self, path: str, body: dict[str, Any], api_version: str, deadline: float) -> None:
        response = self.request("PUT", path, api_version=api_version, body=body, deadline=deadline)
        if response.status_code not in (200, 201):
            raise self.fail(f"PUT {path}", response)
        self.wait(response, f"PUT {path}", deadline)

    def delete(self, path: str, api_version: str, deadline: float) -> None:
        response = self.request("DELETE", path, api_version=api_version, deadline=deadline)
        if response.status_code in (200, 204, 404):
            return
        if response.status_code != 202:
            raise self.fail(f"DELETE {path}", response)
        self.wait(response, f"DELETE {path}", deadline)


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
        logging.getLogger("azure.identity").setLevel(logging.ERROR)
        self._config = {
            f"azure-peering:{key}": req.config.get(f"azure-peering:{key}")
            for key in _CONFIG_KEYS
            if req.config.get(f"azure-peering:{key}") is not None
        }

    def _arm(self, label: str) -> _Arm:
        return _Arm(_resolve_settings(self._config), label)

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
        arm = self._arm(self._label(props, id_))
        try:
            live = arm.get(id_, NETWORK_API_VERSION, time.monotonic() + 120)
        finally:
            arm.close()
        if live is None:
            return dyn.ReadResult("", {})
        return dyn.ReadResult(id_, self._outputs(props, live))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        arm = self._arm(self._label(props, id_))
        try:
            arm.delete(id_, NETWORK_API_VERSION, time.monotonic() + self.TIMEOUT)
        finally:
            arm.close()


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

    def _ensure_resource_group(self, arm: _Arm, props: Mapping[str, Any], deadline: float) -> str:
        """The location to use: the argument, else the resource group's. Creates the group when missing."""
        rg_path = f"/subscriptions/{props['subscription_id']}/resourceGroups/{props['resource_group_name']}"
        group = arm.get(rg_path, RESOURCES_API_VERSION, deadline)
        location = props.get("location") or (group or {}).get("location")
        if not location:
            raise StandInError(
                f"{arm.label}: resource group {props['resource_group_name']} does not exist: set location"
            )
        if group is None:
            arm.put(rg_path, {"location": location}, RESOURCES_API_VERSION, deadline)
        return str(location)

    def _put(self, props: dict[str, Any], label: str) -> tuple[str, dict[str, Any]]:
        deadline = time.monotonic() + self.TIMEOUT
        arm = self._arm(label)
        try:
            location = self._ensure_resource_group(arm, props, deadline)
            path = vnet_id(props["subscription_id"], props["resource_group_name"], props["virtual_network_name"])
            current = arm.get(path, NETWORK_API_VERSION, deadline)
            body = self._body(props, location)
            if current is not None and (current.get("properties") or {}).get("virtualNetworkPeerings"):
                # A PUT without the peerings would ask ARM to drop them: keep the ones the vnet has.
                body["properties"]["virtualNetworkPeerings"] = current["properties"]["virtualNetworkPeerings"]
            arm.put(path, body, NETWORK_API_VERSION, deadline)
            live = arm.get(path, NETWORK_API_VERSION, deadline)
            if live is None:
                raise StandInError(f"{label}: {path} is gone right after it was written")
            return str(live.get("id") or path), self._outputs(props, live)
        finally:
            arm.close()


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
        deadline = time.monotonic() + self.TIMEOUT
        arm = self._arm(label)
        try:
            vnet = arm.get(str(props["virtual_network_id"]), NETWORK_API_VERSION, deadline)
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
            arm.put(path, body, NETWORK_API_VERSION, deadline)
            live = arm.get(path, NETWORK_API_VERSION, deadline)
            state = ((live or {}).get("properties") or {}).get("provisioningState")
            if live is None or state != "Succeeded":
                raise StandInError(f"{label}: provisioning ended in state {state!r}")
            return str(live.get("id") or path), self._outputs(props, live)
        finally:
            arm.close()


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
