"""The ``azure-peering`` Pulumi package: a provider plugin (``pulumi-resource-azure-peering``) written in Python.

It serves the custom resource ``azure-peering:index:VirtualNetworkPeering`` and the component
``azure-peering:index:HubSpokePeering`` to programs in any Pulumi language (YAML, TypeScript, Go, C#, ...). It is a
second front end over the same core as the Python dynamic resource: every check/diff/create/read/update/delete is
a call of :class:`pulumi_azure_peering.provider.resource.VirtualNetworkPeeringProvider`, with the schema's camelCase
names translated to the core's snake_case (:mod:`.names`), and the component is :class:`HubSpokePeering` itself,
building its children as this package's custom resource (:mod:`.children`).
"""

if __name__ != "pulumi_azure_peering.plugin":  # setup.py maps this folder into the package
    raise ImportError(f"{__name__!r} is pulumi_azure_peering.plugin: import it by that name, never as a second copy")

PACKAGE = "azure-peering"
PEERING_TYPE = f"{PACKAGE}:index:VirtualNetworkPeering"
HUB_SPOKE_TYPE = f"{PACKAGE}:index:HubSpokePeering"
