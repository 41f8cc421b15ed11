"""``azure-peering discover``: read an estate, pair and judge its peerings, print them (read-only).

Settings and credentials come from where the provider takes them outside a stack: flags, then the environment
(``AZURE_PEERING_*``, ``AZURE_*``), then ``az login`` (docs/provider.md, "Settings"). Exit status: 0 when no finding
is an error, 1 when one is, 2 when nothing could be read (bad flags, no credential, every subscription refused).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from pulumi_azure_peering.provider.errors import PeeringError
from pulumi_azure_peering.provider.ids import is_guid, vnet_id_problem
from pulumi_azure_peering.provider.runtime import process_runtime
from pulumi_azure_peering.provider.settings import ProviderOverrides, resolve_settings

from .emit import EmitError, write_project
from .estate import Scope, read_estate
from .findings import find_problems, propose_hubs
from .pairs import pair_peerings
from .report import Discovery, as_dot, as_json, as_mermaid, as_text

PROG = "azure-peering discover"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``discover`` (the ``azure-peering`` command adds them to its subcommand)."""
    parser.add_argument(
        "--subscription",
        action="append",
        default=[],
        metavar="ID",
        help="a subscription to read (repeat for several; default: AZURE_SUBSCRIPTION_ID)",
    )
    parser.add_argument(
        "--resource-group", action="append", default=[], metavar="NAME", help="read only these resource groups"
    )
    parser.add_argument(
        "--hub", action="append", default=[], metavar="VNET_ID", help="the hub vnet (default: proposed)"
    )
    parser.add_argument(
        "--auxiliary-tenant",
        action="append",
        default=[],
        metavar="TENANT_ID",
        help="a partner tenant whose vnets the pairs reach (repeat; default: the provider's setting)",
    )
    parser.add_argument(
        "--no-follow", action="store_true", help="do not read remote vnets outside the scope (one GET each)"
    )
    parser.add_argument("--tenant-id", help="the identity's home tenant (default: the provider's setting)")
    parser.add_argument("--client-id", help="the identity's client id (default: the provider's setting)")
    parser.add_argument("--cloud", help="AzureCloud (default), AzureUSGovernment or AzureChinaCloud")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the whole read (default 300)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the document (docs/discover.md) instead of a table")
    output.add_argument("--mermaid", action="store_true", help="print the topology as Mermaid instead of a table")
    parser.add_argument("--svg", metavar="FILE", help="also draw the topology to FILE with Graphviz (`dot`)")
    parser.add_argument(
        "--emit-project",
        metavar="DIR",
        help="also write a Pulumi project into DIR (new or empty) that adopts what was found and repairs what is "
        "broken (docs/adopting.md)",
    )
    parser.add_argument("--stack", default="dev", help="the stack the emitted project's config is for (default dev)")


def _refuse(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Run ``discover`` with parsed flags; prints the result on stdout, progress and problems on stderr."""
    subscriptions = list(
        dict.fromkeys(args.subscription or [s for s in [os.environ.get("AZURE_SUBSCRIPTION_ID")] if s])
    )
    if not subscriptions:
        return _refuse(
            "no subscription to read: pass --subscription ID (repeat for several) or set AZURE_SUBSCRIPTION_ID"
        )
    bad = [s for s in subscriptions if not is_guid(s)]
    if bad:
        return _refuse(f"--subscription {bad[0]!r} is not a subscription id (8-4-4-4-12 hex digits)")
    for hub in args.hub:
        problem = vnet_id_problem(hub)
        if problem:
            return _refuse(f"--hub {hub!r}: {problem}")
    if args.svg and shutil.which("dot") is None:
        return _refuse(
            "--svg needs Graphviz's `dot`, which is not on PATH: install Graphviz (Debian/Ubuntu: apt-get install "
            "graphviz; macOS: brew install graphviz), or use --mermaid"
        )
    overrides = ProviderOverrides(
        cloud=args.cloud,
        tenant_id=args.tenant_id,
        client_id=args.client_id,
        auxiliary_tenant_ids=tuple(args.auxiliary_tenant) or None,
    )
    try:
        settings = resolve_settings(overrides, {}, os.environ)
    except PeeringError as exc:
        return _refuse(str(exc))
    scope = Scope(
        subscriptions=tuple(subscriptions),
        resource_groups=tuple(args.resource_group),
        auxiliary_tenant_ids=tuple(settings.auxiliary_tenant_ids),
        follow=not args.no_follow,
    )
    progress = _progress_line if sys.stderr.isatty() else None
    try:
        estate = read_estate(process_runtime().client_for(settings), scope, timeout=args.timeout, progress=progress)
    except PeeringError as exc:
        _end_progress(progress)
        return _refuse(str(exc))
    _end_progress(progress)
    if not estate.in_scope and estate.unreadable and len(estate.unreadable) >= len(subscriptions):
        for where, why in estate.unreadable.items():
            print(f"{PROG}: could not read {where}: {why}", file=sys.stderr)
        return 2
    pairs = pair_peerings(
        {facts.id: estate.sides.get(key, ()) for key, facts in estate.vnets.items()},
        [facts.id for facts in estate.vnets.values()],
    )
    hubs = list(args.hub) or propose_hubs(estate, pairs)
    found = Discovery(estate, pairs, find_problems(estate, pairs, hubs), hubs, hubs_proposed=not args.hub)
    if args.json:
        sys.stdout.write(as_json(found))
    elif args.mermaid:
        sys.stdout.write(as_mermaid(found))
    else:
        sys.stdout.write(as_text(found))
    if args.svg:
        drawn = subprocess.run(["dot", "-Tsvg"], input=as_dot(found), capture_output=True, text=True, check=False)
        if drawn.returncode != 0:
            return _refuse(f"`dot` could not draw the topology: {drawn.stderr.strip()}")
        Path(args.svg).write_text(drawn.stdout)
        print(f"{PROG}: drew the topology to {args.svg}", file=sys.stderr)
    if args.emit_project:
        try:
            written = write_project(found, Path(args.emit_project), stack=args.stack)
        except (EmitError, OSError) as exc:
            return _refuse(f"--emit-project: {exc}")
        print(
            f"{PROG}: wrote {', '.join(str(p) for p in written)}; next: cd {args.emit_project} && "
            f"pulumi stack init {args.stack} && pulumi preview (imports what exists, repairs what is broken)",
            file=sys.stderr,
        )
    return 1 if any(f.severity == "error" for f in found.findings) else 0


def _progress_line(line: str) -> None:
    width = shutil.get_terminal_size((100, 20)).columns - 1
    sys.stderr.write("\r" + line[:width].ljust(width))
    sys.stderr.flush()


def _end_progress(progress: object) -> None:
    if progress is not None:
        sys.stderr.write("\r" + " " * (shutil.get_terminal_size((100, 20)).columns - 1) + "\r")
        sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """``azure-peering-discover``: the same as ``azure-peering discover``."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0] if __doc__ else None)
    add_arguments(parser)
    return run(parser.parse_args(argv))


__all__ = ["add_arguments", "main", "run"]
