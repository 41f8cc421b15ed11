"""Griffe extension of the API reference (``mkdocs.yml``: the python handler's ``extensions``).

- Under each field of ``VirtualNetworkPeeringArgs`` and ``PeeringOutputs``, the field's facts from the one table
  of the peering's fields, ``provider/schema.py``'s ``FIELDS``: where ARM holds it, its default, what a change of it
  does (``schema.field_facts``). An output that is an input and has no docstring of its own reads the input's, as
  the plugin's package schema does.
- Under each field of ``SpokeArgs`` and ``HubSpokePeeringArgs``, the peering fields it sets on which side (the
  component's ``ARGS_SET`` table, held to the planner by a unit test), with those fields' facts from the same table,
  and the field's own default.
- Sphinx roles (``:class:`Plan```), which the code's docstrings use, read as code in Markdown.

Nothing here states a fact of its own: it only places the tables' facts next to the docstrings they belong to.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import griffe

from pulumi_azure_peering.components import hub_spoke
from pulumi_azure_peering.provider import schema

PEERING = "pulumi_azure_peering.provider.peering"
COMPONENT = "pulumi_azure_peering.components.hub_spoke"
#: How the reference names each side of ``hub_spoke.ARGS_SET``, for a spoke's field and for the topology's.
SIDES = {
    "SpokeArgs": {
        "hub_to_spoke": "hub side",
        "spoke_to_hub": "spoke side",
        "mesh": "mesh peerings its vnet holds",
        "mesh_to": "mesh peerings to it",
    },
    "HubSpokePeeringArgs": {"hub_to_spoke": "hub sides", "spoke_to_hub": "spoke sides", "mesh": "mesh peerings"},
}
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj|const):`~?\.?([^`]+)`")


def _append(obj: griffe.Object, text: str) -> None:
    if obj.docstring is None:
        obj.docstring = griffe.Docstring(text, parent=obj)
    else:
        obj.docstring.value = f"{obj.docstring.value.rstrip()}\n\n{text}"


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if isinstance(member, griffe.Object):
            yield from _objects(member)


def _default(cls: type, name: str) -> str:
    field = {f.name: f for f in dataclasses.fields(cls)}[name]
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "Required."
    return f"Default: ``{value!r}``."


def component_facts(cls: type, name: str) -> str | None:
    """The peering fields a field of ``SpokeArgs`` / ``HubSpokePeeringArgs`` sets, their ARM properties and what a
    change does, and the field's default; None for a field that sets no peering field."""
    sets = hub_spoke.ARGS_SET[cls.__name__].get(name)
    if not sets:
        return None
    parts = []
    for field, sides in sets:
        peering = schema.BY_NAME[field]
        words = [SIDES[cls.__name__][side] for side in sides]
        on = ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]
        where = peering.arm_property
        where = "never sent to ARM" if where is None else f"ARM: {where if ' ' in where else f'``{where}``'}"
        parts.append(f"- ``{field}`` of the {on} ({where}): a change {schema.CHANGE_EFFECTS[peering.change]}.")
    return "Sets these peering fields:\n\n" + "\n".join(parts) + f"\n\n{_default(cls, name)}"


class SchemaFacts(griffe.Extension):
    """The extension ``mkdocs.yml`` names."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if pkg.path != "pulumi_azure_peering":
            return
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = _ROLE.sub(r"``\1``", obj.docstring.value)
            if (
                isinstance(obj, griffe.Attribute)
                and "class-attribute" not in obj.labels
                and "instance-attribute" in obj.labels
            ):
                obj.value = None  # what __init__ assigns (HubSpokePeering.peerings): how, not what
        args = pkg.get_member(f"{PEERING.removeprefix('pulumi_azure_peering.')}.VirtualNetworkPeeringArgs")
        outputs = pkg.get_member(f"{PEERING.removeprefix('pulumi_azure_peering.')}.PeeringOutputs")
        for name in schema.INPUTS:
            _append(args.members[name], schema.field_facts(name))
        for peering_field in schema.FIELDS:
            output = outputs.members[peering_field.name]
            given = args.members.get(peering_field.name)
            if output.docstring is None and given is not None and given.docstring is not None:
                first = given.docstring.value.split("\n\n")[0]  # the input's own words, not its facts
                output.docstring = griffe.Docstring(first, parent=output)
            _append(output, schema.field_facts(peering_field.name))
        for cls in (hub_spoke.SpokeArgs, hub_spoke.HubSpokePeeringArgs):
            documented = pkg.get_member(f"{COMPONENT.removeprefix('pulumi_azure_peering.')}.{cls.__name__}")
            for field in dataclasses.fields(cls):
                facts = component_facts(cls, field.name)
                _append(documented.members[field.name], facts or _default(cls, field.name))
