"""Who may touch a peering: the one home of the ownership model (docs/ownership.md).

ARM keeps no tags, author or creation time on a peering, so what a stack owns is what its state holds. Every
decision here rests on evidence every runner shares:

- **the resource's own state** (the old inputs the engine passes to ``check``, the old outputs it passes to
  ``delete``);
- **ARM's answer**: a peering exists, or ARM itself said ``NotFound`` (``provider/arm.py`` turns only an ARM-shaped
  404 into "absent"), and a PUT answered ``201 Created`` (this write made it) or ``200`` (it was already there);
- **the engine's sequence within one run**: every resource of the program is checked before anything is written,
  a replacement deletes first, and one provider process serves the whole run. :class:`RunLedger` keeps what the
  checks and creates of this run said, and is empty in the next run's process: it only ever *narrows* what a
  call may do (refuse a duplicate, leave a peering another resource now holds), never widens it.

Nothing is kept on the machine between runs: a decision is the same on a fresh CI runner as on the runner of the
last run. A killed run's half-made creates are resolved from the checkpoint by ``azure-peering-recover``
(``provider/recovery.py``); a create cut off by its own timeout deletes what it made (``create`` is transactional).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .errors import TRANSIT_REFUSAL_QUOTED
from .ids import peering_words, vnet_name


@dataclass(frozen=True)
class Link:
    """What one resource of the run declares for the peering from one vnet to another: who, and the two gateway
    flags that the other direction's peering depends on (None while not known, at a preview)."""

    resource: str
    allow_gateway_transit: bool | None = False
    use_remote_gateways: bool | None = False


