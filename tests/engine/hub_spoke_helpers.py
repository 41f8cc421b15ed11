"""The hub-and-spoke demo estate the engine tests share: examples/hub_spoke's program and seed, its vnets, the
project config that names them, and peerings made there by another tool."""

from __future__ import annotations

import copy
import json
from typing import Any

from harness.pulumi import REPO, PulumiProject
from pulumi_azure_peering.emulator.seed import DEMO_SEED as SHIPPED_DEMO_SEED
from tests.emulator_config import seeded_vnet

PROGRAM = (REPO / "examples" / "hub_spoke" / "__main__.py").read_text()
DEMO_SEED = json.loads(SHIPPED_DEMO_SEED.read_text())

DEMO_SPOKES: dict[str, dict[str, Any]] = {
    "identity": {"vnetId": seeded_vnet("vnet-identity")},
    "payments": {"vnetId": seeded_vnet("vnet-payments"), "useHubGateway": True},
    "web": {"vnetId": seeded_vnet("vnet-web"), "useHubGateway": True},
    "analytics": {
        "vnetId": seeded_vnet("vnet-analytics"),
        "link": "subnets",
        "localSubnetNames": ["app"],
        "hubSubnetNames": ["shared"],
    },
}


def demo_seed_with(resource_group: str, *vnets: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``DEMO_SEED`` with ``vnets`` (in the seed's format) added to its resource group ``resource_group``."""
    seed: dict[str, Any] = copy.deepcopy(DEMO_SEED)
    group = next(g for g in seed["resourceGroups"] if g["name"] == resource_group)
    group["virtualNetworks"].extend(vnets)
    return seed


def configure(project: PulumiProject, hub: str, spokes: dict[str, dict[str, Any]]) -> None:
    """The config ``PROGRAM`` reads: the hub's vnet id and the spokes (camelCase, as in Pulumi.<stack>.yaml)."""
    project.write_config({"peering-test:hubVnetId": hub, "peering-test:spokes": spokes})


def made_elsewhere(emulator: Any, local: str, remote: str, name: str, **properties: Any) -> dict[str, Any]:
    """A peering ``name`` from demo vnet ``local`` to ``remote`` made straight on ARM, as another tool would; what
    ARM answers for it once its operation finished."""
    body = {
        "properties": {
            "remoteVirtualNetwork": {"id": seeded_vnet(remote)},
            "allowVirtualNetworkAccess": True,
            **properties,
        }
    }
    answer = emulator.arm("PUT", f"{seeded_vnet(local)}/virtualNetworkPeerings/{name}", json=body)
    assert answer.status_code in (200, 201), answer.text
    emulator.finish_operations()
    return dict(emulator.arm("GET", f"{seeded_vnet(local)}/virtualNetworkPeerings/{name}").json())
