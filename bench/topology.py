"""The benchmark's landing zone, as an emulator seed: one hub with a VPN gateway and N spokes.

The hub (172.16.0.0/16, GatewaySubnet, a Succeeded VpnGw1 gateway) lives in the connectivity subscription; the spokes
(10.a.b.0/24, non-overlapping up to 65,536 of them) are spread over three landing-zone subscriptions with two
resource groups each, as vending machines lay them out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from harness.topology import CONNECTIVITY_SUB, vnet_id

LANDING_ZONES = 3
RESOURCE_GROUPS_PER_ZONE = 2
LOCATION = "westeurope"
HUB_RG = "rg-connectivity"
HUB_VNET = "vnet-hub"
MAX_SPOKES = 256 * 256


def _guid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://pulumi-azure-peering.invalid/bench/{name}"))


@dataclass(frozen=True)
class Spoke:
    key: str
    subscription: str
    resource_group: str
    vnet: str
    prefix: str

    @property
    def vnet_id(self) -> str:
        return vnet_id(self.subscription, self.resource_group, self.vnet)


@dataclass(frozen=True)
class HubSpokeTopology:
    """N spokes around one hub, and the seed that creates them in the emulator."""

    tenant_id: str
    spokes: tuple[Spoke, ...]

    @classmethod
    def generate(cls, n: int, tenant_id: str) -> HubSpokeTopology:
        if not 0 < n <= MAX_SPOKES:
            raise ValueError(f"between 1 and {MAX_SPOKES} spokes, not {n}")
        spokes = []
        for i in range(n):
            zone = i % LANDING_ZONES
            group = (i // LANDING_ZONES) % RESOURCE_GROUPS_PER_ZONE
            spokes.append(
                Spoke(
                    key=f"s{i:03d}",
                    subscription=landing_zone_subscription(zone),
                    resource_group=f"rg-lz{zone}-spokes{group}",
                    vnet=f"vnet-spoke-{i:03d}",
                    prefix=f"10.{i // 256}.{i % 256}.0/24",
                )
            )
        return cls(tenant_id, tuple(spokes))

    @property
    def n(self) -> int:
        return len(self.spokes)

    @property
    def hub_id(self) -> str:
        return vnet_id(CONNECTIVITY_SUB, HUB_RG, HUB_VNET)

    @property
    def distinct_vnets(self) -> int:
        return self.n + 1

    @property
    def peerings(self) -> int:
        """Two per spoke: hub -> spoke and spoke -> hub."""
        return 2 * self.n

    def program_input(self) -> dict[str, Any]:
        """What the benchmark program reads (topology.json): the hub id and spoke key -> vnet id."""
        return {"hub": self.hub_id, "spokes": {s.key: s.vnet_id for s in self.spokes}}

    def seed(self, *, peered: bool = False, one_sided_every: int = 0) -> dict[str, Any]:
        """The emulator seed (docs/emulator.md, "Seed topology"). With ``peered``, the pairs exist already, as the
        Azure CLI leaves them (``vnet-hub-to-<spoke>`` with gateway transit, ``<spoke>-to-vnet-hub`` using it):
        an estate for ``azure-peering discover``, where every ``one_sided_every``-th spoke's side is missing."""
        zones = sorted({s.subscription for s in self.spokes})
        hub: dict[str, Any] = {
            "name": HUB_VNET,
            "addressPrefixes": ["172.16.0.0/16"],
            "subnets": [
                {"name": "GatewaySubnet", "addressPrefix": "172.16.255.0/27"},
                {"name": "shared", "addressPrefix": "172.16.1.0/24"},
            ],
            "gateway": {"name": "vgw-hub", "gatewayType": "Vpn", "sku": "VpnGw1", "provisioningSeconds": 0},
        }
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for number, s in enumerate(self.spokes):
            spoke: dict[str, Any] = {
                "name": s.vnet,
                "addressPrefixes": [s.prefix],
                "subnets": [{"name": "workload", "addressPrefix": s.prefix.replace(".0/24", ".0/25")}],
            }
            if peered:
                hub.setdefault("peerings", []).append(
                    {"name": f"{HUB_VNET}-to-{s.vnet}", "remoteVirtualNetwork": s.vnet_id, "allowGatewayTransit": True}
                )
                if not (one_sided_every and number % one_sided_every == one_sided_every - 1):
                    back = {"name": f"{s.vnet}-to-{HUB_VNET}", "remoteVirtualNetwork": self.hub_id}
                    spoke["peerings"] = [{**back, "useRemoteGateways": True}]
            groups.setdefault((s.subscription, s.resource_group), []).append(spoke)
        resource_groups = [
            {
                "subscriptionId": CONNECTIVITY_SUB,
                "name": HUB_RG,
                "location": LOCATION,
                "virtualNetworks": [hub],
            }
        ]
        resource_groups += [
            {"subscriptionId": sub, "name": rg, "location": LOCATION, "virtualNetworks": vnets}
            for (sub, rg), vnets in sorted(groups.items())
        ]
        return {
            "tenants": [
                {
                    "tenantId": self.tenant_id,
                    "subscriptions": [
                        {"subscriptionId": sub, "displayName": f"bench-landing-zone-{i}"} for i, sub in enumerate(zones)
                    ],
                }
            ],
            "defaults": {"gatewayProvisioningSeconds": 0},
            "resourceGroups": resource_groups,
        }


def landing_zone_subscription(zone: int) -> str:
    return _guid(f"landing-zone-{zone}")
