"""What users do to a cloud, as commands in the shape of ``az network ...``, against a running emulator.

``azure-peering-emulator vnet update -g rg-spokes -n vnet-payments --address-prefixes 10.1.0.0/16 10.11.0.0/16``
and the others find the emulator through the connection file of its data dir (checking that it still answers) and
go through its ARM API like any client: a token from the emulator's identity endpoint (azure-identity's
``ClientSecretCredential``), requests through an azure-core ARM pipeline (retries, ``Retry-After``), long-running
operations polled with azure-mgmt-core's ``ARMPolling``. So the emulator applies its rules, its timing and its faults
as it does for any ARM client. ``dump`` and ``reset`` use the admin API (they are not ARM operations).

Output is readable by default and the ARM bodies with ``--json``. Every error says what to do next.
These commands need only the package's own requirements, not the ``[emulator]`` extra.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .connection import NotRunning, running_connection
from .seed import SeedError, load, resolve

ARM_SCOPE = "https://management.azure.com/.default"
NETWORK_API_VERSION = "2025-05-01"
RESOURCES_API_VERSION = "2021-04-01"
#: The emulator's own request header: how long a gateway created through the API provisions.
GATEWAY_PROVISIONING_HEADER = "x-emulator-gateway-provisioning-seconds"


class CommandError(Exception):
    """A command that cannot be done; the message says what to do next."""


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _print_json(value: Any) -> None:
    _out(json.dumps(value, indent=2))


# --- the emulator and its ARM API ------------------------------------------------------------------------------


class Arm:
    """A client of the emulator's ARM API, one credential and pipeline per tenant of its connection file."""

    def __init__(self, data_dir: Path) -> None:
        try:
            self.connection = running_connection(data_dir)
        except NotRunning as exc:
            raise CommandError(str(exc)) from None
        self.data_dir = data_dir
        self.endpoint = str(self.connection["arm_endpoint"])
        self._clients: dict[str, Any] = {}
        #: The status of the last write's answer (204: a DELETE of something that does not exist).
        self.last_status = 0

    def tenant_of(self, subscription_id: str) -> dict[str, Any]:
        for tenant in self.connection["tenants"]:
            if subscription_id.lower() in (s.lower() for s in tenant.get("subscriptions", ())):
                return dict(tenant)
        raise CommandError(
            f"subscription {subscription_id} is not one of the emulator's ({', '.join(self.subscriptions())}): "
            "pass one of those to --subscription"
        )

    def subscriptions(self) -> list[str]:
        return [s for tenant in self.connection["tenants"] for s in tenant.get("subscriptions", ())]

    def _client(self, tenant: dict[str, Any]) -> Any:
        key = str(tenant["tenant_id"])
        if key not in self._clients:
            from azure.core.pipeline.policies import (
                ContentDecodePolicy,
                HeadersPolicy,
                RequestIdPolicy,
                RetryPolicy,
                UserAgentPolicy,
            )
            from azure.core.pipeline.transport import RequestsTransport
            from azure.identity import ClientSecretCredential
            from azure.mgmt.core import ARMPipelineClient
            from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

            ca_bundle = str(self.connection["ca_bundle"])
            credential = ClientSecretCredential(
                tenant["tenant_id"],
                tenant["client_id"],
                tenant["client_secret"],
                authority=self.connection["authority_host"],
                disable_instance_discovery=True,
                connection_verify=ca_bundle,  # the emulator's CA, whatever the shell's trust store is
            )
            self._clients[key] = ARMPipelineClient(
                base_url=self.endpoint,
                policies=[
                    RequestIdPolicy(),
                    HeadersPolicy(),
                    UserAgentPolicy(sdk_moniker="azure-peering-emulator-cli"),
                    RetryPolicy(),
                    ARMChallengeAuthenticationPolicy(credential, ARM_SCOPE),
                    ContentDecodePolicy(),
                ],
                transport=RequestsTransport(connection_verify=ca_bundle, use_env_settings=False),
            )
        return self._clients[key]

    def send(
        self,
        method: str,
        path: str,
        subscription_id: str,
        *,
        api_version: str = NETWORK_API_VERSION,
        body: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """One ARM request (``path`` under the endpoint); the pipeline response."""
        from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
        from azure.core.rest import HttpRequest

        client = self._client(self.tenant_of(subscription_id))
        url = path if path.startswith("https://") else f"{self.endpoint}{path}"
        query = {"api-version": api_version} if "api-version=" not in url else {}
        request = HttpRequest(method, url, params={**query, **(params or {})}, json=body, headers=headers)
        try:
            return client.send_request(request, _return_pipeline_response=True)
        except ClientAuthenticationError as exc:
            raise CommandError(
                f"the emulator's identity endpoint refused a token ({_first_line(exc)}): restart the emulator "
                f"(`azure-peering-emulator serve --data-dir {self.data_dir} &`) if its identities were changed"
            ) from None
        except ServiceRequestError as exc:
            raise CommandError(
                f"the emulator at {self.endpoint} did not answer ({_first_line(exc)}): is it still running? "
                f"`azure-peering-emulator serve --data-dir {self.data_dir} &` starts it again"
            ) from None

    def call(self, method: str, path: str, subscription_id: str, **kwargs: Any) -> Any:
        """A request whose answer must be a success; its JSON body (None for none)."""
        response = self.send(method, path, subscription_id, **kwargs).http_response
        if response.status_code >= 400:
            raise CommandError(_arm_error(response, method, path))
        return _json(response)

    def write(self, method: str, path: str, subscription_id: str, *, wait: bool = True, **kwargs: Any) -> Any:
        """A PUT or DELETE: its answer, or with ``wait`` its long-running operation's final resource (ARMPolling)."""
        from azure.core.exceptions import HttpResponseError
        from azure.core.polling import LROPoller
        from azure.mgmt.core.polling.arm_polling import ARMPolling

        pipeline_response = self.send(method, path, subscription_id, **kwargs)
        response = pipeline_response.http_response
        self.last_status = response.status_code
        if response.status_code >= 400:
            raise CommandError(_arm_error(response, method, path))
        if not wait or response.status_code == 204:
            return _json(response)
        # polls with the Retry-After the emulator sends, as the Azure SDK does (never faster than 1 s)
        poller = LROPoller(
            self._client(self.tenant_of(subscription_id)),
            pipeline_response,
            lambda final: _json(final.http_response),
            ARMPolling(1),
        )
        try:
            return poller.result()
        except HttpResponseError as exc:
            error = getattr(exc, "error", None)
            code = getattr(error, "code", None) or "OperationFailed"
            message = getattr(error, "message", None) or _first_line(exc)
            raise CommandError(f"{method} {path.split('?')[0]} failed: {code}: {message}") from None

    def pages(self, path: str, subscription_id: str, api_version: str = NETWORK_API_VERSION) -> Iterator[Any]:
        """Every item of a list, following ``nextLink``."""
        body = self.call("GET", path, subscription_id, api_version=api_version)
        while True:
            yield from body.get("value", [])
            link = body.get("nextLink")
            if not link:
                return
            body = self.call("GET", link, subscription_id, api_version=api_version)

    def resource_group(self, name: str, subscription_id: str | None) -> tuple[str, dict[str, Any]]:
        """The subscription holding resource group ``name`` (looked up in every subscription unless given)."""
        candidates = [subscription_id] if subscription_id else self.subscriptions()
        found = []
        for sub in candidates:
            path = f"/subscriptions/{sub}/resourcegroups/{quote(name)}"
            response = self.send("GET", path, sub, api_version=RESOURCES_API_VERSION).http_response
            if response.status_code == 200:
                found.append((sub, _json(response)))
            elif response.status_code != 404:
                raise CommandError(_arm_error(response, "GET", path))
        if not found:
            where = f"subscription {subscription_id}" if subscription_id else "any of the emulator's subscriptions"
            raise CommandError(
                f"no resource group {name!r} in {where}: `azure-peering-emulator dump` lists what there is; "
                f"`azure-peering-emulator group create -n {name} -l westeurope` makes one"
            )
        if len(found) > 1:
            subs = ", ".join(sub for sub, _ in found)
            raise CommandError(f"resource group {name!r} is in several subscriptions ({subs}): pass --subscription")
        return found[0]

    def admin(self, method: str, route: str, body: Any = None) -> Any:
        import requests

        session = requests.Session()
        session.trust_env = False
        try:
            response = session.request(
                method,
                f"{self.endpoint}/_emulator/{route}",
                json=body,
                headers={"x-emulator-admin": str(self.connection["admin_key"])},
                verify=str(self.connection["ca_bundle"]),
                timeout=60,
            )
        except requests.RequestException as exc:
            raise CommandError(
                f"the emulator at {self.endpoint} did not answer ({type(exc).__name__}): "
                f"`azure-peering-emulator serve --data-dir {self.data_dir} &` starts it again"
            ) from None
        finally:
            session.close()
        if response.status_code >= 400:
            raise CommandError(f"the emulator refused {method} /_emulator/{route}: {response.text.strip()}")
        return response.json()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _json(response: Any) -> Any:
    text = response.text()
    return json.loads(text) if text else None


def _arm_error(response: Any, method: str, path: str) -> str:
    try:
        error = (_json(response) or {}).get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code") or f"HTTP {response.status_code}"
    message = error.get("message") or response.text()[:200]
    hint = {
        "ResourceNotFound": " (`azure-peering-emulator vnet list` lists the vnets)",
        "NotFound": " (`azure-peering-emulator vnet peering list -g RG --vnet-name VNET` lists a vnet's peerings)",
        "AnotherOperationInProgress": " (another write is still running: try again once it has finished)",
    }.get(code, "")
    return f"{method} {path.split('?')[0]}: {code}: {message}{hint}"


# --- ids and rendering -----------------------------------------------------------------------------------------


def _group_path(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{quote(rg)}"


def _vnet_path(sub: str, rg: str, vnet: str) -> str:
    return f"{_group_path(sub, rg)}/providers/Microsoft.Network/virtualNetworks/{quote(vnet)}"


def _gateway_path(sub: str, rg: str, name: str) -> str:
    return f"{_group_path(sub, rg)}/providers/Microsoft.Network/virtualNetworkGateways/{quote(name)}"


def _short(resource_id: str) -> str:
    """``rg/name`` of an ARM id (the subscription left out)."""
    parts = resource_id.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    rg = parts[lowered.index("resourcegroups") + 1] if "resourcegroups" in lowered else "?"
    return f"{rg}/{parts[-1]}"


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    if not rows:
        return
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        _out("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _prefixes(body: dict[str, Any]) -> str:
    return ", ".join((body.get("properties", {}).get("addressSpace") or {}).get("addressPrefixes", []))


def _vnet_rows(vnets: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            v["name"],
            _short(v["id"]).split("/")[0],
            v.get("location", ""),
            v["properties"].get("provisioningState", ""),
            _prefixes(v),
            str(len(v["properties"].get("virtualNetworkPeerings", []))),
        ]
        for v in vnets
    ]


VNET_HEADER = ("NAME", "RESOURCE GROUP", "LOCATION", "STATE", "ADDRESS SPACE", "PEERINGS")
PEERING_HEADER = ("NAME", "PEERING STATE", "SYNC LEVEL", "REMOTE VNET", "PROVISIONING")


def _peering_row(p: dict[str, Any]) -> list[str]:
    props = p.get("properties", {})
    return [
        p["name"],
        props.get("peeringState", ""),
        props.get("peeringSyncLevel", ""),
        _short((props.get("remoteVirtualNetwork") or {}).get("id", "")),
        props.get("provisioningState", ""),
    ]


def _show_vnet(v: dict[str, Any]) -> None:
    props = v["properties"]
    _out(f"vnet {v['name']} ({v['id']})")
    _out(f"  location:      {v.get('location', '')}")
    _out(f"  state:         {props.get('provisioningState', '')}")
    _out(f"  address space: {_prefixes(v)}")
    for s in props.get("subnets", []):
        sp = s.get("properties", {})
        prefixes = sp.get("addressPrefixes") or [sp.get("addressPrefix", "")]
        _out(f"  subnet:        {s['name']} {', '.join(prefixes)}")
    for p in props.get("virtualNetworkPeerings", []):
        row = _peering_row(p)
        _out(f"  peering:       {row[0]} -> {row[3]}: {row[1]} / {row[2]}")


def _show_peering(p: dict[str, Any]) -> None:
    props = p.get("properties", {})
    _out(f"peering {p['name']} ({p['id']})")
    keys = (
        "peeringState",
        "peeringSyncLevel",
        "provisioningState",
        "allowVirtualNetworkAccess",
        "allowForwardedTraffic",
        "allowGatewayTransit",
        "useRemoteGateways",
        "peerCompleteVnets",
    )
    _out(f"  remote vnet:   {(props.get('remoteVirtualNetwork') or {}).get('id', '')}")
    for key in keys:
        if key in props:
            _out(f"  {key}: {props[key]}")
    peered = ", ".join((props.get("remoteAddressSpace") or {}).get("addressPrefixes", []))
    current = ", ".join((props.get("remoteVirtualNetworkAddressSpace") or {}).get("addressPrefixes", []))
    _out(f"  remote space peered:  {peered}")
    _out(f"  remote space now:     {current}")


def _show_gateway(g: dict[str, Any]) -> None:
    props = g.get("properties", {})
    state = props.get("provisioningState", "")
    _out(f"gateway {g['name']} ({g['id']})")
    note = " (provisioning: peerings that use it are refused until it has Succeeded)" if state == "Updating" else ""
    _out(f"  state: {state}{note}")
    _out(f"  type:  {props.get('gatewayType', '')} {(props.get('sku') or {}).get('name', '')}")
    for c in props.get("ipConfigurations", []):
        _out(f"  subnet: {((c.get('properties') or {}).get('subnet') or {}).get('id', '')}")


# --- commands --------------------------------------------------------------------------------------------------


def _subnets(values: Sequence[str]) -> list[dict[str, Any]]:
    subnets = []
    for value in values:
        name, sep, prefixes = value.partition("=")
        if not sep or not name or not prefixes:
            raise CommandError(f"--subnet {value!r}: give NAME=PREFIX[,PREFIX], e.g. --subnet app=10.1.1.0/24")
        listed = [p.strip() for p in prefixes.split(",") if p.strip()]
        props: dict[str, Any] = {"addressPrefixes": listed} if len(listed) > 1 else {"addressPrefix": listed[0]}
        subnets.append({"name": name, "properties": props})
    return subnets


def group_create(arm: Arm, args: argparse.Namespace) -> None:
    sub = args.subscription or arm.subscriptions()[0]
    body = arm.call(
        "PUT", _group_path(sub, args.name), sub, api_version=RESOURCES_API_VERSION, body={"location": args.location}
    )
    _print_json(body) if args.json else _out(f"resource group {args.name} in subscription {sub} ({args.location})")


def vnet_create(arm: Arm, args: argparse.Namespace) -> None:
    sub, group = arm.resource_group(args.resource_group, args.subscription)
    body = {
        "location": args.location or group.get("location", ""),
        "properties": {
            "addressSpace": {"addressPrefixes": args.address_prefixes},
            "subnets": _subnets(args.subnet or []),
        },
    }
    vnet = arm.write("PUT", _vnet_path(sub, args.resource_group, args.name), sub, body=body, wait=not args.no_wait)
    if args.json:
        _print_json(vnet)
    else:
        _show_vnet(vnet)


def vnet_update(arm: Arm, args: argparse.Namespace) -> None:
    """A resize: read the vnet, change its address space, PUT it back whole (what ``az network vnet update`` does)."""
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    path = _vnet_path(sub, args.resource_group, args.name)
    current = arm.call("GET", path, sub)
    before = _prefixes(current)
    current["properties"]["addressSpace"] = {"addressPrefixes": args.address_prefixes}
    vnet = arm.write("PUT", path, sub, body=current, wait=not args.no_wait)
    if args.json:
        _print_json(vnet)
        return
    _out(f"vnet {args.name}: address space {before} -> {_prefixes(vnet)} ({vnet['properties']['provisioningState']})")
    peerings = vnet["properties"].get("virtualNetworkPeerings", [])
    if peerings:
        _out(
            f"its {len(peerings)} peering(s) and their remote sides now read *NotInSync until synced "
            f"(`pulumi up`, or `azure-peering-emulator vnet peering sync`): "
            f"`azure-peering-emulator vnet peering list -g {args.resource_group} --vnet-name {args.name}`"
        )


def _deleted(arm: Arm, what: str) -> bool:
    """Whether the DELETE removed something: ARM answers 204 for what does not exist."""
    if arm.last_status == 204:
        _out(f"{what} does not exist: nothing deleted")
        return False
    return True


def vnet_delete(arm: Arm, args: argparse.Namespace) -> None:
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    arm.write("DELETE", _vnet_path(sub, args.resource_group, args.name), sub, wait=not args.no_wait)
    if not args.json and _deleted(arm, f"vnet {args.name}"):
        done = "deleting" if args.no_wait else "deleted"
        _out(f"vnet {args.name} {done} (peerings of other vnets to it now read Disconnected)")


def vnet_show(arm: Arm, args: argparse.Namespace) -> None:
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    vnet = arm.call("GET", _vnet_path(sub, args.resource_group, args.name), sub)
    _print_json(vnet) if args.json else _show_vnet(vnet)


def vnet_list(arm: Arm, args: argparse.Namespace) -> None:
    vnets: list[dict[str, Any]] = []
    if args.resource_group:
        sub, _ = arm.resource_group(args.resource_group, args.subscription)
        vnets = list(
            arm.pages(f"{_group_path(sub, args.resource_group)}/providers/Microsoft.Network/virtualNetworks", sub)
        )
    else:
        for sub in [args.subscription] if args.subscription else arm.subscriptions():
            vnets += arm.pages(f"/subscriptions/{sub}/providers/Microsoft.Network/virtualNetworks", sub)
    if args.json:
        _print_json(vnets)
    elif not vnets:
        _out("no vnets (`azure-peering-emulator vnet create -g RG -n NAME --address-prefixes 10.9.0.0/16` makes one)")
    else:
        _table(_vnet_rows(vnets), VNET_HEADER)


def _peerings_path(arm: Arm, args: argparse.Namespace) -> tuple[str, str]:
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    return sub, f"{_vnet_path(sub, args.resource_group, args.vnet_name)}/virtualNetworkPeerings"


def peering_list(arm: Arm, args: argparse.Namespace) -> None:
    sub, path = _peerings_path(arm, args)
    peerings = list(arm.pages(path, sub))
    if args.json:
        _print_json(peerings)
    elif not peerings:
        _out(f"vnet {args.vnet_name} has no peerings")
    else:
        _table([_peering_row(p) for p in peerings], PEERING_HEADER)


def peering_show(arm: Arm, args: argparse.Namespace) -> None:
    sub, path = _peerings_path(arm, args)
    peering = arm.call("GET", f"{path}/{quote(args.name)}", sub)
    _print_json(peering) if args.json else _show_peering(peering)


def peering_sync(arm: Arm, args: argparse.Namespace) -> None:
    """``?syncRemoteAddressSpace=true`` on the peering as it is (``az network vnet peering sync``)."""
    sub, path = _peerings_path(arm, args)
    current = arm.call("GET", f"{path}/{quote(args.name)}", sub)
    body = {"properties": {k: v for k, v in current["properties"].items() if k != "provisioningState"}}
    peering = arm.write(
        "PUT",
        f"{path}/{quote(args.name)}",
        sub,
        body=body,
        params={"syncRemoteAddressSpace": "true"},
        wait=not args.no_wait,
    )
    _print_json(peering) if args.json else _show_peering(peering)


def peering_delete(arm: Arm, args: argparse.Namespace) -> None:
    sub, path = _peerings_path(arm, args)
    arm.write("DELETE", f"{path}/{quote(args.name)}", sub, wait=not args.no_wait)
    if not args.json and _deleted(arm, f"peering {args.name} of {args.vnet_name}"):
        done = "deleting" if args.no_wait else "deleted"
        _out(f"peering {args.name} of {args.vnet_name} {done} (its other side now reads Disconnected)")


def gateway_create(arm: Arm, args: argparse.Namespace) -> None:
    sub, group = arm.resource_group(args.resource_group, args.subscription)
    vnet = arm.call("GET", _vnet_path(sub, args.resource_group, args.vnet), sub)
    subnet_id = f"{vnet['id']}/subnets/GatewaySubnet"
    body = {
        "location": args.location or vnet.get("location") or group.get("location", ""),
        "properties": {
            "gatewayType": args.gateway_type,
            "vpnType": "RouteBased",
            "sku": {"name": args.sku, "tier": args.sku},
            "ipConfigurations": [{"name": "default", "properties": {"subnet": {"id": subnet_id}}}],
        },
    }
    headers = (
        {GATEWAY_PROVISIONING_HEADER: str(args.provisioning_seconds)} if args.provisioning_seconds is not None else None
    )
    path = _gateway_path(sub, args.resource_group, args.name)
    gateway = arm.write("PUT", path, sub, body=body, headers=headers, wait=not args.no_wait)
    if args.json:
        _print_json(gateway)
        return
    _show_gateway(gateway)
    if args.no_wait:
        show = f"azure-peering-emulator vnet-gateway show -g {args.resource_group} -n {args.name}"
        _out(f"`{show}` tells when it has Succeeded")


def gateway_show(arm: Arm, args: argparse.Namespace) -> None:
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    gateway = arm.call("GET", _gateway_path(sub, args.resource_group, args.name), sub)
    _print_json(gateway) if args.json else _show_gateway(gateway)


def gateway_delete(arm: Arm, args: argparse.Namespace) -> None:
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    arm.write("DELETE", _gateway_path(sub, args.resource_group, args.name), sub, wait=not args.no_wait)
    if not args.json and _deleted(arm, f"gateway {args.name}"):
        _out(f"gateway {args.name} {'deleting' if args.no_wait else 'deleted'}")


def dump(arm: Arm, args: argparse.Namespace) -> None:
    """The emulator's whole state (admin API): resources as ARM renders them, operations, settings; no secrets."""
    state = arm.admin("GET", "state")
    if args.json:
        _print_json(state)
        return
    _out(f"emulator {arm.endpoint} (data: {arm.data_dir})")
    for t in state["tenants"]:
        subs = [s for s in state["subscriptions"] if s["tenant_id"] == t["tenant_id"]]
        _out(f"tenant {t['display_name']} ({t['tenant_id']})")
        for s in subs:
            _out(f"  subscription {s['display_name']} ({s['subscription_id']})")
    _out()
    vnets = state["virtualNetworks"]
    if vnets:
        _table(_vnet_rows(vnets), VNET_HEADER)
    else:
        _out("no vnets")
    gateways = state["virtualNetworkGateways"]
    if gateways:
        _out()
        rows = [
            [
                g["name"],
                _short(g["id"]).split("/")[0],
                g["properties"].get("provisioningState", ""),
                _short(
                    ((g["properties"].get("ipConfigurations") or [{}])[0].get("properties") or {})
                    .get("subnet", {})
                    .get("id", "")
                    .rsplit("/subnets/", 1)[0]
                ),
            ]
            for g in gateways
        ]
        _table(rows, ("GATEWAY", "RESOURCE GROUP", "STATE", "VNET"))
    peerings = state["virtualNetworkPeerings"]
    if peerings:
        _out()
        rows = [[_short(p["id"].rsplit("/virtualNetworkPeerings/", 1)[0]), *_peering_row(p)] for p in peerings]
        _table(rows, ("VNET", *PEERING_HEADER))
    pending = state.get("pendingOperations", [])
    if pending:
        _out()
        _out(f"{len(pending)} operation(s) in progress")


def reset(arm: Arm, args: argparse.Namespace) -> None:
    """Every resource and operation removed (identities stay), settings back to serve's; then a seed if given."""
    topology = None
    if args.seed:
        try:
            topology = load(resolve(args.seed))
        except SeedError as exc:
            raise CommandError(str(exc)) from None
    arm.admin("POST", "reset")
    applied = arm.admin("POST", "seed", topology)["applied"] if topology is not None else None
    if args.json:
        _print_json({"reset": True, "applied": applied})
    elif applied is None:
        _out("emulator reset: no resources left (identities kept); `--seed demo` would apply a seed")
    else:
        counts = ", ".join(f"{n} {k}" for k, n in applied.items())
        _out(f"emulator reset, then seed {args.seed} applied: {counts}")


# --- the parsers -----------------------------------------------------------------------------------------------

Handler = Callable[[Arm, argparse.Namespace], None]


def add_parsers(sub: Any, data_dir_default: Path) -> None:
    """The client commands, on the top-level parser's subparsers."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=data_dir_default,
        help=f"the running emulator's data dir (default {data_dir_default})",
    )
    common.add_argument("--json", action="store_true", help="print the ARM bodies as JSON")
    common.add_argument("--subscription", help="subscription id (default: the one holding the resource group)")
    write = argparse.ArgumentParser(add_help=False)
    write.add_argument("--no-wait", action="store_true", help="return once ARM accepted the write, without waiting")

    def command(parent: Any, name: str, handler: Handler, help_text: str, *parents: argparse.ArgumentParser) -> Any:
        parser = parent.add_parser(name, help=help_text, description=help_text, parents=[common, *parents])
        parser.set_defaults(handler=handler)
        return parser

    def group_and_name(parser: Any, what: str) -> None:
        parser.add_argument("-g", "--resource-group", required=True, help="resource group")
        parser.add_argument("-n", "--name", required=True, help=f"{what} name")

    group = sub.add_parser("group", help="resource groups").add_subparsers(dest="group_command", required=True)
    p = command(group, "create", group_create, "create a resource group (in the first subscription unless given)")
    p.add_argument("-n", "--name", required=True)
    p.add_argument("-l", "--location", required=True)

    vnet = sub.add_parser("vnet", help="virtual networks and their peerings (az network vnet ...)")
    vnets = vnet.add_subparsers(dest="vnet_command", required=True)
    p = command(vnets, "create", vnet_create, "create a vnet", write)
    group_and_name(p, "vnet")
    p.add_argument("--address-prefixes", nargs="+", required=True, metavar="PREFIX")
    p.add_argument("--subnet", action="append", metavar="NAME=PREFIX[,PREFIX]", help="a subnet (repeat for more)")
    p.add_argument("-l", "--location", help="region (default: the resource group's)")
    p = command(vnets, "update", vnet_update, "resize a vnet: set its address prefixes", write)
    group_and_name(p, "vnet")
    p.add_argument("--address-prefixes", nargs="+", required=True, metavar="PREFIX")
    p = command(vnets, "delete", vnet_delete, "delete a vnet", write)
    group_and_name(p, "vnet")
    p = command(vnets, "show", vnet_show, "show a vnet")
    group_and_name(p, "vnet")
    p = command(vnets, "list", vnet_list, "list vnets (of a resource group, or of every subscription)")
    p.add_argument("-g", "--resource-group")

    peering = vnets.add_parser("peering", help="a vnet's peerings (az network vnet peering ...)")
    peerings = peering.add_subparsers(dest="peering_command", required=True)
    for name, handler, help_text, parents in (
        ("list", peering_list, "list a vnet's peerings", ()),
        ("show", peering_show, "show one peering", ()),
        ("sync", peering_sync, "sync a peering with its remote vnet's address space", (write,)),
        ("delete", peering_delete, "delete one side of a peering", (write,)),
    ):
        p = command(peerings, name, handler, help_text, *parents)
        p.add_argument("-g", "--resource-group", required=True)
        p.add_argument("--vnet-name", required=True)
        if name != "list":
            p.add_argument("-n", "--name", required=True, help="peering name")

    gateway = sub.add_parser("vnet-gateway", help="virtual network gateways (az network vnet-gateway ...)")
    gateways = gateway.add_subparsers(dest="gateway_command", required=True)
    p = command(gateways, "create", gateway_create, "create a gateway in a vnet's GatewaySubnet", write)
    group_and_name(p, "gateway")
    p.add_argument("--vnet", required=True, help="the vnet (its GatewaySubnet) in the same resource group")
    p.add_argument("--sku", default="VpnGw1")
    p.add_argument("--gateway-type", default="Vpn", choices=("Vpn", "ExpressRoute"))
    p.add_argument("-l", "--location", help="region (default: the vnet's)")
    p.add_argument(
        "--provisioning-seconds",
        type=float,
        help="how long it provisions (default: serve's --gateway-provisioning-seconds or latency profile); "
        "Azure takes 18 to 35 minutes",
    )
    p = command(gateways, "show", gateway_show, "show a gateway")
    group_and_name(p, "gateway")
    p = command(gateways, "delete", gateway_delete, "delete a gateway", write)
    group_and_name(p, "gateway")

    command(sub, "dump", dump, "the emulator's whole state: vnets, gateways, peerings, operations")
    p = command(sub, "reset", reset, "remove every resource (identities stay), then apply --seed if given")
    p.add_argument("--seed", metavar="NAME|PATH", help="a seed to apply after the reset (e.g. demo)")


def run(args: argparse.Namespace) -> int:
    try:
        args.handler(Arm(args.data_dir), args)
    except CommandError as exc:
        print(f"azure-peering-emulator: {exc}", file=sys.stderr)
        return 1
    return 0
