"""An estate's judgement in the forms people read it: a table, a JSON document, Mermaid and Graphviz.

The JSON document is the contract scripts rely on (docs/discover.md; ``DOCUMENT_VERSION`` changes when a field's
meaning does): ``version``, ``scope``, ``hubs``, ``vnets``, ``pairs`` (each with ``vnets``, the two vnet ids, ``sides``,
each side's peering or null, ``status`` and ``needsSync``), ``findings`` (each with ``code``, ``severity``, ``vnets``,
``peering``, ``message``, ``fix``) and ``summary``. The pictures draw the same pairs: hubs as their own shape, each
pair's line colored by its status.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_azure_peering.components.topology_picture import Link, Node, Picture, dot, mermaid, node_key, vnet_label
from pulumi_azure_peering.provider.ids import vnet_name

from .estate import Estate
from .findings import Finding
from .pairs import PAIR_STATUSES, Pair, Side

DOCUMENT_VERSION: Final = 1


@dataclass(frozen=True)
class Discovery:
    """Everything one run of ``discover`` found."""

    estate: Estate
    pairs: Sequence[Pair]
    findings: Sequence[Finding]
    hubs: Sequence[str]
    hubs_proposed: bool
    """True when the hubs were proposed by discover, False when given (``--hub``)."""


def _side_document(side: Side | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {"name": side.name, "id": side.id, "properties": dict(side.properties)}


def document(found: Discovery) -> dict[str, Any]:
    """The JSON document (see the module docstring)."""
    estate = found.estate
    return {
        "version": DOCUMENT_VERSION,
        "scope": {
            "subscriptions": list(estate.scope.subscriptions),
            "resourceGroups": list(estate.scope.resource_groups),
        },
        "hubs": [{"id": hub, "proposed": found.hubs_proposed} for hub in found.hubs],
        "vnets": [
            {
                "id": facts.id,
                "inScope": key in estate.in_scope,
                "location": facts.location,
                "addressPrefixes": list(facts.address_prefixes),
                "subnets": sorted(facts.subnets),
                "gateways": [{"id": g.id, "provisioningState": g.provisioning_state} for g in facts.gateways],
            }
            for key, facts in sorted(estate.vnets.items())
        ],
        "missingVnets": sorted(estate.missing),
        "unreadable": dict(sorted(estate.unreadable.items())),
        "pairs": [
            {
                "vnets": list(pair.vnets),
                "sides": [_side_document(side) for side in pair.sides],
                "status": pair.status,
                "needsSync": list(pair.needs_sync),
                "duplicates": [_side_document(side) for side in pair.extra_sides],
            }
            for pair in found.pairs
        ],
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "vnets": list(f.vnets),
                "peering": f.peering,
                "message": f.message,
                "fix": f.fix,
            }
            for f in found.findings
        ],
        "summary": summary(found),
    }


def summary(found: Discovery) -> dict[str, Any]:
    """The counts the document's ``summary`` holds and the table's last line says."""
    return {
        "vnets": len(found.estate.in_scope),
        "vnetsRead": len(found.estate.vnets),
        "pairs": len(found.pairs),
        "byStatus": {status: sum(1 for p in found.pairs if p.status == status) for status in PAIR_STATUSES},
        "findings": {
            severity: sum(1 for f in found.findings if f.severity == severity)
            for severity in ("error", "warning", "info")
        },
    }


def as_json(found: Discovery) -> str:
    return json.dumps(document(found), indent=2, sort_keys=False) + "\n"


def _name(vnet_id: str) -> str:
    return vnet_name(vnet_id) or vnet_id


def _flags(side: Side | None) -> str:
    if side is None:
        return "-"
    marks = [
        short
        for attribute, short in (
            ("allowVirtualNetworkAccess", "access"),
            ("allowForwardedTraffic", "fwd"),
            ("allowGatewayTransit", "transit"),
            ("useRemoteGateways", "remote-gw"),
        )
        if side.flag(attribute)
    ]
    return ",".join(marks) or "none"


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def as_text(found: Discovery) -> str:
    """The table of pairs, the findings and a summary, for a terminal."""
    out: list[str] = []
    if found.hubs:
        word = "proposed hub" if found.hubs_proposed else "hub"
        out.append("; ".join(f"{word}: {_name(hub)} ({hub})" for hub in found.hubs))
        out.append("")
    if found.pairs:
        rows = [["vnet A", "vnet B", "status", "A -> B", "B -> A", "A flags", "B flags"]]
        for pair in found.pairs:
            a, b = pair.sides
            rows.append(
                [
                    _name(pair.vnets[0]),
                    _name(pair.vnets[1]),
                    pair.status,
                    f"{a.name} ({a.state or '?'}/{a.sync_level or '?'})" if a else "missing",
                    f"{b.name} ({b.state or '?'}/{b.sync_level or '?'})" if b else "missing",
                    _flags(a),
                    _flags(b),
                ]
            )
        out.append(_table(rows))
    else:
        out.append("no peerings found in the scope")
    if found.findings:
        out.append("")
        out.append("findings:")
        for f in found.findings:
            out.append(f"  {f.severity:<7} {f.code}: {f.message}")
            out.append(f"          fix: {f.fix}")
    doc = summary(found)
    by_status = ", ".join(f"{count} {status}" for status, count in doc["byStatus"].items() if count)
    out.append("")
    counts = doc["findings"]
    out.append(
        f"{_count(doc['vnetsRead'], 'vnet')} read ({doc['vnets']} in the scope), {_count(doc['pairs'], 'pair')} "
        f"({by_status or 'none'}); "
        f"{_count(counts['error'], 'error')}, {_count(counts['warning'], 'warning')}, {_count(counts['info'], 'note')}"
    )
    return "\n".join(out) + "\n"


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def picture(found: Discovery) -> Picture:
    """The estate's pairs as a picture: every vnet of a pair and every hub (hubs drawn as such), each pair a line
    with its status; vnets in the order of their ids, spelled as the estate spells them."""
    spelled: dict[str, str] = {}
    for vnet in [v for pair in found.pairs for v in pair.vnets] + list(found.hubs):
        spelled.setdefault(node_key(vnet), vnet)
    hubs = {node_key(h) for h in found.hubs}
    in_pairs = sorted({node_key(v) for pair in found.pairs for v in pair.vnets})
    keys = in_pairs + sorted(hubs - set(in_pairs))
    nodes = [Node(key, vnet_label(spelled[key]), hub=key in hubs) for key in keys]
    links = [Link(node_key(pair.vnets[0]), node_key(pair.vnets[1]), pair.status) for pair in found.pairs]
    return Picture(nodes, links)


def as_mermaid(found: Discovery) -> str:
    """The topology as a Mermaid flowchart (components/topology_picture.py draws it)."""
    return mermaid(picture(found))


def as_dot(found: Discovery) -> str:
    """The topology as a Graphviz graph (``dot -Tsvg`` draws it)."""
    return dot(picture(found), name="estate")
