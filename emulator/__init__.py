"""Local Azure Resource Manager emulator for Microsoft.Network virtual networks, gateways and peerings.

Start it with ``azure-peering-emulator serve``; drive it from tests with
:class:`pulumi_azure_peering.emulator.testing.EmulatorProcess`.
It has its own wire models and rules and never imports the provider or the components.
"""

if __name__ != "pulumi_azure_peering.emulator":  # setup.py maps this folder into the package
    raise ImportError(f"{__name__!r} is pulumi_azure_peering.emulator: import it by that name, never as a second copy")
