"""Helpers for engine tests of programs that create their vnets (``pulumi_azure_peering.azure_native_stand_ins``) and
peer them in the same run: program text, what a preview plans, and what the emulator's request log says about writes
and their order."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

from harness.topology import vnet_id
from tests.emulator_config import SUB_HUB

RG = "rg-new"  # does not exist in the default seed: the first VirtualNetwork creates it

HEADER = """\
import pulumi
from pulumi_azure_peering import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs
from pulumi_azure_peering import VirtualNetworkPeering, VirtualNetworkPeeringArgs
from pulumi_azure_peering.azure_native_stand_ins import (
    VirtualNetwork, VirtualNetworkArgs, VirtualNetworkGateway, VirtualNetworkGatewayArgs,
)


def vnet(name, prefix, subnets=None):
    return VirtualNetwork(
        name,
        VirtualNetworkArgs(
            resource_group_name="rg-new",
            virtual_network_name=name,
            location="westeurope",
            address_prefixes=[prefix],
            subnets=subnets or [],
        ),
    )
"""


def program(body: str, *, prelude: str = "") -> str:
    """A program: the stand-in/peering imports and a ``vnet(name, prefix, subnets)`` helper, ``prelude`` (more
    definitions), then ``body`` (dedented)."""
    return HEADER + prelude + "\n" + textwrap.dedent(body)


def new_vnet(name: str, resource_group: str = RG) -> str:
    """ARM id of a vnet a stand-in creates in ``resource_group`` of the emulator's ``AZURE_SUBSCRIPTION_ID`` (the
    hub's subscription), where a stand-in without a subscription puts it."""
    return vnet_id(SUB_HUB, resource_group, name)


def is_peering(path: str) -> bool:
    return "/virtualnetworkpeerings/" in path.lower()


def is_vnet(path: str) -> bool:
    low = path.lower().rstrip("/")
    return low.rsplit("/", 2)[-2] == "virtualnetworks"


def is_gateway(path: str) -> bool:
    return "/virtualnetworkgateways/" in path.lower()


def planned(preview_output: str, resource: str) -> dict[str, str]:
    """The top-level inputs ``pulumi preview --diff`` shows for the resource named ``resource`` (the last URN
    segment): ``{"name": '"a-to-b"', "virtual_network_id": "[unknown]", ...}``; {} if it is not listed."""
    lines = preview_output.splitlines()
    for i, line in enumerate(lines):
        if "[urn=" in line and line.strip().rstrip("]").endswith(f"::{resource}"):
            indent = len(lines[i]) - len(lines[i].lstrip())
            values: dict[str, str] = {}
            for nxt in lines[i + 1 :]:
                stripped = nxt.strip()
                if not stripped:
                    continue
                depth = len(nxt) - len(nxt.lstrip())
                if depth < indent or stripped.startswith(("+ ", "~ ", "- ", "--outputs")) or "[urn=" in stripped:
                    break
                if depth == indent:
                    match = re.match(r"([A-Za-z_][\w]*)\s*:\s*(.*)$", stripped)
                    if match:
                        values[match.group(1)] = match.group(2).strip()
            return values
    return {}


def listed(preview_output: str, resource: str) -> bool:
    """Whether ``pulumi preview`` lists the resource named ``resource`` (the last URN segment) as a create."""
    return bool(re.search(rf"\+ \S+: \(create\)\n\s+\[urn=[^\]\s]*::{re.escape(resource)}\]", preview_output))


def creates_in(preview_output: str) -> int:
    match = re.search(r"\+ (\d+) to create", preview_output)
    return int(match.group(1)) if match else 0


def assert_deleted_in_order(log: list[dict[str, Any]], before_gateways: Sequence[str] = ()) -> None:
    """Destroy order as ARM saw it: everything written under a vnet (its peerings) was deleted before that vnet,
    and the peerings in ``before_gateways`` (ARM ids: those of the hub and those using its gateway) before any
    gateway."""
    deletes = [r for r in log if r["method"] == "DELETE" and r["status"] < 300]
    vnet_deletes = {r["path"].lower(): r["seq"] for r in deletes if is_vnet(r["path"])}
    for vnet_path, vnet_seq in vnet_deletes.items():
        children = [r for r in deletes if r["path"].lower().startswith(vnet_path + "/")]
        late = [r["path"] for r in children if r["seq"] > vnet_seq]
        assert not late, f"deleted after their vnet {vnet_path}: {late}"
    wanted = {p.lower() for p in before_gateways}
    peering_seqs = {r["path"].lower(): r["seq"] for r in deletes if r["path"].lower() in wanted}
    assert set(peering_seqs) == wanted, f"never deleted: {sorted(wanted - set(peering_seqs))}"
    for gateway in (r for r in deletes if is_gateway(r["path"])):
        late = [p for p, seq in peering_seqs.items() if seq > gateway["seq"]]
        assert not late, f"deleted after the gateway {gateway['path']}: {late}"
