"""Azure virtual network peering for Pulumi.

The public API::

    from pulumi_azure_peering import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs
    from pulumi_azure_peering import VirtualNetworkPeering, VirtualNetworkPeeringArgs, PeeringTimeouts

Below it: ``pulumi_azure_peering.provider`` (the dynamic provider and its ARM client), ``.components`` (the
hub-and-spoke planner and component), ``.plugin`` (the ``azure-peering`` package's provider plugin) and ``.emulator``
(the local ARM emulator, with the ``[emulator]`` extra). Their code lives in the repository's top-level folders of the
same names, which the build maps into this package (setup.py). ``pulumi_azure_peering.azure_native_stand_ins``: example
resources that create vnets and gateways in ARM the way azure-native does, for programs run against the emulator.

The names are loaded on first use (PEP 562), so that the emulator and the dynamic provider's own process, which
import this package first, do not pay for the half of it they never use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:
    from pulumi_azure_peering.components.hub_spoke import HubSpokePeering, HubSpokePeeringArgs, SpokeArgs
    from pulumi_azure_peering.provider.peering import (
        PeeringTimeouts,
        VirtualNetworkPeering,
        VirtualNetworkPeeringArgs,
    )

_PUBLIC = {
    "HubSpokePeering": "pulumi_azure_peering.components.hub_spoke",
    "HubSpokePeeringArgs": "pulumi_azure_peering.components.hub_spoke",
    "SpokeArgs": "pulumi_azure_peering.components.hub_spoke",
    "PeeringTimeouts": "pulumi_azure_peering.provider.peering",
    "VirtualNetworkPeering": "pulumi_azure_peering.provider.peering",
    "VirtualNetworkPeeringArgs": "pulumi_azure_peering.provider.peering",
}

__all__ = [
    "HubSpokePeering",
    "HubSpokePeeringArgs",
    "PeeringTimeouts",
    "SpokeArgs",
    "VirtualNetworkPeering",
    "VirtualNetworkPeeringArgs",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_azure_peering' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
