"""Reading an estate from ARM, read-only, with the fewest calls: listings first, single reads only where needed.

For each subscription of the scope, one listing of its vnets (``VirtualNetworks_ListAll``, or ``VirtualNetworks_List``
per resource group asked for) answers every vnet with its subnets and peerings. A vnet with a gateway costs one more
read (the gateway named by its GatewaySubnet, or a listing of the group's gateways while ARM does not name it yet),
through the same rules the provider's preflight reads gateways by (:func:`~pulumi_azure_peering.provider.vnet_facts.
facts_from_answer`). A remote vnet that a listing of the scope should have shown and did not no longer exists;
one outside the scope is read on its own (one GET), unless ``follow`` is off, so that a pair across subscriptions
or tenants is judged from both sides when the identity may read them; one it may not read, or that no longer
exists, is recorded as such.

Only GETs: this module is given the provider's ARM client and never calls a write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pulumi_azure_peering.provider.arm import ArmClient, Deadline
from pulumi_azure_peering.provider.errors import PeeringError
from pulumi_azure_peering.provider.facts import VnetFacts
from pulumi_azure_peering.provider.ids import subscription_and_group, vnet_key_or_text
from pulumi_azure_peering.provider.vnet_facts import facts_from_answer

from .pairs import Side

#: What a listing of a vnet's peerings is asked with when the vnet's own object leaves them out.
_PEERINGS = "virtualNetworkPeerings"


@dataclass(frozen=True)
class Scope:
    """What to read: subscriptions, optionally only some of their resource groups."""

    subscriptions: tuple[str, ...]
    resource_groups: tuple[str, ...] = ()
    auxiliary_tenant_ids: tuple[str, ...] = ()
    follow: bool = True
    """Read remote vnets outside the scope on their own, to judge both sides of each pair."""


@dataclass(frozen=True)
class Estate:
    """What ARM showed of the scope (and of the remote vnets outside it that were followed)."""

    scope: Scope
    vnets: Mapping[str, VnetFacts]
    """By :func:`vnet_key`: every vnet read, in the scope or followed."""
    sides: Mapping[str, tuple[Side, ...]]
    """By vnet key: the vnet's peerings as listed (whole ``properties``)."""
    in_scope: frozenset[str]
    """Keys of the vnets of the scope itself."""
    missing: frozenset[str] = frozenset()
    """Keys of remote vnets a peering names that ARM answered do not exist."""
    unreadable: Mapping[str, str] = field(default_factory=dict)
    """Key of a remote vnet (or a subscription id) -> why it could not be read (the error's message)."""

    def facts(self, vnet_id: str) -> VnetFacts | None:
        return self.vnets.get(vnet_key_or_text(vnet_id))


Progress = Callable[[str], None]
#: Listings (a subscription's, or a resource group's) read at once: a few, far below ARM's read limits per
#: subscription, enough that a scope of several subscriptions takes about the time of its longest listing.
LISTINGS_IN_FLIGHT = 4


