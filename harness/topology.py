"""Generated emulator seeds (docs/emulator.md's format) for a hub and N spokes, shared by tests and benchmarks."""

from __future__ import annotations

import ipaddress
from typing import Any

TENANT = "d7bbee4d-a834-471b-9b44-b3ee102e86f0"
CONNECTIVITY_SUB = "361de6c3-799a-41e4-8381-fc64ef7a8afb"
#: Landing-zone subscriptions the spokes are spread over, as real estates do.
SPOKE_SUBS = (
    "6c95aa64-db25-4975-ba88-29cd57894580",
    "0b6f7a1e-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
    "7e8f9a0b-1c2d-4e3f-9a5b-6c7d8e9f0a1b",
)
HUB_PREFIX = ipaddress.ip_network("172.16.0.0/16")
SPOKE_SUPERNET = ipaddress.ip_network("10.0.0.0/8")
SPOKE_PREFIXLEN = 22


def vnet_id(subscription: str, resource_group: str, name: str) -> str:
    rg = f"/subscriptions/{subscription}/resourceGroups/{resource_group}"
    return f"{rg}/providers/Microsoft.Network/virtualNetworks/{name}"


def hub_id() -> str:
    return vnet_id(CONNECTIVITY_SUB, "rg-hub", "vnet-hub")


def spoke_name(i: int) -> str:
    return f"spoke{i:03d}"


def spoke_id(i: int) -> str:
    return vnet_id(SPOKE_SUBS[i % len(SPOKE_SUBS)], "rg-spokes", f"vnet-{spoke_name(i)}")


def spoke_prefix(i: int) -> str:
    """A distinct /22 per spoke inside 10.0.0.0/8 (room for 16384 spokes)."""
    return str(list(SPOKE_SUPERNET.subnets(new_prefix=SPOKE_PREFIXLEN))[i])


def hub_and_spokes(n: int, *, gateway_seconds: float = 0.0, with_gateway: bool = True) -> dict[str, Any]:
    """A hub (with a VPN gateway that finishes provisioning `gateway_seconds` after seeding) and `n` spokes."""
    hub: dict[str, Any] = {
        "name": "vnet-hub",
        "addressPrefixes": [str(HUB_PREFIX)],
        "subnets": [
            {"name": "GatewaySubnet", "addressPrefix": "172.16.255.0/27"},
            {"name": "shared", "addressPrefix": "172.16.1.0/24"},
        ],
    }
    if with_gateway:
        hub["gateway"] = {
            "name": "vgw-hub",
            "gatewayType": "Vpn",
            "sku": "VpnGw1",
            "provisioningSeconds": gateway_seconds,
        }
    groups: list[dict[str, Any]] = [
        {"subscriptionId": CONNECTIVITY_SUB, "name": "rg-hub", "location": "westeurope", "virtualNetworks": [hub]}
    ]
    for sub in SPOKE_SUBS:
        spokes = [
            {
                "name": f"vnet-{spoke_name(i)}",
                "addressPrefixes": [spoke_prefix(i)],
                "subnets": [{"name": "app", "addressPrefix": spoke_prefix(i).replace("/22", "/24")}],
            }
            for i in range(n)
            if SPOKE_SUBS[i % len(SPOKE_SUBS)] == sub
        ]
        groups.append({"subscriptionId": sub, "name": "rg-spokes", "location": "westeurope", "virtualNetworks": spokes})
    return {
        "tenants": [
            {
                "tenantId": TENANT,
                "displayName": "Contoso (primary)",
                "primary": True,
                "subscriptions": [{"subscriptionId": s} for s in (CONNECTIVITY_SUB, *SPOKE_SUBS)],
            }
        ],
        "resourceGroups": groups,
    }


def spokes_config(n: int, *, use_hub_gateway: bool = True) -> dict[str, dict[str, Any]]:
    """The `spokes` stack config of examples/hub_spoke for the generated topology."""
    return {spoke_name(i): {"vnetId": spoke_id(i), "useHubGateway": use_hub_gateway} for i in range(n)}
