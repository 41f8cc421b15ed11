"""What a :class:`~.hub_spoke.HubSpokePeering` says about a pair in its outputs, from both sides' last recorded
(state, sync level): each side's state and sync level as the pair has them, and one word for the pair.

Its own module because the component's ``peerings`` output and its picture (:mod:`.topology_picture`) both say
it.
"""

from __future__ import annotations

from typing import Any

from pulumi_azure_peering.provider.diffing import waiting_for_other_side


def side_state(this_side: str | None, other_side: str | None) -> str | None:
    """This side's state given both sides' last recorded states: Connected is reached by both at once."""
    if this_side == "Initiated" and other_side == "Connected":
        return "Connected"
    return this_side


def side_sync_level(this: tuple[Any, Any], other: tuple[Any, Any]) -> Any:
    """This side's sync level given both sides' last recorded (state, sync level). The side created first recorded
    Initiated / RemoteNotInSync (what ARM reports while a pair is one-sided); once the other side is Connected, ARM
    reports this side as the other side does."""
    if waiting_for_other_side(*this) and other[0] == "Connected":
        return other[1]
    return this[1]


def pair_status(hub_side: tuple[Any, Any], spoke_side: tuple[Any, Any]) -> str:
    """One word for the pair, from both sides' (state, sync level): ``Connected``, ``WaitingForSpokeSide`` /
    ``WaitingForHubSide`` (one side exists; the other is not created yet), ``Disconnected`` (one side was deleted;
    the next update re-establishes it), ``OutOfSync`` (a vnet was resized; the next update syncs it), or the
    state itself while it settles."""
    states = {hub_side[0], spoke_side[0]}
    if "Disconnected" in states:
        return "Disconnected"
    if hub_side[0] == "Connected" or spoke_side[0] == "Connected":
        levels = {side_sync_level(hub_side, spoke_side), side_sync_level(spoke_side, hub_side)}
        return "Connected" if levels <= {"FullyInSync", None} else "OutOfSync"
    if hub_side[0] == "Initiated" and spoke_side[0] != "Initiated":
        return "WaitingForSpokeSide"
    if spoke_side[0] == "Initiated" and hub_side[0] != "Initiated":
        return "WaitingForHubSide"
    return str(hub_side[0] or spoke_side[0] or "Unknown")


def pair_fields(hub_id: Any, hub_side: tuple[Any, Any], spoke_id: Any, spoke_side: tuple[Any, Any]) -> dict[str, Any]:
    """One spoke's entry of :attr:`~.hub_spoke.HubSpokePeering.peerings`. Connected is a property of the pair: the
    side created first recorded Initiated before its reverse existed, and ARM reports both Connected as soon as the
    second side is in place."""
    return {
        "hub_to_spoke_id": hub_id,
        "spoke_to_hub_id": spoke_id,
        "hub_to_spoke_state": side_state(hub_side[0], spoke_side[0]),
        "spoke_to_hub_state": side_state(spoke_side[0], hub_side[0]),
        "hub_to_spoke_sync_level": side_sync_level(hub_side, spoke_side),
        "spoke_to_hub_sync_level": side_sync_level(spoke_side, hub_side),
        "status": pair_status(hub_side, spoke_side),
    }
