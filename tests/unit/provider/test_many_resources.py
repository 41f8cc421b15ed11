"""A program may declare hundreds of peerings: the SDK's provider serialisation must not pile up recursion."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.unit

PROGRAM = textwrap.dedent(
    """
    import pulumi
    import pulumi.runtime

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            return [args.name + "-id", args.inputs]

        def call(self, args):
            return {}

    pulumi.runtime.set_mocks(Mocks(), preview=False)
    from pulumi_azure_peering.provider import VirtualNetworkPeering, VirtualNetworkPeeringArgs

    rg = "/subscriptions/361de6c3-799a-41e4-8381-fc64ef7a8afb/resourceGroups/rg"
    vnet = rg + "/providers/Microsoft.Network/virtualNetworks/v{}"
    for i in range(1100):
        local, remote = vnet.format(i), vnet.format(i + 1)
        args = VirtualNetworkPeeringArgs(virtual_network_id=local, remote_virtual_network_id=remote)
        VirtualNetworkPeering(f"p{i}", args)
    print("declared", i + 1)
    """
)


def test_a_thousand_peerings_can_be_declared_in_one_program() -> None:
    # In a subprocess: the mocks are process-wide runtime settings. Without the pickler guard in
    # provider.resource the SDK raised RecursionError at about the 486th resource (a 243-spoke hub).
    proc = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "declared 1100" in proc.stdout
