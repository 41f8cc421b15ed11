"""The module path every peering's state names, pinned: ``pulumi_azure_peering.provider.resource``.

The engine stores each dynamic resource's provider pickled (dill) as the ``__provider`` input, by reference to its
class. The dynamic-provider process of every later refresh, update and destroy imports that path, so a stack made
today must find it in every later version: renaming the module or the class breaks existing stacks. This deploys a
peering through the real CLI and reads the checkpoint's pickle back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from tests.engine.pickled import load_pickled_provider
from tests.provider_on_emulator.programs import peering_program

pytestmark = pytest.mark.engine

#: Every name of ours a checkpoint written by this version holds: each must keep resolving, to the same class. The
#: provider's class, and the class of its one attribute (the explicit settings, empty unless a program passes some).
PICKLED_NAMES = {
    ("pulumi_azure_peering.provider.resource", "VirtualNetworkPeeringProvider"),
    ("pulumi_azure_peering.provider.settings", "ProviderOverrides"),
}


def test_state_names_the_provider_by_its_package_path(make_project: Callable[..., Any]) -> None:
    project = make_project(peering_program({"local": "vnet-hub", "remote": "vnet-payments"}))
    project.up()
    (peering,) = project.resources("VirtualNetworkPeering")

    provider, names = load_pickled_provider(peering["inputs"]["__provider"])

    assert type(provider) is VirtualNetworkPeeringProvider  # by reference: the installed class, not a copy
    assert {(module, name) for module, name in names if module.startswith("pulumi_azure_peering")} == PICKLED_NAMES
    assert not [module for module, _ in names if module.partition(".")[0] in ("provider", "components")]
