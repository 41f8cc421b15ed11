"""Every peering paired with its reverse, and each pair classified: pure, no I/O.

A *pair* is two vnets linked by at least one peering: the peering of each vnet toward the other (its *side*), or
None where that side is missing. Its status, from what ARM reports on each side (docs/discover.md):

- ``Connected``: both sides exist, both ``Connected`` and ``FullyInSync``; or one side reads ``Connected`` and the
  other vnet is outside the scope read (ARM says ``Connected`` only once the reverse exists).
- ``NotInSync``: both sides ``Connected``, and a side reports an address space it has not synced: the side that
  reads ``LocalNotInSync`` (or ``LocalAndRemoteNotInSync``) needs a write with ``syncRemoteAddressSpace=true``
  (:attr:`Pair.needs_sync`).
- ``Disconnected``: a side reads ``Disconnected`` (its reverse was deleted, or the remote vnet was re-created):
  that side must be written again (or deleted) before the pair works.
- ``OneSided``: one side exists and reads ``Initiated``: the reverse was never made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from pulumi_azure_peering.provider.ids import vnet_key, vnet_key_or_text

PairStatus = Literal["Connected", "NotInSync", "Disconnected", "OneSided"]
PAIR_STATUSES: Final[tuple[str, ...]] = ("Connected", "NotInSync", "Disconnected", "OneSided")

#: ``peeringSyncLevel`` values that say this side has not synced the remote's address space.
_LOCAL_NOT_IN_SYNC: Final = frozenset({"localnotinsync", "localandremotenotinsync"})


@dataclass(frozen=True)
class Side:
    """One vnet's peering toward the other vnet of a pair, as ARM lists it."""

    vnet_id: str
    """The vnet the peering belongs to (ARM's spelling)."""
    name: str
    id: str
    properties: Mapping[str, Any]
    """ARM's ``properties`` of the peering, as listed."""

    @property
    def state(self) -> str:
        return str(self.properties.get("peeringState") or "")

    @property
    def sync_level(self) -> str:
        return str(self.properties.get("peeringSyncLevel") or "")

    def flag(self, name: str) -> bool:
        return self.properties.get(name) is True

    @property
    def remote_vnet_id(self) -> str:
        return str((self.properties.get("remoteVirtualNetwork") or {}).get("id") or "")


@dataclass(frozen=True)
class Pair:
    """Two vnets and each one's side toward the other (None: missing or outside the scope read)."""

    vnets: tuple[str, str]
    """The two vnet ids, in a stable order (by lower-cased id)."""
    sides: tuple[Side | None, Side | None]
    """``sides[i]`` is the peering of ``vnets[i]`` toward the other vnet."""
    status: PairStatus
    needs_sync: tuple[str, ...] = ()
    """For ``NotInSync``: the vnets whose side must be written with ``syncRemoteAddressSpace=true``."""
    in_scope: tuple[bool, bool] = (True, True)
    """Whether each vnet was read (False: outside the subscriptions or resource groups asked for)."""
    extra_sides: tuple[Side, ...] = field(default=())
    """Further peerings of a vnet toward the same remote (a duplicate link), not used to classify the pair."""

    def side_of(self, vnet_id: str) -> Side | None:
        key = vnet_key(vnet_id)
        for vnet, side in zip(self.vnets, self.sides, strict=True):
            if vnet_key(vnet) == key:
                return side
        raise KeyError(vnet_id)

    def other(self, vnet_id: str) -> str:
        key = vnet_key(vnet_id)
        return self.vnets[1] if vnet_key(self.vnets[0]) == key else self.vnets[0]


def classify(sides: Sequence[Side | None], in_scope: Sequence[bool]) -> tuple[PairStatus, tuple[str, ...]]:
    """A pair's status and the vnets that need a sync, from its two sides (see the module docstring)."""
    present = [s for s in sides if s is not None]
    needs: tuple[str, ...]
    if any(s.state.lower() == "disconnected" for s in present):
        return "Disconnected", ()
    if len(present) == 1:
        (side,) = present
        other_in_scope = in_scope[1] if sides[0] is side else in_scope[0]
        if side.state.lower() == "connected" and not other_in_scope:
            needs = (side.vnet_id,) if side.sync_level.lower() in _LOCAL_NOT_IN_SYNC else ()
            return ("NotInSync" if needs else "Connected"), needs
        return "OneSided", ()
    needs = tuple(s.vnet_id for s in present if s.sync_level.lower() in _LOCAL_NOT_IN_SYNC)
    if needs:
        return "NotInSync", needs
    if all(s.state.lower() == "connected" for s in present):
        return "Connected", ()
    # Both sides exist but ARM has not settled them yet (Initiated on both: a write in flight): the reverse exists,
    # so the pair is not one-sided; it is reported as ARM will have it once settled, unless it never does.
    return "OneSided", ()


def pair_peerings(peerings_by_vnet: Mapping[str, Iterable[Side]], in_scope: Iterable[str]) -> list[Pair]:
    """Every pair the peerings make. ``peerings_by_vnet``: vnet id -> its peerings (as :class:`Side`); ``in_scope``:
    the ids of every vnet that was read (a vnet without peerings included). Pairs come sorted by their vnets."""
    scope = {vnet_key(v) for v in in_scope}
    spelled: dict[str, str] = {}
    toward: dict[tuple[str, str], list[Side]] = {}
    for vnet_id, sides in peerings_by_vnet.items():
        local = vnet_key_or_text(vnet_id)
        spelled.setdefault(local, vnet_id)
        for side in sides:
            remote_raw = side.remote_vnet_id
            remote = vnet_key_or_text(remote_raw)
            spelled.setdefault(remote, remote_raw)
            toward.setdefault((local, remote), []).append(side)
    pairs: list[Pair] = []
    for a, b in sorted({tuple(sorted(k)) for k in toward}):
        vnets = (spelled[a], spelled[b])
        found = [sorted(toward.get((a, b), []), key=_side_order), sorted(toward.get((b, a), []), key=_side_order)]
        chosen: tuple[Side | None, Side | None] = (found[0][0] if found[0] else None, found[1][0] if found[1] else None)
        extra = tuple(found[0][1:] + found[1][1:])
        scoped = (a in scope, b in scope)
        status, needs = classify(chosen, scoped)
        pairs.append(Pair(vnets, chosen, status, needs, scoped, extra))
    return pairs


def _side_order(side: Side) -> tuple[int, str]:
    """Among duplicate links, the one that works first (Connected, then Initiated, then Disconnected), then by name."""
    rank = {"connected": 0, "initiated": 1}.get(side.state.lower(), 2)
    return rank, side.name.lower()
