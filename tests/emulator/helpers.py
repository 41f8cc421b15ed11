"""Small helpers for the emulator suite: ids of the minimal seed, topology builders, PUT-and-wait."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from harness import topology
from pulumi_azure_peering.emulator.testing import EmulatorProcess

MINIMAL = json.loads((Path(__file__).resolve().parents[2] / "emulator" / "seeds" / "minimal.json").read_text())
TENANT_A = MINIMAL["tenants"][0]["tenantId"]
TENANT_B = MINIMAL["tenants"][1]["tenantId"]
SUB_A = MINIMAL["tenants"][0]["subscriptions"][0]["subscriptionId"]
SUB_A2 = MINIMAL["tenants"][0]["subscriptions"][1]["subscriptionId"]
SUB_B = MINIMAL["tenants"][1]["subscriptions"][0]["subscriptionId"]
RG = "rg-net"


def vnet_id(name: str, sub: str = SUB_A, rg: str = RG) -> str:
    return topology.vnet_id(sub, rg, name)


def peering_path(vnet: str, name: str, sub: str = SUB_A, rg: str = RG) -> str:
    return f"{vnet_id(vnet, sub, rg)}/virtualNetworkPeerings/{name}"


def vnet_spec(
    name: str, prefixes: list[str], subnets: dict[str, list[str]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "addressPrefixes": prefixes,
        "subnets": [{"name": n, "addressPrefixes": p} for n, p in (subnets or {}).items()],
        **extra,
    }


def seed_vnets(
    emu: EmulatorProcess, *vnets: dict[str, Any], sub: str = SUB_A, rg: str = RG, location: str = "westeurope"
) -> None:
    """Create vnets (already Succeeded) in one admin call."""
    emu.seed(
        {"resourceGroups": [{"subscriptionId": sub, "name": rg, "location": location, "virtualNetworks": list(vnets)}]}
    )


def peering_body(remote: str, **props: Any) -> dict[str, Any]:
    return {"properties": {"remoteVirtualNetwork": {"id": remote}, **props}}


def put_peering(
    emu: EmulatorProcess,
    vnet: str,
    name: str,
    remote: str,
    *,
    sub: str = SUB_A,
    rg: str = RG,
    sync: bool = False,
    wait: bool = True,
    tenant_id: str | None = None,
    headers: dict[str, str] | None = None,
    **props: Any,
) -> requests.Response:
    params = {"syncRemoteAddressSpace": "true"} if sync else None
    r = emu.arm(
        "PUT",
        peering_path(vnet, name, sub, rg),
        json=peering_body(remote, **props),
        params=params,
        tenant_id=tenant_id,
        headers=headers,
    )
    if wait and r.status_code in (200, 201):
        assert emu.wait(r, tenant_id=tenant_id)["status"] == "Succeeded"
    return r


def get_props(emu: EmulatorProcess, path: str, tenant_id: str | None = None) -> dict[str, Any]:
    r = emu.arm("GET", path, tenant_id=tenant_id)
    assert r.status_code == 200, r.text
    props: dict[str, Any] = r.json()["properties"]
    return props


def error_code(r: requests.Response) -> str:
    code: str = r.json()["error"]["code"]
    return code


def put_vnet(
    emu: EmulatorProcess, name: str, body: dict[str, Any], *, sub: str = SUB_A, rg: str = RG, wait: bool = True
) -> requests.Response:
    r = emu.arm("PUT", vnet_id(name, sub, rg), json=body)
    if wait and r.status_code in (200, 201):
        assert emu.wait(r)["status"] == "Succeeded"
    return r


def vnet_body(
    prefixes: list[str], subnets: dict[str, list[str]] | None = None, location: str = "westeurope", **props: Any
) -> dict[str, Any]:
    return {
        "location": location,
        "properties": {
            "addressSpace": {"addressPrefixes": prefixes},
            "subnets": [{"name": n, "properties": {"addressPrefixes": p}} for n, p in (subnets or {}).items()],
            **props,
        },
    }


def third_vnet_overlap(emu: EmulatorProcess) -> None:
    """hub <-> s1 Connected; s1copy has s1's space, so s1copy -> hub overlaps a vnet already peered with hub."""
    seed_vnets(
        emu,
        vnet_spec("hub", ["10.0.0.0/16"]),
        vnet_spec("s1", ["10.1.0.0/16"]),
        vnet_spec("s1copy", ["10.1.0.0/16"]),
    )
    put_peering(emu, "hub", "hub-s1", vnet_id("s1"))
    put_peering(emu, "s1", "s1-hub", vnet_id("hub"))


def scheduled_seconds(emu: EmulatorProcess, path: str, method: str = "PUT") -> float:
    """How long the operation in progress on ``path`` is scheduled to run, by the emulator's own clock (its
    operation record: ``finish_at - created_at``): a duration the test's own pace cannot shift."""
    (op,) = [
        op
        for op in emu.state()["pendingOperations"]
        if op["resource_id"].lower() == path.lower() and op["method"] == method
    ]
    return float(op["finish_at"]) - float(op["created_at"])
