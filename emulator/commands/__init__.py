"""What users do to a cloud, as commands in the shape of ``az network ...``, against a running emulator.

``azure-peering-emulator vnet update -g rg-spokes -n vnet-payments --address-prefixes 10.1.0.0/16 10.11.0.0/16``
and the others find the emulator through the connection file of its data dir (checking that it still answers) and
go through its ARM API like any client: a token from the emulator's identity endpoint (azure-identity's
``ClientSecretCredential``), requests through an azure-core ARM pipeline (retries, ``Retry-After``), long-running
operations polled with azure-mgmt-core's ``ARMPolling``. So the emulator applies its rules, its timing and its faults
as it does for any ARM client. ``dump`` and ``reset`` use the admin API (they are not ARM operations).

Output is readable by default and the ARM bodies with ``--json``. Every error says what to do next.
These commands need only the package's own requirements, not the ``[emulator]`` extra.

One module per concern: :mod:`.arm` (the emulator's ARM API as a client sees it), :mod:`.rendering` (paths, tables),
:mod:`.actions` (one function per command); this module builds the parsers and runs a command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .actions import (
    dump,
    gateway_create,
    gateway_delete,
    gateway_show,
    group_create,
    peering_delete,
    peering_list,
    peering_show,
    peering_sync,
    reset,
    vnet_create,
    vnet_delete,
    vnet_list,
    vnet_show,
    vnet_update,
)
from .arm import Arm, CommandError

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
