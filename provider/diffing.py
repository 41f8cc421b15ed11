"""What differs between a peering's desired and actual properties, and what that calls for: a replacement, an
update in place, a sync of the remote address space (``diff`` and ``update`` decide with these)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .ids import same_id
from .properties import peering_id_of
from .schema import FLAG_FIELDS, LIST_FIELDS, OUT_OF_SYNC_LEVELS, REPLACE_FIELDS, PeeringState
from .validation import is_unknown

if TYPE_CHECKING:
    from .models import PeeringSpec, VirtualNetworkPeeringResource


def norm_list(value: Any) -> list[str] | None:
    """A list of ids or prefixes as compared: lower-cased, sorted (None stays None)."""
    if value is None:
        return None
    return sorted(str(v).lower() for v in value)


def arm_differences(desired: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """ARM-side properties whose desired value differs from ``actual`` (both in the state's snake_case form).

    Unknown desired values count as differences; optional lists are compared only when ``desired`` sets them.
    """
    changed: list[str] = []
    for key in REPLACE_FIELDS:
        want, have = desired.get(key), actual.get(key)
        if is_unknown(want):
            changed.append(key)
        elif key in ("virtual_network_id", "remote_virtual_network_id", "name"):
            if not (isinstance(want, str) and isinstance(have, str) and same_id(want, have)):
                changed.append(key)
        elif want is not None and have is not None and bool(want) != bool(have):
            changed.append(key)
    for key in FLAG_FIELDS:
        want, have = desired.get(key), actual.get(key)
        if is_unknown(want) or (want is not None and bool(want) != bool(have or False)):
            changed.append(key)
    for key in LIST_FIELDS:
        want = desired.get(key)
        if want is None or (want == [] and not actual.get(key)):
            continue
        if is_unknown(want) or norm_list(want) != norm_list(actual.get(key)):
            changed.append(key)
    return changed


def waiting_for_other_side(state: Any, sync_level: Any) -> bool:
    """Whether a peering reads as the first side of a pair whose other side does not exist yet.

    Real Azure reports such a peering ``Initiated`` / ``RemoteNotInSync`` for as long as it is one-sided, even
    right after a PUT on it (recorded traffic, listed in docs/emulator.md). That is the normal state of a half-built
    pair (the other side belongs to another stack, a partner tenant, or a spoke not deployed yet): no write on this
    side changes it, so it is neither drift nor a reason to sync.
    """
    return bool(state == PeeringState.INITIATED.value and sync_level == "RemoteNotInSync")


def out_of_sync(state: Any, sync_level: Any) -> bool:
    """A sync level that a ``syncRemoteAddressSpace`` write clears (a vnet of a Connected pair was resized)."""
    return sync_level in OUT_OF_SYNC_LEVELS and not waiting_for_other_side(state, sync_level)


def drift_reason(outputs: Mapping[str, Any], policy: str) -> str | None:
    """Why refreshed outputs call for a write even when the inputs did not change."""
    if outputs.get("peering_state") == PeeringState.DISCONNECTED.value:
        return "Disconnected"
    if policy != "never" and out_of_sync(outputs.get("peering_state"), outputs.get("peering_sync_level")):
        return str(outputs.get("peering_sync_level"))
    if outputs.get("provisioning_state") == "Failed":
        return "Failed"
    return None


def resized_remote(new: Mapping[str, Any], old_outputs: Mapping[str, Any]) -> bool:
    """Whether the remote vnet's address space the program gives (``remote_vnet_address_space``: a vnet lookup's,
    an azure-native vnet's output) differs from the one ARM reported for the peering at its last write or refresh.
    Then the remote vnet was resized since: the update reads the peering and, ARM reporting it out of sync, syncs
    the pair, with no refresh needed. Not known yet (a preview in which the vnet itself changes) may change."""
    space = new.get("remote_vnet_address_space")
    if space is None or new.get("peer_complete_vnets") is False:
        return False
    if is_unknown(space):
        return True
    synced = old_outputs.get("remote_virtual_network_address_space")
    return synced is not None and norm_list(space) != norm_list(synced)


def wants_sync(policy: str, live: VirtualNetworkPeeringResource | None) -> bool:
    """Whether a write of the peering ``live`` (None: not in ARM) goes with ``syncRemoteAddressSpace``, by the
    resource's ``sync_remote_address_space`` policy."""
    if policy == "always":
        return live is not None
    if policy == "never" or live is None:
        return False
    return out_of_sync(live.properties.peering_state, live.properties.peering_sync_level)


#: Inputs whose value in ARM's answer comes from the pair, not from this side alone: a prefix peering's
#: ``localAddressSpace`` reads as what the reverse side peers of this vnet (the emulator models it so, as the recorded
#: whole-vnet bodies show), so a write of the reverse can make it read as asked while this side still declares the
#: old prefixes.
PAIR_ECHOED_FIELDS = ("local_address_space",)


def declared_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The :data:`PAIR_ECHOED_FIELDS` that the new inputs change from the old outputs: ``update`` writes them
    whatever ARM's answer reads, since that answer cannot confirm them."""
    return [
        key
        for key in PAIR_ECHOED_FIELDS
        if new.get(key) is not None and norm_list(new.get(key)) != norm_list(old.get(key))
    ]


def replaced_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The fields whose change from ``old`` to ``new`` inputs makes the peering a new one (a replacement)."""
    return [k for k in arm_differences(new, old) if k in REPLACE_FIELDS]


def keeps_peering(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether the new inputs keep the old inputs' peering: it is known, and nothing that would replace it changed
    (a replacement is a create of its own, with its own evidence or none)."""
    return peering_id_of(old) is not None and not replaced_fields(old, new)


def new_peering(old: Mapping[str, Any], spec: PeeringSpec) -> bool:
    """Whether these inputs would create a peering the old inputs do not hold (a create, or a replacement under
    another id)."""
    old_id = peering_id_of(old)
    return old_id is None or not same_id(old_id, spec.peering_id)
