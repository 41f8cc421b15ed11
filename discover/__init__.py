"""``azure-peering discover``: from an existing estate of vnets and peerings to a judged topology, read-only.

One module per step, in the order they run: :mod:`.estate` reads the vnets, gateways and peerings of the scope from
ARM with listings (the provider's ARM client and settings, nothing else writes); :mod:`.pairs` pairs every peering with
its reverse and classifies each pair; :mod:`.findings` says what is wrong, with a code, the vnets and the fix;
:mod:`.report` turns all of it into the table, the JSON document, Mermaid and Graphviz; :mod:`.cli` is the command.
Nothing here writes to ARM.
"""

from __future__ import annotations

if __name__ != "pulumi_azure_peering.discover":  # setup.py maps this folder into the package
    raise ImportError(f"{__name__!r} is pulumi_azure_peering.discover: import it by that name, never as a second copy")
