"""``azure-peering``: the package's command line, one subcommand per tool.

``azure-peering discover`` reads an estate and judges its peerings (:mod:`pulumi_azure_peering.discover`). The older
tools keep their own commands (``azure-peering-recover``, ``azure-peering-emulator``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def parser() -> argparse.ArgumentParser:
    """The ``azure-peering`` command's parser, its subcommands included."""
    from pulumi_azure_peering.discover import cli as discover

    top = argparse.ArgumentParser(prog="azure-peering", description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    discover_parser = commands.add_parser(
        "discover",
        help="read vnets and peerings, pair and judge them (read-only)",
        description=discover.__doc__.split("\n\n")[0] if discover.__doc__ else None,
    )
    discover.add_arguments(discover_parser)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    from pulumi_azure_peering.discover import cli as discover

    return discover.run(parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
