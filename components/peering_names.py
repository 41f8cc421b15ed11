"""Keys and ARM names of planned peerings, and the check that names are unique per vnet.

Keys come only from spoke names (``<spoke>.hub-to-spoke``, ``<spoke>.spoke-to-hub``, ``mesh.<local>.<remote>``);
default names from vnet names for the hub pair and from spoke names for mesh peerings, cut with a hash past ARM's
limit. See docs/planner.md, "Keys" and "Names".
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from pulumi_azure_peering.provider.ids import MAX_NETWORK_CHILD_NAME

from .plan_findings import Findings, field_path
from .plan_types import PlannedPeering
from .topology import is_valid_peering_name


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _fit_name(name: str) -> str:
    """Keep a generated name within ARM's 80 characters, deterministically and still unique in practice."""
    if len(name) <= MAX_NETWORK_CHILD_NAME:
        return name
    return f"{name[: MAX_NETWORK_CHILD_NAME - 9]}-{_short_hash(name)}"


def default_peering_name(local_vnet_name: str, remote_vnet_name: str) -> str:
    """Default ARM name of a hub/spoke peering: ``"<local>-to-<remote>"`` (shortened with a hash past 80)."""
    return _fit_name(f"{local_vnet_name}-to-{remote_vnet_name}")


def default_mesh_name(local_spoke: str, remote_spoke: str) -> str:
    """ARM name of a mesh peering: ``"mesh-<local>-to-<remote>"`` of spoke names (shortened past 80)."""
    # Spoke names, not vnet names: they are unique in the spec, so mesh names cannot clash among themselves.
    return _fit_name(f"mesh-{local_spoke}-to-{remote_spoke}")


def hub_to_spoke_key(spoke: str) -> str:
    """Key of the spoke's peering held by the hub vnet."""
    return f"{spoke}.hub-to-spoke"


def spoke_to_hub_key(spoke: str) -> str:
    """Key of the spoke's peering held by the spoke vnet."""
    return f"{spoke}.spoke-to-hub"


def mesh_key(local_spoke: str, remote_spoke: str) -> str:
    """Key of the mesh peering held by ``local_spoke``'s vnet."""
    return f"mesh.{local_spoke}.{remote_spoke}"


def chosen_name(value: object, default: str) -> str:
    """The configured peering name, or the default when it is unset or invalid (an invalid one is already an
    error, so the plan is refused; the later checks still need a string to work with)."""
    return value if isinstance(value, str) and is_valid_peering_name(value) else default


def name_override_field(p: PlannedPeering) -> str:
    """The spoke field that names this peering (``""`` for mesh peerings, whose names follow the spokes)."""
    return {"hub_to_spoke": "hub_peering_name", "spoke_to_hub": "spoke_peering_name"}.get(p.direction, "")


def check_name_clashes(peerings: Sequence[PlannedPeering], c: Findings) -> None:
    """Report ``PeeringNameClash`` for two planned peerings with one name in one vnet."""
    """ARM names are unique per vnet (case-insensitively); a second PUT would update the first peering."""
    seen: dict[tuple[str, str], PlannedPeering] = {}
    for p in peerings:
        slot = (p.local_vnet_id.lower(), p.name.lower())
        other = seen.get(slot)
        if other is None:
            seen[slot] = p
            continue
        # Blame the peering whose name can be overridden (hub/spoke sides); mesh names follow the spoke names.
        owner = p if name_override_field(p) or not name_override_field(other) else other
        attr = name_override_field(owner)
        fix = (
            f"set {field_path(owner.spoke, attr)} to a name not used in that vnet"
            if attr
            else f"rename spoke {owner.spoke!r} (mesh peering names are derived from spoke names)"
        )
        c.error(
            "PeeringNameClash",
            owner.spoke,
            attr,
            f"peering name {p.name!r} is used twice in vnet {p.local_vnet_id.rsplit('/', 1)[-1]!r} "
            f"(peerings {other.key!r} and {p.key!r})",
            fix,
        )
