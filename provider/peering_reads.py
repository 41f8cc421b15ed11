"""Reads of many peerings of one command, served by one listing: what `pulumi refresh` of a hub costs in ARM calls.

A refresh reads every peering of the stack, one ``Read`` at a time (four in flight in the dynamic provider). A
GET each is one ARM read per peering: 400 for a hub of 200 spokes, more than a subscription's read budget refills
in the seconds the refresh takes (429s on Azure), and at Azure's latency tens of seconds of round trips. Most of
them are predictable: the hub's peerings all live on one vnet (a GET of the vnet answers every one of them in one
call, ``VirtualNetworkPeerings_List`` in one call per page), and spokes of a landing zone share a resource group
(``VirtualNetworks_List`` answers each vnet with its peerings, the same objects a GET of each peering answers).

So :class:`PeeringReads` counts, per vnet and per resource group, the reads the process was asked for: the second
read of a vnet's peerings lists them all, the :data:`GROUP_LIST_AFTER`-th read in a resource group lists its vnets;
the reads that follow within :data:`SHARE_SECONDS` are answered from that listing. One listing at a time per vnet
or group: readers arriving meanwhile wait for it rather than each making a GET, and each is answered by the first
page that shows its peering (or its vnet whole), not after the last one.

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
from .errors import ArmAuthorizationError, MalformedResponseError, NonArmNotFoundError, PeeringError
from .ids import parent_vnet_id, subscription_and_group

if TYPE_CHECKING:
    from .arm import ArmClient
    from .models import VirtualNetworkPeeringResource

log = logging.getLogger(__name__)

#: How long a listing answers the reads that follow it (seconds from the moment it was asked).
SHARE_SECONDS = 3.0
#: The read of a vnet's peerings that lists them all instead (the first is a GET: a vnet of which the stack holds
#: one peering costs no more than before).
VNET_LIST_AFTER = 2
#: The read of a peering in a resource group that lists the group's vnets (with their peerings) instead: the second,
#: as for a vnet (a landing zone's spokes are asked for one after the other; with ARM's latency each GET before the
#: listing held one of the provider's four threads for a round trip: 3 of them per group cost a refresh of 200
#: spokes in six groups about 0.45 s at 0.1 s per read).
GROUP_LIST_AFTER = 2

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
        self._flights: dict[tuple[_Reader, str], _Flight] = {}
        self._unlistable: set[tuple[_Reader, str]] = set()

    def clear(self) -> None:
        with self._guard:
            self._by_vnet.clear()
            self._by_scope.clear()
            self._demand.clear()
            self._flights.clear()
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
        """Whether a listing of ``scope`` (a vnet's peerings or a group's vnets) covers the vnet, and the peering if
        it shows it: a fresh listing of the scope answers; else, one listing at a time per scope, the reader joins
        the one being made or makes it. A listing that fails makes the scope unlistable: its reads are GETs."""
        key = (reader, scope[1].lower())
        with self._guard:
            if key in self._unlistable:
                return False, None
            flight = self._flights.get(key)
            if flight is not None:
                joined = True
            else:
                joined = False
                last = self._fresh(self._by_scope, key)
                if last is not None:
                    return last.answer(vnet_key, peering_id)
                mark = self._writes.mark()
                if mark is None:  # a write of this process in flight: its result must be read, not listed before it
                    return False, None
                flight = self._flights[key] = _Flight(scope[0], self._clock(), mark)
        if joined:
            return self._join(flight, vnet_key, peering_id, deadline)
        listing: _Listing | None = None
        try:
            listing = self._list(client, reader, scope, flight, deadline)
        except PeeringError as exc:
            log.debug("could not list %s (%s); reading its peerings one by one", scope[1], exc)
            with self._guard:
                self._unlistable.add(key)
            return False, None
        finally:
            with self._guard:
                if self._flights.get(key) is flight:
                    del self._flights[key]
                if listing is not None and self._writes.unchanged_since(flight.write_mark):
                    self._by_scope[key] = listing  # else a write began meanwhile: answer this read, keep nothing
                    for listed_vnet in listing.complete:
                        self._by_vnet[(reader, listed_vnet)] = listing
            flight.finish(listing)
        return listing.answer(vnet_key, peering_id)

    def _join(
        self, flight: _Flight, vnet_key: str, peering_id: str, deadline: Deadline | None
    ) -> tuple[bool, dict[str, Any] | None]:
        """Wait for the listing being made (no longer than the deadline) until a page shows the peering or its vnet
        whole, or it ends; then take its answer, whatever its age: it was made while this reader waited. Not
        covered when a write of the process began meanwhile (its result must be read)."""
        with flight.changed:
            while (answer := flight.answer_so_far(vnet_key, peering_id)) is None:
                remaining = None if deadline is None else deadline.remaining()
                if remaining is not None and remaining <= 0:
                    return False, None
                flight.changed.wait(remaining)
        if not self._writes.unchanged_since(flight.write_mark):
            return False, None
        return answer

    def _list(
        self, client: ArmClient, reader: _Reader, scope: tuple[str, str], flight: _Flight, deadline: Deadline | None
    ) -> _Listing:
        kind, scope_id = scope
        aux = reader[1]
        if kind == "vnet":
            if not self._show_embedded(client, scope_id, aux, flight, deadline):
                client.list_json(
                    f"{scope_id}/virtualNetworkPeerings",
                    auxiliary_tenant_ids=aux,
                    deadline=deadline,
                    on_page=flight.show,
                )
            return flight.listing_of(self._clock(), {scope_id.lower()})
        _, subscription, _, resource_group = scope_id.strip("/").split("/")
        client.list_virtual_networks(
            subscription, resource_group, auxiliary_tenant_ids=aux, deadline=deadline, on_page=flight.show
        )
        return flight.listing_of(self._clock(), set())

    @staticmethod
    def _show_embedded(
        client: ArmClient, vnet_id: str, aux: Sequence[str], flight: _Flight, deadline: Deadline | None
    ) -> bool:
        """Show the vnet's peerings from one GET of the vnet (``properties.virtualNetworkPeerings``: the objects a
        GET of each peering answers, as a group's listing shows them). One round trip, where the peerings' own
        listing takes one per page, one after the other (ARM pages it; four pages for a hub of 200 spokes in the
        emulator, at 50 a page). False, nothing shown, when ARM refuses the vnet's read (an identity with read on the
        peerings only), answers it in a shape not understood, or its vnet does not show every peering whole: then
        the peerings are listed. Any other failure (credentials, throttling, the deadline, a connection, a 404 not
        from ARM) would fail the listing alike: it is raised, and the vnet is read peering by peering."""
        try:
            vnet = client.get_virtual_network(vnet_id, auxiliary_tenant_ids=aux, deadline=deadline)
        except NonArmNotFoundError:
            raise
        except (ArmAuthorizationError, MalformedResponseError) as exc:
            log.debug("could not read %s (%s); listing its peerings", vnet_id, exc)
            return False
        shown = _embedded_peerings(vnet)  # None for a vnet that is gone, too
        if shown is None:
            return False
        flight.show(shown)
        return True


class _Flight:
    """A listing being made, and what its pages have shown so far: its readers are answered as each page arrives
    (a landing zone's vnets, or the peerings of a vnet that could not be read whole, come a page at a time, one
    after the other; its readers need not wait for the last one).

    ``peerings`` (by lower-cased id) and ``complete`` (the vnets shown whole: a listed vnet with all its peerings)
    only grow, under ``changed``; :meth:`finish` ends it once, with the listing (None: it failed)."""

    def __init__(self, kind: str, asked_at: float, write_mark: int) -> None:
        self.kind = kind
        self.asked_at = asked_at
        self.write_mark = write_mark
        self.peerings: dict[str, dict[str, Any]] = {}
        self.complete: set[str] = set()
        self.finished = False
        self.listing: _Listing | None = None
        self.changed = threading.Condition()

    def show(self, page: list[dict[str, Any]]) -> None:
        """A page of the listing: peerings (a vnet's listing) or vnets with their peerings (a group's)."""
        with self.changed:
            if self.kind == "vnet":
                self.peerings.update((p["id"].lower(), p) for p in page if isinstance(p.get("id"), str))
            else:
                for vnet in page:
                    shown = _embedded_peerings(vnet)
                    if shown is not None:
                        self.peerings.update((str(p["id"]).lower(), p) for p in shown)
                        self.complete.add(str(vnet["id"]).lower())
            self.changed.notify_all()

    def listing_of(self, done_at: float, complete: set[str]) -> _Listing:
        """The whole listing, once the last page is shown; ``complete``: the vnets it covers besides those shown."""
        with self.changed:
            return _Listing(
                self.asked_at, done_at, self.write_mark, frozenset(self.complete | complete), dict(self.peerings)
            )

    def finish(self, listing: _Listing | None) -> None:
        with self.changed:
            self.finished, self.listing = True, listing
            self.changed.notify_all()

    def answer_so_far(self, vnet_key: str, peering_id: str) -> tuple[bool, dict[str, Any] | None] | None:
        """The answer of :meth:`_Listing.answer` once the pages so far decide it, else None (wait for the next).
        The caller holds ``changed``."""
        item = self.peerings.get(peering_id.lower())
        if item is not None or vnet_key in self.complete:
            return True, item
        if self.finished:
            return (False, None) if self.listing is None else self.listing.answer(vnet_key, peering_id)
        return None


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
