"""Pulumi programs for the engine tests: peerings between the emulator's default-seed vnets."""

from __future__ import annotations

import json
from typing import Any

from tests.emulator_config import seeded_vnet

HEADER = """\
import pulumi
from pulumi_azure_peering.provider import VirtualNetworkPeering, VirtualNetworkPeeringArgs
"""


def peering_program(*peerings: dict[str, Any]) -> str:
    """A program declaring one VirtualNetworkPeering per dict (local, remote, optional name and args, and ``opts``:
    Python source of its ``pulumi.ResourceOptions``) and exporting each one's state as ``<resource name>``."""
    lines = [HEADER]
    for p in peerings:
        local, remote = p["local"], p["remote"]
        resource = p.get("resource") or f"{local}-to-{remote}"
        extra = {k: v for k, v in p.items() if k not in ("local", "remote", "resource", "opts")}
        kwargs = {
            "virtual_network_id": seeded_vnet(local),
            "remote_virtual_network_id": seeded_vnet(remote),
            **extra,
        }
        rendered = ", ".join(
            f"{k}={json.dumps(v).replace('true', 'True').replace('false', 'False')}" for k, v in kwargs.items()
        )
        var = resource.replace("-", "_")
        opts = f", opts={p['opts']}" if "opts" in p else ""
        lines.append(f"{var} = VirtualNetworkPeering({resource!r}, VirtualNetworkPeeringArgs({rendered}){opts})")
        lines.append(
            f"pulumi.export({resource!r}, {{'state': {var}.peering_state, 'sync': {var}.peering_sync_level, "
            f"'id': {var}.peering_id, 'forwarded': {var}.allow_forwarded_traffic, "
            f"'remote_space': {var}.remote_virtual_network_address_space}})"
        )
    return "\n".join(lines) + "\n"


def state_outputs(project: Any) -> dict[str, dict[str, Any]]:
    """Each VirtualNetworkPeering's outputs in the checkpoint, by resource name (refresh updates these; stack
    outputs are only recomputed when the program runs)."""
    return {r["urn"].split("::")[-1]: r.get("outputs", {}) for r in project.resources("VirtualNetworkPeering")}
