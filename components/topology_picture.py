"""A topology drawn for people: vnets as nodes (hubs as hexagons), each pair of peerings one line colored by its
status, as Mermaid (renders in GitHub and Azure DevOps markdown, where teams review changes) or as a Graphviz
graph (``dot -Tsvg`` draws it).

The one home of the pictures: ``azure-peering discover`` draws an estate with it (discover/report.py), and
:class:`HubSpokePeering` its own topology (its ``topology_mermaid`` output, built by :func:`hub_spoke_picture`
from the same values as its ``peerings`` and ``mesh_peerings`` outputs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_azure_peering.provider.ids import vnet_key_or_text, vnet_name

from .pair_status import pair_status
from .peering_names import mesh_key

CONNECTED: Final = "#2e7d32"
DRIFTED: Final = "#f9a825"
BROKEN: Final = "#c62828"
HALF_BUILT: Final = "#ef6c00"
SETTLING: Final = "#757575"

#: Line color per pair status: discover's statuses (``Connected``, ``NotInSync``, ``Disconnected``, ``OneSided``)
#: and the component's (``Connected``, ``OutOfSync``, ``Disconnected``, ``WaitingForSpokeSide`` /
#: ``WaitingForHubSide``); anything else (a state still settling, unknown at preview) is grey.
STATUS_COLORS: Final[dict[str, str]] = {
    "Connected": CONNECTED,
    "NotInSync": DRIFTED,
    "OutOfSync": DRIFTED,
    "Disconnected": BROKEN,
    "OneSided": HALF_BUILT,
    "WaitingForSpokeSide": HALF_BUILT,
    "WaitingForHubSide": HALF_BUILT,
}
#: Statuses drawn dashed: a pair with a side missing.
HALF_BUILT_STATUSES: Final = frozenset({"OneSided", "WaitingForSpokeSide", "WaitingForHubSide"})


@dataclass(frozen=True)
class Node:
    key: str
    """What links name it by (a vnet's case-folded id)."""
    label: str
    hub: bool = False


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    """The two nodes' keys."""
    status: str


@dataclass(frozen=True)
class Picture:
    nodes: Sequence[Node]
    links: Sequence[Link]


def node_key(vnet_id: str) -> str:
    """A vnet's node key: its ids compare case-insensitively, as ARM's do."""
    return vnet_key_or_text(vnet_id)


def vnet_label(vnet_id: str) -> str:
    return vnet_name(vnet_id) or vnet_id


def _color(status: str) -> str:
    return STATUS_COLORS.get(status, SETTLING)


def _quoted(text: str) -> str:
    return text.replace('"', "'")


def mermaid(picture: Picture) -> str:
    """The picture as a Mermaid flowchart (left to right)."""
    ids = {node.key: f"v{number}" for number, node in enumerate(picture.nodes)}
    lines = ["flowchart LR"]
    for node in picture.nodes:
        label = _quoted(node.label)
        lines.append(f'    {ids[node.key]}{{{{"{label}"}}}}' if node.hub else f'    {ids[node.key]}["{label}"]')
    styles: list[str] = []
    for number, link in enumerate(picture.links):
        lines.append(f"    {ids[link.a]} ---|{link.status}| {ids[link.b]}")
        width = "2px" if link.status == "Connected" else "3px"
        dash = ",stroke-dasharray: 5 5" if link.status in HALF_BUILT_STATUSES else ""
        styles.append(f"    linkStyle {number} stroke:{_color(link.status)},stroke-width:{width}{dash}")
    return "\n".join(lines + styles) + "\n"


def dot(picture: Picture, name: str = "topology") -> str:
    """The picture as a Graphviz graph (``dot -Tsvg`` draws it)."""
    ids = {node.key: f"v{number}" for number, node in enumerate(picture.nodes)}
    lines = [
        f"graph {name} {{",
        "    rankdir=LR;",
        '    node [fontname="Helvetica", shape=box, style=rounded];',
        '    edge [fontname="Helvetica"];',
    ]
    for node in picture.nodes:
        shape = ', shape=hexagon, style="filled", fillcolor="#e3f2fd"' if node.hub else ""
        lines.append(f'    {ids[node.key]} [label="{_quoted(node.label)}"{shape}];')
    for link in picture.links:
        style = ", style=dashed" if link.status in HALF_BUILT_STATUSES else ""
        color = _color(link.status)
        lines.append(
            f'    {ids[link.a]} -- {ids[link.b]} [label="{link.status}", color="{color}", '
            f'fontcolor="{color}", penwidth=2{style}];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def hub_spoke_picture(
    hub_vnet_id: str,
    spoke_vnet_ids: Mapping[str, str],
    peerings: Mapping[str, Mapping[str, Any]],
    mesh_peerings: Mapping[str, Mapping[str, Any]],
) -> Picture:
    """A :class:`HubSpokePeering`'s topology from its inputs' vnet ids and its outputs' values: the hub, each spoke
    labelled with its key and vnet, each spoke's pair by its ``status``, each meshed pair of spokes by its two
    sides' states (:func:`~.pair_status.pair_status` over them)."""
    nodes = [Node(node_key(hub_vnet_id), vnet_label(hub_vnet_id), hub=True)]
    for spoke, vnet in sorted(spoke_vnet_ids.items()):
        nodes.append(Node(node_key(vnet), f"{spoke}: {vnet_label(vnet)}"))
    hub = node_key(hub_vnet_id)
    links = [
        Link(hub, node_key(spoke_vnet_ids[spoke]), str(pair.get("status") or "Unknown"))
        for spoke, pair in sorted(peerings.items())
        if spoke in spoke_vnet_ids
    ]
    if mesh_peerings:
        spokes = sorted(spoke_vnet_ids)
        for i, a in enumerate(spokes):
            for b in spokes[i + 1 :]:
                one, other = mesh_peerings.get(mesh_key(a, b)), mesh_peerings.get(mesh_key(b, a))
                if one is None or other is None:
                    continue
                status = pair_status(
                    (one.get("state"), one.get("sync_level")), (other.get("state"), other.get("sync_level"))
                )
                links.append(Link(node_key(spoke_vnet_ids[a]), node_key(spoke_vnet_ids[b]), status))
    return Picture(nodes, links)
