"""Seed topologies: tenants, app registrations, subscriptions, resource groups, vnets, gateways and peerings.

The format is documented in docs/emulator.md. The seeds shipped in ``emulator/seeds/`` are chosen by name (the
file's stem: ``demo``, ``default``, ``minimal``; ``azure-peering-emulator seeds`` lists them), any other by its path.
Applying a seed upserts: identities keep their generated client secrets, resources are written through the same rules
as ARM requests (so a seed cannot create a state the service would refuse), but without long-running operations.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import errors, ids
from . import store as st
from .models.features import FeatureRegistration, feature_key, parse_feature, parse_state
from .scheduler import LroPlan
from .services import Conditions

if TYPE_CHECKING:
    from .app import Emulator

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
MINIMAL_SEED = SEEDS_DIR / "minimal.json"
DEFAULT_SEED = SEEDS_DIR / "default.json"
DEMO_SEED = SEEDS_DIR / "demo.json"


class SeedError(ValueError):
    """A seed that is malformed or that the service's rules refuse."""


def shipped() -> dict[str, Path]:
    """The seeds shipped in the package, by name (the file's stem), in name order."""
    return {p.stem: p for p in sorted(SEEDS_DIR.glob("*.json"))}


def resolve(value: str | Path) -> Path:
    """The seed file ``value`` names: a shipped seed's name (no ``/``, no ``.json``), else a path.

    Raises :class:`SeedError` for an unknown name, listing the names there are.
    """
    text = str(value)
    if isinstance(value, Path) or "/" in text or "\\" in text or text.lower().endswith(".json"):
        return Path(value)
    seeds = shipped()
    if text not in seeds:
        raise SeedError(
            f"no seed named {text!r}: the shipped seeds are {', '.join(seeds)} (`azure-peering-emulator seeds` "
            "describes them); give a path (./my-seed.json) for your own"
        )
    return seeds[text]


def describe(path: Path) -> dict[str, Any]:
    """What a seed holds: its ``description`` and how many tenants, subscriptions, vnets, gateways, peerings."""
    topology = load(path)
    groups = _list(topology.get("resourceGroups"), "resourceGroups")
    vnets = [v for rg in groups for v in _list(rg.get("virtualNetworks"), "virtualNetworks")]
    tenants = _list(topology.get("tenants"), "tenants")
    return {
        "description": str(topology.get("description") or ""),
        "tenants": len(tenants),
        "subscriptions": sum(len(_list(t.get("subscriptions"), "subscriptions")) for t in tenants),
        "resourceGroups": len(groups),
        "virtualNetworks": len(vnets),
        "virtualNetworkGateways": sum(1 for v in vnets if v.get("gateway")),
        "virtualNetworkPeerings": sum(len(_list(v.get("peerings"), "peerings")) for v in vnets),
    }


def load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise SeedError(f"cannot read seed {path}: {exc}") from None
    if not isinstance(data, dict):
        raise SeedError(f"seed {path}: the top level must be an object")
    return data


def _guid(value: Any, what: str) -> str:
    if not isinstance(value, str) or not ids.is_guid(value):
        raise SeedError(f"{what} must be a GUID, got {value!r}")
    return value.lower()


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SeedError(f"{what} must be a list")
    return value


def apply_identities(store: st.Store, topology: dict[str, Any]) -> None:
    tenants = _list(topology.get("tenants"), "tenants")
    order = store.count(st.TENANT)
    seeded_tenants: list[str] = []
    for t in tenants:
        tid = _guid(t.get("tenantId"), "tenants[].tenantId")
        existing = store.get(st.TENANT, tid)
        doc = {
            "tenant_id": tid,
            "display_name": t.get("displayName") or (existing or {}).get("display_name") or tid,
            "primary": bool(t.get("primary", (existing or {}).get("primary", False))),
            "order": (existing or {}).get("order", order),
        }
        if existing is None:
            order += 1
        store.put(st.TENANT, tid, doc)
        seeded_tenants.append(tid)
        for s in _list(t.get("subscriptions"), "tenants[].subscriptions"):
            sid = _guid(s.get("subscriptionId"), "subscriptions[].subscriptionId")
            sub_doc = {"subscription_id": sid, "tenant_id": tid, "display_name": s.get("displayName") or sid}
            store.put(st.SUBSCRIPTION, sid, sub_doc, subscription=sid)
            _apply_features(store, sid, s.get("features"))
    clients = topology.get("clients")
    if clients is None and seeded_tenants and store.count(st.CLIENT) == 0:
        clients = [{"clientId": ids.new_guid(), "displayName": "arm-emulator-deployer"}]
    for c in _list(clients, "clients"):
        cid = _guid(c.get("clientId"), "clients[].clientId")
        existing = store.get(st.CLIENT, cid)
        member_of = [_guid(t, "clients[].tenants[]") for t in _list(c.get("tenants"), "clients[].tenants")]
        if not member_of:
            member_of = seeded_tenants or [d["tenant_id"] for d in store.all(st.TENANT)]
        for tid in member_of:
            if store.get(st.TENANT, tid) is None:
                raise SeedError(f"client {cid} is registered in unknown tenant {tid}")
        # imported here: listing and naming seeds (``seeds``, the client commands) works without the [emulator] extra
        from .identity import new_client_secret

        secret = c.get("clientSecret") or (existing or {}).get("secret") or new_client_secret()
        store.put(
            st.CLIENT,
            cid,
            {
                "client_id": cid,
                "display_name": c.get("displayName") or (existing or {}).get("display_name") or cid,
                "tenants": member_of,
                "secret": secret,
            },
        )


