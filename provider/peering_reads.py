"""Reads of many peerings of one command, served by one listing: what `pulumi refresh` of a hub costs in ARM calls.

A refresh reads every peering of the stack, one ``Read`` at a time (four in flight in the dynamic provider). A
GET each is one ARM read per peering: 400 for a hub of 200 spokes, more than a subscription's read budget refills
in the seconds the refresh takes (429s on Azure), and at Azure's latency tens of seconds of round trips. Most of
them are predictable: the hub's peerings all live on one vnet (``VirtualNetworkPeerings_List`` answers every one of
them), and spokes of a landing zone share a resource group (``VirtualNetworks_List`` answers each vnet with its
peerings, the same objects a GET of each peering answers).

So :class:`PeeringReads` counts, per vnet and per resource group, the reads the process was asked for: the second
read of a vnet's peerings lists them all, the :data:`GROUP_LIST_AFTER`-th read in a resource group lists its vnets;
the reads that follow within :data:`SHARE_SECONDS` are answered from that listing. One listing at a time per vnet
or group: readers arriving meanwhile wait for it rather than each making a GET.

Why an answer up to a few seconds old is as good as a GET here: the dynamic-provider process lives for one Pulumi
command, and the listing is made during it, so every change that happened before the command is in it. What it
can miss is a change made while the command runs, which a GET made a moment earlier would have missed too: the
engine gives its reads no order. The exception would be this process's own writes, which a later read must see:
any peering write of the process (its :class:`~.arm.WriteEpoch`) retires every listing, and none is made or kept while a
write is in flight. A peering a listing does not show is read by its own GET, so only a GET ever reports a peering
gone; a listing that fails (403 at the group's scope, a throttled call) falls back to GETs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import arm
from .arm import Deadline, WriteEpoch
from .errors import PeeringError
from .ids import parent_vnet_id, subscription_and_group
from .models import VirtualNetworkPeeringResource

if TYPE_CHECKING:
    from .arm import ArmClient

log = logging.getLogger(__name__)

#: How long a listing answers the reads that follow it (seconds from the moment it was asked).
SHARE_SECONDS = 3.0
#: The read of a vnet's peerings that lists them all instead (the first is a GET: a vnet of which the stack holds
#: one peering costs no more than before).
VNET_LIST_AFTER = 2
#: The read of a peering in a resource group that lists the group's vnets (with their peerings) instead.
GROUP_LIST_AFTER = 4

#: (settings fingerprint, auxiliary tenants): who read it; a listing answers only reads made with the same tenants.
_Reader = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class _Listing:
    """What one listing showed: every peering of the vnets in ``complete`` (by lower-cased id)."""

    asked_at: float
    done_at: float
    write_mark: int
    complete: frozenset[str]
    peerings: dict[str, dict[str, Any]]

    def answer(self, vnet_key: str, peering_id: str) -> tuple[bool, dict[str, Any] | None]:
        """Whether the listing covers the vnet, and the peering if it shows it."""
        if vnet_key not in self.complete:
            return False, None
        return True, self.peerings.get(peering_id.lower())


class PeeringReads:
    """Per process (a :class:`~.runtime.Runtime` holds one): peering reads answered from listings where the reads
    ask for many peerings of one vnet or resource group; ``writes`` counts the process's peering writes, which
    retire every listing. Thread-safe; no lock is held during an ARM call but the one of the scope being listed."""

    def __init__(self, writes: WriteEpoch, share_seconds: float = SHARE_SECONDS, clock: Any = time.monotonic) -> None:
        self._writes = writes
        self._share = share_seconds
        self._clock = clock
        self._guard = threading.Lock()
        self._by_vnet: dict[tuple[_Reader, str], _Listing] = {}
        self._by_scope: dict[tuple[_Reader, str], _Listing] = {}
        self._demand: Counter[tuple[_Reader, str]] = Counter()
        self._listing_locks: dict[tuple[_Reader, str], threading.Lock] = {}
        self._unlistable: set[tuple[_Reader, str]] = set()

    def clear(self) -> None:
        with self._guard:
            self._by_vnet.clear()
            self._by_scope.clear()
            self._demand.clear()
            self._listing_locks.clear()
            self._unlistable.clear()

    def get(
        self,
        client: ArmClient,
        peering_id: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> VirtualNetworkPeeringResource | None:
        """The peering as ARM has it (None: gone), from a listing when one answers it, else by its own GET."""
        reader: _Reader = (client.settings.fingerprint(), tuple(auxiliary_tenant_ids))
        try:
            vnet_id = parent_vnet_id(peering_id)
            subscription, resource_group = subscription_and_group(vnet_id)
            group = f"/subscriptions/{subscription}/resourceGroups/{resource_group}"
        except (KeyError, ValueError, TypeError):
            return client.get_peering(peering_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
        vnet_key = vnet_id.lower()
        with self._guard:
            listing = self._fresh(self._by_vnet, (reader, vnet_key))
        covered, item = listing.answer(vnet_key, peering_id) if listing else (False, None)
        if not covered:
            with self._guard:
                self._demand[(reader, vnet_key)] += 1
                self._demand[(reader, group.lower())] += 1
                reads_of_vnet = self._demand[(reader, vnet_key)]
                reads_in_group = self._demand[(reader, group.lower())]
            if reads_of_vnet >= VNET_LIST_AFTER:
                covered, item = self._listed(client, reader, vnet_key, peering_id, ("vnet", vnet_id), deadline)
            elif reads_in_group >= GROUP_LIST_AFTER:
                covered, item = self._listed(client, reader, vnet_key, peering_id, ("group", group), deadline)
        if item is not None:  # else not listed, or not in the listing: only a GET says a peering is gone
            return arm.peering_from(item, peering_id)
        return client.get_peering(peering_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)

    def _fresh(self, listings: dict[tuple[_Reader, str], _Listing], key: tuple[_Reader, str]) -> _Listing | None:
        """The listing under ``key`` if it may still answer (asked less than the share window ago, no write of the
        process since); a stale one is dropped. The caller holds ``_guard``."""
        listing = listings.get(key)
        if listing is None:
            return None
        if self._clock() - listing.asked_at >= self._share or not self._writes.unchanged_since(listing.write_mark):
            del listings[key]
            return None
        return listing

    def _listed(
        self,
        client: ArmClient,
        reader: _Reader,
        vnet_key: str,
        peering_id: str,
        scope: tuple[str, str],
        deadline: Deadline | None,
    ) -> tuple[bool, dict[str, Any] | None]:
        """List ``scope`` (a vnet's peerings or a group's vnets), one listing at a time per scope: a reader that
        arrives while it runs waits for it (no longer than its deadline), then takes its answer, whatever its age:
        it was made while that reader waited. A fresh listing of the scope that does not cover the vnet (a vnet
        the group listing did not show with its peerings) is not made again: the read is a GET."""
        key = (reader, scope[1].lower())
        with self._guard:
            if key in self._unlistable:
                return False, None
            lock = self._listing_locks.setdefault(key, threading.Lock())
        waiting_since = self._clock()
        if not lock.acquire(timeout=max(0.0, deadline.remaining()) if deadline is not None else -1):
            return False, None
        try:
            with self._guard:
                if key in self._unlistable:  # failed while this reader waited
                    return False, None
                last = self._by_scope.get(key)
                if last is not None and last.done_at >= waiting_since and self._writes.unchanged_since(last.write_mark):
                    return last.answer(vnet_key, peering_id)
                last = self._fresh(self._by_scope, key)
                if last is not None:
                    return last.answer(vnet_key, peering_id)
            mark = self._writes.mark()
            if mark is None:  # a write of this process in flight: its result must be read, not listed before it
                return False, None
            try:
                listing = self._list(client, reader, scope, self._clock(), mark, deadline)
            except PeeringError as exc:
                log.debug("could not list %s (%s); reading its peerings one by one", scope[1], exc)
                with self._guard:
                    self._unlistable.add(key)
                return False, None
            if self._writes.unchanged_since(mark):  # else a write began meanwhile: answer this read, keep nothing
                with self._guard:
                    self._by_scope[key] = listing
                    for listed_vnet in listing.complete:
                        self._by_vnet[(reader, listed_vnet)] = listing
            return listing.answer(vnet_key, peering_id)
        finally:
            lock.release()

    def _list(
        self,
        client: ArmClient,
        reader: _Reader,
        scope: tuple[str, str],
        asked_at: float,
        mark: int,
        deadline: Deadline | None,
    ) -> _Listing:
        kind, scope_id = scope
        aux = reader[1]
        if kind == "vnet":
            items = client.list_json(f"{scope_id}/virtualNetworkPeerings", auxiliary_tenant_ids=aux, deadline=deadline)
            peerings = {str(p["id"]).lower(): p for p in items if isinstance(p, dict) and isinstance(p.get("id"), str)}
            return _Listing(asked_at, self._clock(), mark, frozenset({scope_id.lower()}), peerings)
        _, subscription, _, resource_group = scope_id.strip("/").split("/")
        vnets = client.list_virtual_networks(subscription, resource_group, auxiliary_tenant_ids=aux, deadline=deadline)
        complete: set[str] = set()
        peerings = {}
        for vnet in vnets:
            shown = _embedded_peerings(vnet)
            if shown is not None:
                complete.add(str(vnet["id"]).lower())
                peerings.update((str(p["id"]).lower(), p) for p in shown)
        return _Listing(asked_at, self._clock(), mark, frozenset(complete), peerings)


def _embedded_peerings(vnet: Any) -> list[dict[str, Any]] | None:
    """The peerings a listed vnet shows (``properties.virtualNetworkPeerings``), or None when it does not show them
    all as a GET of each would: no such list, or an item without its id, remote vnet or state. Then the vnet's
    peerings are read by GET, never answered from a shorter object."""
    props = vnet.get("properties") if isinstance(vnet, dict) else None
    if not isinstance(vnet, dict) or not isinstance(vnet.get("id"), str) or not isinstance(props, dict):
        return None
    items = props.get("virtualNetworkPeerings")
    if not isinstance(items, list):
        return None
    for item in items:
        item_props = item.get("properties") if isinstance(item, dict) else None
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("id"), str)
            or not isinstance(item_props, dict)
            or not isinstance(item_props.get("remoteVirtualNetwork"), dict)
            or "peeringState" not in item_props
        ):
            return None
    return items
