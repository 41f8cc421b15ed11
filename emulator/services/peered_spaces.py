"""The address spaces already peered to each vnet, indexed so that a peering write's overlap check does not walk the
vnet's partners (issue 29: a hub with 499 spokes walked 499 of them on every write).

The rule (:func:`pulumi_azure_peering.emulator.rules.plan_peering_put`, VnetAddressSpaceOverlapsWithAlreadyPeeredVnet)
refuses a link whose address space overlaps that of a vnet already peered to either side. A vnet's *partners* are
the vnets linked to it by a peering in either direction, Disconnected ones included (the service keeps their space
reserved); a partner's *peered prefixes*, as seen from the vnet V:
- V has a peering to the partner: that peering's ``remote_synced`` (what V last synced of it; the first such
  peering, by creation);
- else the partner has a peering to V and the partner vnet exists: that peering's local selection
  (:func:`~pulumi_azure_peering.emulator.rules.local_selection`) of the partner vnet as it is now (the first such
  peering, by creation).
The rule names the first overlapping partner in this order: those of V's own peerings, by the creation of V's first
peering to each, then the others, by the creation of their first peering to V.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .. import ids, rules
from .. import store as st
from ..models.peerings import Peering
from ..models.virtual_networks import VirtualNetwork
from ..spanindex import SpanIndex

#: A partner's place in the rule's order: (0, seq of the vnet's first peering to it) before (1, seq of its first
#: peering to the vnet).
_Rank = tuple[int, int]


def _selection_inputs(doc: dict[str, Any]) -> tuple[Any, ...]:
    """What :func:`rules.local_selection` reads of a vnet document (a vnet write that changes none of it, such as
    the end of its operation, leaves its peered prefixes as they were)."""
    return (
        doc["id"],
        doc["address_prefixes"],
        [(s["name"], s["address_prefixes"]) for s in doc["subnets"]],
    )


class PeeredSpaces:
    """A :class:`~pulumi_azure_peering.emulator.store.Follower` of the store keeping, per vnet key, a
    :class:`SpanIndex` of its partners' peered prefixes (labelled by partner vnet key) and each partner's place in
    the rule's order and id (see the module's docstring).

    Kept right on peering writes and deletes and on vnet writes and deletes (a partner's local selection follows its
    vnet's address space and subnets); rebuilt by the store whenever it reloads its copy. A peering write updates
    the two vnets it links; a vnet write updates the vnets its own peerings point at.
    """

    def __init__(self, store: st.Store) -> None:
        self._store = store  # read for vnet documents only, which the store has written before telling
        self.reset()

    def reset(self) -> None:
        # (owner vnet key, remote vnet key) -> the owner's peerings to the remote, by peering key
        self._links: dict[tuple[str, str], dict[str, st.StoredDoc]] = {}
        self._remotes: dict[str, dict[str, None]] = {}  # owner vnet key -> the remotes of its peerings
        self._spaces: dict[str, SpanIndex] = {}  # vnet key -> its partners' peered prefixes, by partner key
        self._named: dict[str, dict[str, tuple[_Rank, str]]] = {}  # vnet key -> partner key -> (rank, partner id)

    # --- follower ----------------------------------------------------------------------------------------------

    def changed(self, kind: str, key: str, old: st.StoredDoc | None, new: st.StoredDoc | None) -> None:
        if kind == st.PEERING:
            touched: set[tuple[str, str]] = set()
            if old is not None:
                owner, remote = ids.key(old.doc["vnet_id"]), ids.key(old.doc["remote_vnet_id"])
                self._unlink(owner, remote, key)
                touched.update(((owner, remote), (remote, owner)))
            if new is not None:
                owner, remote = ids.key(new.doc["vnet_id"]), ids.key(new.doc["remote_vnet_id"])
                self._links.setdefault((owner, remote), {})[key] = new
                self._remotes.setdefault(owner, {})[remote] = None
                touched.update(((owner, remote), (remote, owner)))
            for vnet_key, partner_key in touched:
                self._refresh(vnet_key, partner_key)
        elif kind == st.VNET:
            if old is not None and new is not None and _selection_inputs(old.doc) == _selection_inputs(new.doc):
                return
            # the vnets this one has peerings to see it through their local selection when they have none back
            for remote in self._remotes.get(key, ()):
                self._refresh(remote, key)

    def _unlink(self, owner: str, remote: str, peering_key: str) -> None:
        links = self._links.get((owner, remote))
        if links is None:
            return
        links.pop(peering_key, None)
        if not links:
            del self._links[(owner, remote)]
            remotes = self._remotes[owner]
            del remotes[remote]
            if not remotes:
                del self._remotes[owner]

    def _refresh(self, vnet_key: str, partner_key: str) -> None:
        """Recompute ``partner_key``'s peered prefixes and place as seen from ``vnet_key`` (see the module)."""
        rank: _Rank | None = None
        partner_id = ""
        prefixes: Sequence[str] = ()
        own = self._links.get((vnet_key, partner_key))
        if own:
            first = min(own.values(), key=lambda row: row.seq)
            rank, partner_id, prefixes = (0, first.seq), first.doc["remote_vnet_id"], first.doc["remote_synced"]
        else:
            incoming = self._links.get((partner_key, vnet_key))
            owner_doc = self._store.get(st.VNET, partner_key) if incoming else None
            if incoming and owner_doc is not None:
                first = min(incoming.values(), key=lambda row: row.seq)
                owner = VirtualNetwork.from_doc(owner_doc)
                rank, partner_id = (1, first.seq), owner.id
                prefixes = rules.local_selection(Peering.from_doc(first.doc), owner)
        space = self._spaces.get(vnet_key)
        if rank is None or not prefixes:
            if space is not None:
                space.remove(partner_key)
                self._named[vnet_key].pop(partner_key, None)
                if not len(space):
                    del self._spaces[vnet_key]
                    del self._named[vnet_key]
            return
        if space is None:
            space = self._spaces[vnet_key] = SpanIndex()
            self._named[vnet_key] = {}
        space.put(partner_key, prefixes)
        self._named[vnet_key][partner_key] = (rank, partner_id)

    # --- queries -----------------------------------------------------------------------------------------------

    def first_overlapping(
        self, vnet_key: str, prefixes: Iterable[str], exclude_key: str
    ) -> tuple[str, list[str]] | None:
        """The first partner of ``vnet_key`` but ``exclude_key`` (in the rule's order) whose peered prefixes overlap
        one of ``prefixes``: (its id, its peered prefixes); None when none does. Costs a lookup per prefix and per
        overlapping partner, whatever the number of partners."""
        space = self._spaces.get(vnet_key)
        if space is None:
            return None
        hits: set[str] = set()
        for prefix in prefixes:
            hits.update(space.overlapping(prefix, exclude=(exclude_key,)))
        if not hits:
            return None
        named = self._named[vnet_key]
        first = min(hits, key=lambda partner: named[partner][0])
        return named[first][1], list(space.prefixes(first))

    def partners(self, vnet_key: str) -> list[tuple[str, list[str]]]:
        """Every partner of ``vnet_key`` with peered prefixes, in the rule's order: (its id, its peered prefixes)."""
        space = self._spaces.get(vnet_key)
        if space is None:
            return []
        named = self._named[vnet_key]
        return [(named[p][1], list(space.prefixes(p))) for p in sorted(named, key=lambda p: named[p][0])]
