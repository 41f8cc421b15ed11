"""Ids and rendering for the commands: ARM paths of a group, vnet or gateway, tables and one-resource views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from .arm import say

# --- ids and rendering -----------------------------------------------------------------------------------------


def group_path(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{quote(rg)}"


def vnet_path(sub: str, rg: str, vnet: str) -> str:
    return f"{group_path(sub, rg)}/providers/Microsoft.Network/virtualNetworks/{quote(vnet)}"


def gateway_path(sub: str, rg: str, name: str) -> str:
    return f"{group_path(sub, rg)}/providers/Microsoft.Network/virtualNetworkGateways/{quote(name)}"


def short_id(resource_id: str) -> str:
    """``rg/name`` of an ARM id (the subscription left out)."""
    parts = resource_id.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    rg = parts[lowered.index("resourcegroups") + 1] if "resourcegroups" in lowered else "?"
    return f"{rg}/{parts[-1]}"


def print_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    if not rows:
        return
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        say("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def address_space_text(body: dict[str, Any]) -> str:
    return ", ".join((body.get("properties", {}).get("addressSpace") or {}).get("addressPrefixes", []))


def vnet_rows(vnets: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            v["name"],
            short_id(v["id"]).split("/")[0],
            v.get("location", ""),
            v["properties"].get("provisioningState", ""),
            address_space_text(v),
            str(len(v["properties"].get("virtualNetworkPeerings", []))),
        ]
        for v in vnets
    ]


VNET_HEADER = ("NAME", "RESOURCE GROUP", "LOCATION", "STATE", "ADDRESS SPACE", "PEERINGS")
PEERING_HEADER = ("NAME", "PEERING STATE", "SYNC LEVEL", "REMOTE VNET", "PROVISIONING")


def peering_row(p: dict[str, Any]) -> list[str]:
    props = p.get("properties", {})
    return [
        p["name"],
        props.get("peeringState", ""),
        props.get("peeringSyncLevel", ""),
        short_id((props.get("remoteVirtualNetwork") or {}).get("id", "")),
        props.get("provisioningState", ""),
    ]


def show_vnet(v: dict[str, Any]) -> None:
    props = v["properties"]
    say(f"vnet {v['name']} ({v['id']})")
    say(f"  location:      {v.get('location', '')}")
    say(f"  state:         {props.get('provisioningState', '')}")
    say(f"  address space: {address_space_text(v)}")
    for s in props.get("subnets", []):
        sp = s.get("properties", {})
        prefixes = sp.get("addressPrefixes") or [sp.get("addressPrefix", "")]
        say(f"  subnet:        {s['name']} {', '.join(prefixes)}")
    for p in props.get("virtualNetworkPeerings", []):
        row = peering_row(p)
        say(f"  peering:       {row[0]} -> {row[3]}: {row[1]} / {row[2]}")


def show_peering(p: dict[str, Any]) -> None:
    props = p.get("properties", {})
    say(f"peering {p['name']} ({p['id']})")
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
    say(f"  remote vnet:   {(props.get('remoteVirtualNetwork') or {}).get('id', '')}")
    for key in keys:
        if key in props:
            say(f"  {key}: {props[key]}")
    peered = ", ".join((props.get("remoteAddressSpace") or {}).get("addressPrefixes", []))
    current = ", ".join((props.get("remoteVirtualNetworkAddressSpace") or {}).get("addressPrefixes", []))
    say(f"  remote space peered:  {peered}")
    say(f"  remote space now:     {current}")


def show_gateway(g: dict[str, Any]) -> None:
    props = g.get("properties", {})
    state = props.get("provisioningState", "")
    say(f"gateway {g['name']} ({g['id']})")
    note = " (provisioning: peerings that use it are refused until it has Succeeded)" if state == "Updating" else ""
    say(f"  state: {state}{note}")
    say(f"  type:  {props.get('gatewayType', '')} {(props.get('sku') or {}).get('name', '')}")
    for c in props.get("ipConfigurations", []):
        say(f"  subnet: {((c.get('properties') or {}).get('subnet') or {}).get('id', '')}")
