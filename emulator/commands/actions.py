"""The commands themselves: one function per ``azure-peering-emulator <kind> <verb>``, each given the ARM API and
its parsed flags."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from ..seed import SeedError, load, resolve
from .arm import (
    GATEWAY_PROVISIONING_HEADER,
    RESOURCES_API_VERSION,
    Arm,
    CommandError,
    print_json,
    say,
)
from .rendering import (
    PEERING_HEADER,
    VNET_HEADER,
    address_space_text,
    gateway_path,
    group_path,
    peering_row,
    print_table,
    short_id,
    show_gateway,
    show_peering,
    show_vnet,
    vnet_path,
    vnet_rows,
)

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
        "PUT", group_path(sub, args.name), sub, api_version=RESOURCES_API_VERSION, body={"location": args.location}
    )
    print_json(body) if args.json else say(f"resource group {args.name} in subscription {sub} ({args.location})")


def vnet_create(arm: Arm, args: argparse.Namespace) -> None:
    sub, group = arm.resource_group(args.resource_group, args.subscription)
    body = {
        "location": args.location or group.get("location", ""),
        "properties": {
            "addressSpace": {"addressPrefixes": args.address_prefixes},
            "subnets": _subnets(args.subnet or []),
        },
    }
    vnet = arm.write("PUT", vnet_path(sub, args.resource_group, args.name), sub, body=body, wait=not args.no_wait)
    if args.json:
        print_json(vnet)
    else:
        show_vnet(vnet)


def vnet_update(arm: Arm, args: argparse.Namespace) -> None:
    """A resize: read the vnet, change its address space, PUT it back whole (what ``az network vnet update`` does)."""
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    path = vnet_path(sub, args.resource_group, args.name)
    current = arm.call("GET", path, sub)
    before = address_space_text(current)
    current["properties"]["addressSpace"] = {"addressPrefixes": args.address_prefixes}
    vnet = arm.write("PUT", path, sub, body=current, wait=not args.no_wait)
    if args.json:
        print_json(vnet)
        return
    state = vnet["properties"]["provisioningState"]
    say(f"vnet {args.name}: address space {before} -> {address_space_text(vnet)} ({state})")
    peerings = vnet["properties"].get("virtualNetworkPeerings", [])
    if peerings:
        say(
            f"its {len(peerings)} peering(s) and their remote sides now read *NotInSync until synced "
            f"(`pulumi up`, or `azure-peering-emulator vnet peering sync`): "
            f"`azure-peering-emulator vnet peering list -g {args.resource_group} --vnet-name {args.name}`"
        )


def _deleted(arm: Arm, what: str) -> bool:
    """Whether the DELETE removed something: ARM answers 204 for what does not exist."""
    if arm.last_status == 204:
        say(f"{what} does not exist: nothing deleted")
        return False
    return True


def vnet_delete(arm: Arm, args: argparse.Namespace) -> None:
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    arm.write("DELETE", vnet_path(sub, args.resource_group, args.name), sub, wait=not args.no_wait)
    if not args.json and _deleted(arm, f"vnet {args.name}"):
        done = "deleting" if args.no_wait else "deleted"
        say(f"vnet {args.name} {done} (peerings of other vnets to it now read Disconnected)")


def vnet_show(arm: Arm, args: argparse.Namespace) -> None:
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    vnet = arm.call("GET", vnet_path(sub, args.resource_group, args.name), sub)
    print_json(vnet) if args.json else show_vnet(vnet)


def vnet_list(arm: Arm, args: argparse.Namespace) -> None:
    vnets: list[dict[str, Any]] = []
    if args.resource_group:
        sub, _ = arm.resource_group(args.resource_group, args.subscription)
        vnets = list(
            arm.pages(f"{group_path(sub, args.resource_group)}/providers/Microsoft.Network/virtualNetworks", sub)
        )
    else:
        for sub in [args.subscription] if args.subscription else arm.subscriptions():
            vnets += arm.pages(f"/subscriptions/{sub}/providers/Microsoft.Network/virtualNetworks", sub)
    if args.json:
        print_json(vnets)
    elif not vnets:
        say("no vnets (`azure-peering-emulator vnet create -g RG -n NAME --address-prefixes 10.9.0.0/16` makes one)")
    else:
        print_table(vnet_rows(vnets), VNET_HEADER)


def _peerings_path(arm: Arm, args: argparse.Namespace) -> tuple[str, str]:
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    return sub, f"{vnet_path(sub, args.resource_group, args.vnet_name)}/virtualNetworkPeerings"


def peering_list(arm: Arm, args: argparse.Namespace) -> None:
    sub, path = _peerings_path(arm, args)
    peerings = list(arm.pages(path, sub))
    if args.json:
        print_json(peerings)
    elif not peerings:
        say(f"vnet {args.vnet_name} has no peerings")
    else:
        print_table([peering_row(p) for p in peerings], PEERING_HEADER)


def peering_show(arm: Arm, args: argparse.Namespace) -> None:
    sub, path = _peerings_path(arm, args)
    peering = arm.call("GET", f"{path}/{quote(args.name)}", sub)
    print_json(peering) if args.json else show_peering(peering)


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
    print_json(peering) if args.json else show_peering(peering)


def peering_delete(arm: Arm, args: argparse.Namespace) -> None:
    sub, path = _peerings_path(arm, args)
    arm.write("DELETE", f"{path}/{quote(args.name)}", sub, wait=not args.no_wait)
    if not args.json and _deleted(arm, f"peering {args.name} of {args.vnet_name}"):
        done = "deleting" if args.no_wait else "deleted"
        say(f"peering {args.name} of {args.vnet_name} {done} (its other side now reads Disconnected)")


def gateway_create(arm: Arm, args: argparse.Namespace) -> None:
    sub, group = arm.resource_group(args.resource_group, args.subscription)
    vnet = arm.call("GET", vnet_path(sub, args.resource_group, args.vnet), sub)
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
    path = gateway_path(sub, args.resource_group, args.name)
    gateway = arm.write("PUT", path, sub, body=body, headers=headers, wait=not args.no_wait)
    if args.json:
        print_json(gateway)
        return
    show_gateway(gateway)
    if args.no_wait:
        show = f"azure-peering-emulator vnet-gateway show -g {args.resource_group} -n {args.name}"
        say(f"`{show}` tells when it has Succeeded")


def gateway_show(arm: Arm, args: argparse.Namespace) -> None:
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    gateway = arm.call("GET", gateway_path(sub, args.resource_group, args.name), sub)
    print_json(gateway) if args.json else show_gateway(gateway)


def gateway_delete(arm: Arm, args: argparse.Namespace) -> None:
    sub, _ = arm.resource_group(args.resource_group, args.subscription)
    arm.write("DELETE", gateway_path(sub, args.resource_group, args.name), sub, wait=not args.no_wait)
    if not args.json and _deleted(arm, f"gateway {args.name}"):
        say(f"gateway {args.name} {'deleting' if args.no_wait else 'deleted'}")


def dump(arm: Arm, args: argparse.Namespace) -> None:
    """The emulator's whole state (admin API): resources as ARM renders them, operations, settings; no secrets."""
    state = arm.admin("GET", "state")
    if args.json:
        print_json(state)
        return
    say(f"emulator {arm.endpoint} (data: {arm.data_dir})")
    for t in state["tenants"]:
        subs = [s for s in state["subscriptions"] if s["tenant_id"] == t["tenant_id"]]
        say(f"tenant {t['display_name']} ({t['tenant_id']})")
        for s in subs:
            say(f"  subscription {s['display_name']} ({s['subscription_id']})")
    say()
    vnets = state["virtualNetworks"]
    if vnets:
        print_table(vnet_rows(vnets), VNET_HEADER)
    else:
        say("no vnets")
    gateways = state["virtualNetworkGateways"]
    if gateways:
        say()
        rows = [
            [
                g["name"],
                short_id(g["id"]).split("/")[0],
                g["properties"].get("provisioningState", ""),
                short_id(
                    ((g["properties"].get("ipConfigurations") or [{}])[0].get("properties") or {})
                    .get("subnet", {})
                    .get("id", "")
                    .rsplit("/subnets/", 1)[0]
                ),
            ]
            for g in gateways
        ]
        print_table(rows, ("GATEWAY", "RESOURCE GROUP", "STATE", "VNET"))
    peerings = state["virtualNetworkPeerings"]
    if peerings:
        say()
        rows = [[short_id(p["id"].rsplit("/virtualNetworkPeerings/", 1)[0]), *peering_row(p)] for p in peerings]
        print_table(rows, ("VNET", *PEERING_HEADER))
    pending = state.get("pendingOperations", [])
    if pending:
        say()
        say(f"{len(pending)} operation(s) in progress")


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
        print_json({"reset": True, "applied": applied})
    elif applied is None:
        say("emulator reset: no resources left (identities kept); `--seed demo` would apply a seed")
    else:
        counts = ", ".join(f"{n} {k}" for k, n in applied.items())
        say(f"emulator reset, then seed {args.seed} applied: {counts}")
