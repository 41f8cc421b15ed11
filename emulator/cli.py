"""Command line: ``azure-peering-emulator serve``, ``env``, ``seeds`` and the client commands (``vnet``,
``vnet-gateway``, ``group``, ``dump``, ``reset``: :mod:`.commands`)."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType

from .connection import (
    CONNECTION_FILE,
    NotRunning,
    env_vars,
    format_exports,
    format_unset,
    mark_starting,
    running_connection,
)
from .faults import parse_spec
from .seed import SeedError, describe, resolve, shipped
from .timing import LatencyProfile

DEFAULT_DATA_DIR = Path(".state") / "emulator"
#: ``1`` (or true/yes/on) makes ``serve`` omit every optional body property real Azure may leave out, unless
#: ``--sparse-bodies`` / ``--no-sparse-bodies`` says otherwise: switches a whole test run.
SPARSE_ENV = "AZURE_PEERING_EMULATOR_SPARSE"


def sparse_from_env() -> bool:
    return os.environ.get(SPARSE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _latency_profile(value: str) -> LatencyProfile:
    try:
        return LatencyProfile.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="azure-peering-emulator", description="Local Azure Resource Manager emulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve ARM and the token service over HTTPS on loopback")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=int,
        default=None,
        help="port (default: the one this data dir's emulator had last time when it is free, else a free one; "
        "0: any free one; see connection.json)",
    )
    serve.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="state, keys, CA, connection.json")
    serve.add_argument(
        "--seed",
        metavar="NAME|PATH",
        help="seed topology applied to a new (or --reset) data dir: a shipped seed's name (demo, default, minimal; "
        "see `azure-peering-emulator seeds`) or a JSON file's path (default: minimal, identities only)",
    )
    serve.add_argument("--latency", type=float, default=0.0, help="seconds each write operation takes")
    serve.add_argument(
        "--latency-profile",
        type=_latency_profile,
        metavar="azure[:SCALE]",
        help="real Azure durations times SCALE (default 0.01): peerings 10 s, vnets 3 s, gateways 25 min to create "
        "and 8 to delete; replaces --latency",
    )
    serve.add_argument(
        "--sparse-bodies",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"omit every optional property real Azure may leave out, at any api-version (default: ${SPARSE_ENV})",
    )
    serve.add_argument("--faults", default="", help="fault spec, e.g. 'seed=7;429=0.1;lro_fail=0.05'")
    serve.add_argument("--reset", action="store_true", help="drop resources and the request log, re-apply the seed")
    serve.add_argument("--token-lifetime", type=float, default=3600.0, help="access token lifetime in seconds")
    serve.add_argument("--page-size", type=int, default=50, help="items per list page before nextLink")
    serve.add_argument(
        "--gateway-provisioning-seconds", type=float, default=0.0, help="how long a new gateway provisions"
    )
    serve.add_argument(
        "--late-refusals",
        default="",
        help="comma-separated peering refusal codes answered as a Failed long-running operation instead of a 400 "
        "(e.g. VnetAddressSpaceOverlapsWithAlreadyPeeredVnet)",
    )
    serve.add_argument(
        "--plain-http",
        action="store_true",
        help="also serve ARM without TLS on another loopback port (connection.json: plain_http_endpoint), for "
        "clients that allow http on loopback",
    )
    serve.add_argument("--quiet", action="store_true", help="no startup line on stderr")
    env = sub.add_parser("env", help="print the shell exports that point clients at a running emulator")
    env.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    env.add_argument("--tenant", help="tenant id to export credentials for (default: the primary tenant)")
    env.add_argument("--format", choices=("sh", "dotenv", "json"), default="sh")
    env.add_argument(
        "--unset",
        action="store_true",
        help="print the lines that unset every variable env exports (no emulator needed)",
    )
    seeds = sub.add_parser("seeds", help="list the seed topologies shipped in the package (serve --seed NAME)")
    seeds.add_argument("--json", action="store_true")
    from .commands import add_parsers

    add_parsers(sub, DEFAULT_DATA_DIR)
    return parser


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def serve(args: argparse.Namespace) -> int:
    os.umask(0o077)  # keys, secrets and the databases in the data dir are for this user only
    try:
        parse_spec(args.faults)
    except ValueError as exc:
        _log(f"emulator: {exc}")
        return 2
    try:
        seed_path = resolve(args.seed) if args.seed is not None else None
    except SeedError as exc:
        _log(f"emulator: {exc}")
        return 2
    try:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        starting = mark_starting(args.data_dir)
    except OSError as exc:
        _log(f"emulator: cannot start: {exc}")
        return 1
    try:
        return _serve(args, seed_path)
    finally:
        with contextlib.suppress(OSError):
            if starting.read_text().strip() == str(os.getpid()):  # not another serve's of the same data dir
                starting.unlink()


def _serve(args: argparse.Namespace, seed_path: Path | None) -> int:
    from .app import Emulator
    from .rules import late_refusal_codes

    try:
        emu = Emulator(
            args.data_dir,
            host=args.host,
            port=_port(args.data_dir, args.host) if args.port is None else args.port,
            latency=args.latency,
            faults=args.faults,
            token_lifetime=args.token_lifetime,
            page_size=args.page_size,
            gateway_provisioning_seconds=args.gateway_provisioning_seconds,
            latency_profile=args.latency_profile,
            sparse_bodies=sparse_from_env() if args.sparse_bodies is None else args.sparse_bodies,
            late_refusals=late_refusal_codes(args.late_refusals),
            plain_http=args.plain_http,
            seed_path=seed_path,
            reset=args.reset,
            log=(lambda _m: None) if args.quiet else _log,
        )
    except (OSError, ValueError, SeedError) as exc:
        _log(f"emulator: cannot start: {exc}")
        return 1

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        emu.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        emu.close()
    return 0


def _port(data_dir: Path, host: str) -> int:
    """The port this data dir's emulator had last time (its connection.json is left behind) when it is free, so that
    exports and stack config made for it keep working after a restart; else 0, any free port."""
    try:
        previous = int(json.loads((Path(data_dir) / CONNECTION_FILE).read_text())["arm_endpoint"].rsplit(":", 1)[1])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return 0
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: TIME_WAIT is no obstacle
        try:
            probe.bind(("127.0.0.1" if host == "localhost" else host, previous))
        except OSError:
            return 0
    return previous


def env(args: argparse.Namespace) -> int:
    if args.unset:
        sys.stdout.write(format_unset(args.format))
        return 0
    try:
        connection = running_connection(args.data_dir)
    except NotRunning as exc:
        _log(f"emulator: {exc}")
        return 1
    try:
        values = env_vars(connection, args.tenant)
    except KeyError as exc:
        _log(f"emulator: {exc.args[0]}")
        return 1
    sys.stdout.write(format_exports(values, args.format))
    return 0


#: What ``serve`` needs beyond the provider's own requirements: the ``[emulator]`` extra.
EXTRA_MODULES = {"trustme": "trustme", "jwt": "pyjwt", "cryptography": "cryptography"}


def missing_extra() -> list[str]:
    """The distributions of the ``[emulator]`` extra that are not installed."""
    return [dist for module, dist in EXTRA_MODULES.items() if importlib.util.find_spec(module) is None]


def seeds(args: argparse.Namespace) -> int:
    listed = []
    for name, path in shipped().items():
        try:
            listed.append({"name": name, "path": str(path), **describe(path)})
        except SeedError as exc:
            _log(f"emulator: {exc}")
            return 1
    if args.json:
        print(json.dumps(listed, indent=2))
        return 0
    for s in listed:
        counts = (
            f"{s['tenants']} tenants, {s['subscriptions']} subscriptions, {s['virtualNetworks']} vnets, "
            f"{s['virtualNetworkGateways']} gateways, {s['virtualNetworkPeerings']} peerings"
        )
        print(f"{s['name']}: {s['description']}\n    {counts}\n    {s['path']}")
    print("serve one with `azure-peering-emulator serve --seed NAME`; your own with `--seed ./path.json`")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve" and (missing := missing_extra()):
        print(
            f"azure-peering-emulator: the emulator needs {', '.join(missing)}: "
            "pip install 'pulumi-azure-peering[emulator]'",
            file=sys.stderr,
        )
        return 2
    if args.command == "serve":
        return serve(args)
    if args.command == "env":
        return env(args)
    if args.command == "seeds":
        return seeds(args)
    from .commands import run

    return run(args)