def read_estate(
    client: ArmClient,
    scope: Scope,
    *,
    timeout: float = 300.0,
    progress: Progress | None = None,
) -> Estate:
    """Read the scope (see the module docstring). A subscription that cannot be listed is recorded in
    ``unreadable`` and the others are still read; a credential that works nowhere raises from the first call."""
    say = progress or (lambda _line: None)
    deadline = Deadline(timeout)
    aux = list(scope.auxiliary_tenant_ids)
    vnets: dict[str, VnetFacts] = {}
    sides: dict[str, tuple[Side, ...]] = {}
    unreadable: dict[str, str] = {}
    groups: Sequence[str | None] = scope.resource_groups or (None,)
    listings = [(subscription, group) for subscription in scope.subscriptions for group in groups]
    # The listings do not depend on one another (only a listing's own pages do, each naming the next): they are
    # read at once, and their vnets learnt in the scope's order, as if read in turn.
    with ThreadPoolExecutor(max_workers=max(1, min(LISTINGS_IN_FLIGHT, len(listings)))) as pool:
        answers = [pool.submit(_list_vnets, client, sub, group, aux, deadline) for sub, group in listings]
        for (subscription, group), answer in zip(listings, answers, strict=True):
            where = f"subscription {subscription}" + (f", resource group {group}" if group else "")
            say(f"listing the vnets of {where}")
            try:
                items = answer.result()
            except PeeringError as exc:
                unreadable[subscription if group is None else f"{subscription}/{group}"] = str(exc)
                continue
            for number, item in enumerate(items, 1):
                say(f"reading vnet {number} of {len(items)} in {where}: {item.get('name', '?')}")
                _learn(client, item, aux, deadline, vnets, sides)
    in_scope = frozenset(vnets)
    missing: set[str] = set()
    if scope.follow:
        named = {_remote_key(s): s.remote_vnet_id for vnet_sides in sides.values() for s in vnet_sides}
        remotes = sorted(set(named) - set(vnets))
        for number, key in enumerate(remotes, 1):
            remote_id = named[key]
            if _listed(scope, remote_id, unreadable):  # its listing answered, without it: it no longer exists
                missing.add(key)
                continue
            say(f"reading remote vnet {number} of {len(remotes)} outside the scope: {remote_id}")
            try:
                remote = client.get_virtual_network(remote_id, auxiliary_tenant_ids=aux, deadline=deadline)
            except PeeringError as exc:
                unreadable[key] = str(exc)
                continue
            if remote is None:
                missing.add(key)
                continue
            _learn(client, remote, aux, deadline, vnets, sides)
    return Estate(scope, vnets, sides, in_scope, frozenset(missing), unreadable)


def _listed(scope: Scope, vnet_id: str, unreadable: Mapping[str, str]) -> bool:
    """Whether a listing of the scope that was answered covers ``vnet_id`` (its subscription, and its group when the
    scope names groups)."""
    try:
        subscription, group = (part.lower() for part in subscription_and_group(vnet_id))
    except (KeyError, ValueError, TypeError):
        return False
    refused = {key.lower() for key in unreadable}
    if subscription not in {s.lower() for s in scope.subscriptions}:
        return False
    if not scope.resource_groups:
        return subscription not in refused
    return group in {g.lower() for g in scope.resource_groups} and f"{subscription}/{group}" not in refused


def _list_vnets(
    client: ArmClient, subscription: str, group: str | None, aux: list[str], deadline: Deadline
) -> list[dict[str, Any]]:
    if group is not None:
        return client.list_virtual_networks(subscription, group, auxiliary_tenant_ids=aux, deadline=deadline)
    path = f"/subscriptions/{subscription}/providers/Microsoft.Network/virtualNetworks"
    return client.list_json(path, auxiliary_tenant_ids=aux, deadline=deadline)


def _learn(
    client: ArmClient,
    item: dict[str, Any],
    aux: list[str],
    deadline: Deadline,
    vnets: dict[str, VnetFacts],
    sides: dict[str, tuple[Side, ...]],
) -> None:
    """Record one vnet from ARM's object for it (a listing's item or a GET's answer)."""
    vnet_id = str(item.get("id") or "")
    props = item.get("properties") or {}
    if _PEERINGS not in props:  # a listing may leave them out: one listing of the vnet's peerings
        listed = client.list_json(f"{vnet_id}/{_PEERINGS}", auxiliary_tenant_ids=aux, deadline=deadline)
        item = {**item, "properties": {**props, _PEERINGS: listed}}
        props = item["properties"]
    facts = facts_from_answer(client, vnet_id, item, aux, deadline)
    key = vnet_key_or_text(facts.id)
    vnets[key] = facts
    sides[key] = tuple(
        Side(
            vnet_id=facts.id, name=str(p.get("name", "")), id=str(p.get("id", "")), properties=p.get("properties") or {}
        )
        for p in props.get(_PEERINGS) or []
        if isinstance(p, dict)
    )


def _remote_key(side: Side) -> str:
    return vnet_key_or_text(side.remote_vnet_id)