@dataclass
class RunLedger:
    """What the resources of one engine run said about peerings, in the provider process that serves the run.

    Thread-safe (the engine calls the provider on several threads). The process ends with the run, so the ledger
    starts empty on every ``pulumi`` command; :meth:`reset` is for tests that drive several "runs" in one process.
    """

    _names: dict[str, str] = field(default_factory=dict)
    """peering id (lower-cased) -> the resource of this run whose new inputs name it"""
    _links: dict[tuple[str, str], Link] = field(default_factory=dict)
    """(local vnet, remote vnet) (lower-cased) -> the resource whose new inputs link them, and its gateway flags"""
    _replacing: dict[str, set[str]] = field(default_factory=dict)
    """resource -> ids of the peerings its replacement deletes first (they conflict with nothing it creates)"""
    _taken: dict[str, str] = field(default_factory=dict)
    """peering id (lower-cased) -> the resource whose create made or adopted it in this run"""
    _kept: set[str] = field(default_factory=set)
    """peering ids (lower-cased) that the resource naming them (``_names``) holds in its state and keeps in its new
    inputs (a resource renamed without an alias whose new self made it in a run killed before the old one's
    delete)"""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reset(self) -> None:
        with self._lock:
            self._names.clear()
            self._links.clear()
            self._replacing.clear()
            self._taken.clear()
            self._kept.clear()

    # -- check ---------------------------------------------------------------------------------------------------

    def check(
        self,
        resource: str,
        *,
        new_id: str,
        local_vnet: str,
        remote_vnet: str,
        old_id: str | None,
        replaced: bool,
        allow_gateway_transit: bool | None = False,
        use_remote_gateways: bool | None = False,
    ) -> list[tuple[str, str]]:
        """Record what a resource's check says: the peering its new inputs name, the two vnets they link with its
        gateway flags, and, when it is being replaced, the peering its state holds (deleted first).

        Returns ``(field, problem)`` pairs, each naming both resources: another resource of the run names the same
        peering or links the same two vnets; or the two directions of one pair, both declared in this run, disagree
        on gateway transit (one uses remote gateways, the other does not allow transit: ARM refuses the first with
        its transit refusal, :data:`~.errors.TRANSIT_REFUSAL_TEXT`). Whichever of the two is checked second reports
        it. A resource checked again (a replacement's second check, preview then up in one process) is the same
        resource: it conflicts with nothing of its own."""
        key = new_id.lower()
        link = (local_vnet.lower(), remote_vnet.lower())
        local_name, remote_name = vnet_name(local_vnet), vnet_name(remote_vnet)
        with self._lock:
            other = self._names.get(key)
            if other is not None and other != resource:
                return [
                    (
                        "name",
                        f"resources {other!r} and {resource!r} both name {peering_words(new_id)}; ARM has one "
                        "peering per name and vnet, and a peering belongs to one resource. Fix: give one of them "
                        "another name, or remove one",
                    )
                ]
            same = self._links.get(link)
            if same is not None and same.resource != resource:
                return [
                    (
                        "name",
                        f"resources {same.resource!r} and {resource!r} both peer vnet {local_name!r} with "
                        f"{remote_name!r}; ARM allows one peering from a vnet to the same remote "
                        "(AnotherPeeringAlreadyReferencesRemoteVnet). Fix: remove one of them",
                    )
                ]
            problems: list[tuple[str, str]] = []
            reverse = self._links.get((link[1], link[0]))
            if reverse is not None and reverse.resource != resource:
                if use_remote_gateways is True and reverse.allow_gateway_transit is False:
                    problems.append(
                        (
                            "use_remote_gateways",
                            f"{resource!r} uses the gateway of vnet {remote_name!r}, but resource "
                            f"{reverse.resource!r} of this program declares the peering back from {remote_name!r} "
                            f"without allow_gateway_transit; ARM refuses that ({TRANSIT_REFUSAL_QUOTED})."
                            f" Fix: set allow_gateway_transit=True on {reverse.resource!r}, or "
                            f"use_remote_gateways=False on {resource!r}",
                        )
                    )
                if allow_gateway_transit is False and reverse.use_remote_gateways is True:
                    problems.append(
                        (
                            "allow_gateway_transit",
                            f"resource {reverse.resource!r} of this program uses the gateway of vnet "
                            f"{local_name!r} through {resource!r}, which does not allow gateway transit; ARM refuses "
                            f"that ({TRANSIT_REFUSAL_QUOTED}). Fix: set allow_gateway_transit=True on "
                            f"{resource!r}, or use_remote_gateways=False on {reverse.resource!r}",
                        )
                    )
            if problems:
                return problems
            self._names[key] = resource
            self._links[link] = Link(resource, allow_gateway_transit, use_remote_gateways)
            if old_id is not None and replaced:
                self._replacing.setdefault(resource, set()).add(old_id.lower())
            elif old_id is not None and old_id.lower() == key:
                self._kept.add(key)
            return []

    def replacing(self, resource: str | None) -> set[str]:
        """Ids of the peerings this resource's replacement deletes before it creates (lower-cased): its own
        preflight must not count them as existing peerings or as other links to the same remote."""
        if resource is None:
            return set()
        with self._lock:
            return set(self._replacing.get(resource, set()))

    # -- create / delete -----------------------------------------------------------------------------------------

    def took(self, peering_id: str, resource: str | None) -> None:
        """A create of this run is making (from its PUT on), made or adopted the peering: it is that resource's."""
        with self._lock:
            self._taken[peering_id.lower()] = resource or "?"

    def untake(self, peering_id: str, resource: str | None) -> None:
        """A create that had begun making the peering failed and left nothing in ARM (or it is another writer's)."""
        with self._lock:
            if self._taken.get(peering_id.lower()) == (resource or "?"):
                del self._taken[peering_id.lower()]

    def taker(self, peering_id: str) -> str | None:
        """The resource whose create made or adopted this peering in this run, if one did."""
        with self._lock:
            return self._taken.get(peering_id.lower())

    def keeper(self, peering_id: str, deleting: str | None) -> str | None:
        """The resource of this run that the peering belongs to after the run: one whose create made or adopted it
        in this run (whatever its name: ``deleting``'s own name included, when the resource was moved under another
        parent without an alias, or replaced create-first), or another one whose state holds it and whose new
        inputs keep it. The delete must leave the peering to it. None: nobody else, delete it. ``deleting`` is None
        for outputs written before resources carried their name: then only a create of this run counts.

        A resource that only *names* the peering is no keeper: its create has not run (the engine may run this
        delete first, a replacement always does), and it may never run (the run fails before it) or be refused (it
        does not adopt). Left to it, the peering would be in ARM and in no state; deleted, it is made again by
        that create, or adopted by it when another writer made it in between."""
        key = peering_id.lower()
        with self._lock:
            taker = self._taken.get(key)
            if taker is not None:
                # Even under the deleting resource's own name: no resource makes or adopts a peering and then
                # deletes it in one run, so the taker is another resource of that name (moved under another
                # parent without an alias: another URN), or the new self of a create-first replacement.
                return taker
            if deleting is None:
                return None
            kept = self._names.get(key) if key in self._kept else None
            return kept if kept is not None and kept != deleting else None


__all__ = ["RunLedger"]
