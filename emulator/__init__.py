"""Local Azure Resource Manager emulator for Microsoft.Network virtual networks, gateways and peerings.

Start it with ``python -m emulator serve``; drive it from tests with :class:`emulator.testing.EmulatorProcess`.
It has its own wire models and rules and never imports the provider or the components.
"""