def _apply_features(store: st.Store, subscription_id: str, features: Any) -> None:
    """``subscriptions[].features``: ``{"Namespace/Name": "Registered" | "NotRegistered" | ...}``."""
    if features is None:
        return
    if not isinstance(features, dict):
        raise SeedError(f"subscription {subscription_id}: features must be an object of feature name -> state")
    for raw_name, raw_state in features.items():
        try:
            feature, state = parse_feature(raw_name), parse_state(raw_state)
        except ValueError as exc:
            raise SeedError(f"subscription {subscription_id}: {exc}") from None
        registration = FeatureRegistration(subscription_id, feature, state)
        key = feature_key(subscription_id, feature)
        store.put(st.FEATURE, key, registration.to_doc(), subscription=subscription_id)


def _vnet_body(v: dict[str, Any], location: str) -> dict[str, Any]:
    subnets = []
    for s in _list(v.get("subnets"), "subnets"):
        props: dict[str, Any] = {}
        if "addressPrefixes" in s:
            props["addressPrefixes"] = s["addressPrefixes"]
        else:
            props["addressPrefix"] = s.get("addressPrefix")
        subnets.append({"name": s.get("name"), "properties": props})
    properties: dict[str, Any] = {
        "addressSpace": {"addressPrefixes": v.get("addressPrefixes", [])},
        "subnets": subnets,
    }
    if v.get("encryption") is not None:
        properties["encryption"] = v["encryption"]
    bgp = v.get("bgpCommunities") or {}
    if bgp.get("virtualNetworkCommunity"):
        properties["bgpCommunities"] = {"virtualNetworkCommunity": bgp["virtualNetworkCommunity"]}
    return {"location": v.get("location") or location, "tags": v.get("tags") or {}, "properties": properties}


def _remote_id(value: Any, sub: str, rg: str) -> str:
    if isinstance(value, str):
        return value if value.startswith("/") else ids.vnet_id(sub, rg, value)
    if isinstance(value, dict):
        return ids.vnet_id(
            str(value.get("subscriptionId") or sub), str(value.get("resourceGroup") or rg), str(value.get("name"))
        )
    raise SeedError(f"peering remoteVirtualNetwork must be an id or an object, got {value!r}")


def apply_resources(emu: Emulator, topology: dict[str, Any]) -> dict[str, int]:
    """Upsert the seed's resources; the caller holds the state lock."""
    net = emu.network
    defaults = topology.get("defaults") or {}
    default_gateway_seconds = float(defaults.get("gatewayProvisioningSeconds", 0.0))
    counts = {"resourceGroups": 0, "virtualNetworks": 0, "virtualNetworkGateways": 0, "virtualNetworkPeerings": 0}
    gateways: list[tuple[str, str, str, dict[str, Any], str]] = []
    peerings: list[tuple[str, str, str, dict[str, Any]]] = []
    common = {"conditions": Conditions(), "api_version": "2025-05-01", "base_url": emu.arm_endpoint}
    try:
        for rg in _list(topology.get("resourceGroups"), "resourceGroups"):
            sub = _guid(rg.get("subscriptionId"), "resourceGroups[].subscriptionId")
            if net.subscription(sub) is None:
                raise SeedError(f"resource group {rg.get('name')}: unknown subscription {sub}")
            name = str(rg.get("name"))
            location = str(rg.get("location") or "")
            net.put_resource_group(sub, name, {"location": location, "tags": rg.get("tags") or {}})
            counts["resourceGroups"] += 1
            for v in _list(rg.get("virtualNetworks"), "virtualNetworks"):
                vname = str(v.get("name"))
                regional = (v.get("bgpCommunities") or {}).get("regionalCommunity")
                net.put_vnet(
                    sub,
                    name,
                    vname,
                    _vnet_body(v, location),
                    plan=LroPlan(),
                    seeded=True,
                    regional_community=regional,
                    **common,  # type: ignore[arg-type]
                )
                counts["virtualNetworks"] += 1
                if v.get("gateway"):
                    gateways.append((sub, name, vname, v["gateway"], v.get("location") or location))
                for p in _list(v.get("peerings"), "peerings"):
                    peerings.append((sub, name, vname, p))
        for sub, rg_name, vname, g, location in gateways:
            subnet = ids.subnet_id(ids.vnet_id(sub, rg_name, vname), g.get("subnet", "GatewaySubnet"))
            sku = g.get("sku", "VpnGw1")
            body = {
                "location": location,
                "properties": {
                    "gatewayType": g.get("gatewayType", "Vpn"),
                    "vpnType": g.get("vpnType", "RouteBased"),
                    "sku": sku if isinstance(sku, dict) else {"name": sku, "tier": sku},
                    "ipConfigurations": [{"name": "default", "properties": {"subnet": {"id": subnet}}}],
                },
            }
            net.put_gateway(
                sub,
                rg_name,
                str(g.get("name", f"{vname}-gw")),
                body,
                plan=LroPlan(),
                seeded=True,
                provisioning_seconds=float(g.get("provisioningSeconds", default_gateway_seconds)),
                **common,  # type: ignore[arg-type]
            )
            counts["virtualNetworkGateways"] += 1
        for sub, rg_name, vname, p in peerings:
            props = {k: v for k, v in p.items() if k not in ("name", "remoteVirtualNetwork")}
            props["remoteVirtualNetwork"] = {"id": _remote_id(p.get("remoteVirtualNetwork"), sub, rg_name)}
            net.put_peering(
                sub,
                rg_name,
                vname,
                str(p.get("name")),
                {"properties": props},
                sync_remote=False,
                plan=LroPlan(),
                seeded=True,
                **common,  # type: ignore[arg-type]
            )
            counts["virtualNetworkPeerings"] += 1
    except errors.ArmError as exc:
        raise SeedError(f"{exc.code}: {exc.message}") from None
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, SeedError):
            raise
        raise SeedError(f"malformed seed: {exc!r}") from None
    return counts
