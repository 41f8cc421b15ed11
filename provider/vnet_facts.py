"""What ARM says about virtual networks, read-only: one vnet's facts (the vnet, its gateways, its peerings),
cached per process, and many vnets read at once.

The preflight (``preflight.py``) checks one peering against the facts of its two vnets; the ``HubSpokePeering``
planner reads every vnet of a topology before it plans. Both go through the process's :class:`VnetCache`, so a
vnet is read once per ``CACHE_TTL_SECONDS`` however many peerings name it. The same cache holds what the preflight
reads of a subscription's features (``features.py``), once per subscription and ``CACHE_TTL_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .arm import Deadline
from .errors import ArmAuthenticationError, ArmAuthorizationError, MalformedResponseError, PeeringError
from .facts import GatewayFact, PeeringFact, VnetFacts
from .features import read_feature_state
from .ids import parent_vnet_id, same_id, subscription_and_group, vnet_name

if TYPE_CHECKING:
    from .arm import ArmClient

CACHE_TTL_SECONDS = 30.0
_GATEWAY_SEGMENT = "/providers/microsoft.network/virtualnetworkgateways/"


def _prefixes(space: Any) -> tuple[str, ...]:
    if isinstance(space, dict):
        return tuple(str(p) for p in space.get("addressPrefixes") or [])
    return ()


def _peering_fact(item: dict[str, Any]) -> PeeringFact:
    props = item.get("properties") or {}
    remote = (props.get("remoteVirtualNetwork") or {}).get("id")
    return PeeringFact(
        id=str(item.get("id", "")),
        name=str(item.get("name", "")),
        remote_virtual_network_id=remote,
        peering_state=props.get("peeringState"),
        use_remote_gateways=bool(props.get("useRemoteGateways")),
        allow_gateway_transit=bool(props.get("allowGatewayTransit")),
        remote_address_prefixes=_prefixes(props.get("remoteVirtualNetworkAddressSpace"))
        or _prefixes(props.get("remoteAddressSpace")),
    )


def fetch_vnet_facts(
    client: ArmClient,
    vnet_id: str,
    *,
    auxiliary_tenant_ids: Sequence[str] = (),
    deadline: Deadline | None = None,
) -> VnetFacts | None:
    """Look a virtual network up in ARM (vnet, its gateways, its peerings); None when it does not exist.

    Answers of the wrong shape (a list where ARM has an object, a prefix that is not text...) raise
    :class:`MalformedResponseError` naming the vnet, never a bare Python error.
    """
    vnet = client.get_virtual_network(vnet_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
    if vnet is None:
        return None
    return facts_from_answer(client, vnet_id, vnet, auxiliary_tenant_ids, deadline)


def facts_from_answer(
    client: ArmClient,
    vnet_id: str,
    vnet: dict[str, Any],
    auxiliary_tenant_ids: Sequence[str],
    deadline: Deadline | None,
) -> VnetFacts:
    """The facts of ``vnet_id`` from ARM's object for it (a GET's answer or an item of a listing); reads its
    gateways (and its peerings, if the object leaves them out) with the same tenants."""
    answered = vnet.get("id")
    if answered is not None and not (isinstance(answered, str) and same_id(answered, vnet_id)):
        raise MalformedResponseError(
            status_code=200, code=None, message=f"ARM answered for {answered!r} when asked for {vnet_id}"
        )
    try:
        return _vnet_facts(client, vnet_id, vnet, auxiliary_tenant_ids, deadline)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        raise MalformedResponseError(
            status_code=200,
            code=None,
            message=f"ARM's answer for virtual network {vnet_id} has an unexpected shape ({type(exc).__name__})",
        ) from None


def _vnet_facts(
    client: ArmClient,
    vnet_id: str,
    vnet: dict[str, Any],
    auxiliary_tenant_ids: Sequence[str],
    deadline: Deadline | None,
) -> VnetFacts:
    props = vnet.get("properties") or {}
    canonical_id = str(vnet.get("id") or vnet_id)
    subnets: dict[str, tuple[str, ...]] = {}
    gateway_ids: dict[str, None] = {}
    for subnet in props.get("subnets") or []:
        sprops = subnet.get("properties") or {}
        prefixes = list(sprops.get("addressPrefixes") or [])
        if sprops.get("addressPrefix"):
            prefixes.insert(0, sprops["addressPrefix"])
        subnets[str(subnet.get("name", ""))] = tuple(dict.fromkeys(prefixes))
        for ipconf in sprops.get("ipConfigurations") or []:
            ref = str(ipconf.get("id", ""))
            lowered = ref.lower()
            if _GATEWAY_SEGMENT in lowered:
                end = lowered.index(_GATEWAY_SEGMENT) + len(_GATEWAY_SEGMENT)
                name = ref[end:].split("/")[0]
                gateway_ids[ref[:end] + name] = None

    gateways: dict[str, GatewayFact] = {}
    listed: list[dict[str, Any]] = []
    # A vnet gateway lives in the vnet's GatewaySubnet: no such subnet, no gateway to look for (one read per vnet
    # for spokes). A gateway the subnet already names is read directly below; listing the resource group is only
    # for one whose ipConfigurations ARM does not show on the subnet yet (still provisioning).
    subscription, resource_group = subscription_and_group(canonical_id)
    if not gateway_ids and any(name.lower() == "gatewaysubnet" for name in subnets):
        try:
            listed = client.list_virtual_network_gateways(
                subscription,
                resource_group,
                auxiliary_tenant_ids=auxiliary_tenant_ids,
                deadline=deadline,
            )
        except (ArmAuthenticationError, ArmAuthorizationError):
            listed = []
    for gateway in listed:
        gprops = gateway.get("properties") or {}
        subnet_ids = [
            str(((conf.get("properties") or {}).get("subnet") or {}).get("id", ""))
            for conf in gprops.get("ipConfigurations") or []
        ]
        gid = str(gateway.get("id", ""))
        if any(s.lower().startswith(canonical_id.lower() + "/subnets/") for s in subnet_ids) or any(
            same_id(gid, known) for known in gateway_ids
        ):
            gateways[gid.lower()] = GatewayFact(gid, gprops.get("provisioningState"))
    for gid in gateway_ids:
        if gid.lower() not in gateways:
            payload = client.get_json(gid, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
            if payload is not None:
                gateways[gid.lower()] = GatewayFact(gid, (payload.get("properties") or {}).get("provisioningState"))

    if "virtualNetworkPeerings" in props:
        peering_items = [p for p in props.get("virtualNetworkPeerings") or [] if isinstance(p, dict)]
    else:
        try:
            peering_items = client.list_json(
                f"{canonical_id}/virtualNetworkPeerings", auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline
            )
        except (ArmAuthenticationError, ArmAuthorizationError):
            peering_items = []
    return VnetFacts(
        id=canonical_id,
        name=str(vnet.get("name") or vnet_name(canonical_id)),
        location=vnet.get("location"),
        provisioning_state=props.get("provisioningState"),
        address_prefixes=_prefixes(props.get("addressSpace")),
        subnets=subnets,
        gateways=tuple(gateways.values()),
        peerings=tuple(_peering_fact(p) for p in peering_items),
    )


#: A vnet lookup's answer: the facts, None when the vnet does not exist, or why it could not be read.
Lookup = VnetFacts | None | PeeringError

#: A resource group holding at least this many of the vnets wanted at once is listed (``VirtualNetworks_List``,
#: one call per page of vnets) instead of read vnet by vnet: a hub with its spokes in one landing-zone group costs
#: one call, not one per spoke. Below it a listing could cost more than the reads (a group of unrelated vnets).
LIST_MIN_VNETS = 4
#: Reads in flight at once when many vnets are wanted.
LOOKUP_THREADS = 8


class VnetCache:
    """Per-process (a :class:`~.runtime.Runtime` holds one) cache of :class:`VnetFacts`, entries kept ``ttl``
    seconds. :meth:`get` fetches one vnet at a time per vnet; :meth:`get_many` stores what a listing showed as it
    comes."""

    def __init__(self, ttl: float = CACHE_TTL_SECONDS, clock: Any = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[tuple[str, str], tuple[float, VnetFacts | None]] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._features: dict[tuple[str, str, str], tuple[float, str | ArmAuthorizationError | None]] = {}
        self._feature_locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def get(
        self,
        client: ArmClient,
        vnet_id: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> VnetFacts | None:
        key = (client.settings.fingerprint(), vnet_id.lower())
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            entry = self._fresh(key)
            if entry is not None:
                client.declared_owner(vnet_id, auxiliary_tenant_ids)  # only to the tenants that could read it
                return entry[1]
            facts = fetch_vnet_facts(client, vnet_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
            self._store(key, facts)
            return facts

    def feature_state(
        self,
        client: ArmClient,
        subscription_id: str,
        feature: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> str | None:
        """A subscription's registration state of ``feature`` (:func:`.features.read_feature_state`), read once per
        subscription and TTL. A 403 (the identity may not read features) is remembered like an answer, and raised
        again; other errors are raised and not remembered."""
        key = (client.settings.fingerprint(), subscription_id.lower(), feature.lower())
        with self._guard:
            lock = self._feature_locks.setdefault(key, threading.Lock())
        with lock:
            entry = self._features.get(key)
            if entry is not None and self._clock() - entry[0] < self._ttl:
                answer = entry[1]
            else:
                try:
                    answer = read_feature_state(
                        client,
                        subscription_id,
                        feature,
                        auxiliary_tenant_ids=auxiliary_tenant_ids,
                        deadline=deadline,
                    )
                except ArmAuthorizationError as exc:
                    answer = exc
                with self._guard:
                    self._features[key] = (self._clock(), answer)
        if isinstance(answer, ArmAuthorizationError):
            raise answer
        return answer

    def _fresh(self, key: tuple[str, str]) -> tuple[float, VnetFacts | None] | None:
        """The entry for ``key`` (stored at, facts) if it is younger than the cache's TTL."""
        entry = self._entries.get(key)
        return entry if entry is not None and self._clock() - entry[0] < self._ttl else None

    def _store(self, key: tuple[str, str], facts: VnetFacts | None) -> None:
        with self._guard:
            self._entries[key] = (self._clock(), facts)

    def get_many(
        self, client: ArmClient, wanted: Mapping[str, Sequence[str]], *, timeout: float | None = None
    ) -> dict[str, Lookup]:
        """The facts of many vnets (``wanted``: vnet id -> the auxiliary tenants reading it needs), by id. Each
        listing and each read has ``timeout`` seconds of its own (None: the client's default), as one vnet read
        alone would.

        Fresh entries are used as they are. A resource group holding :data:`LIST_MIN_VNETS` or more of the rest
        (read with the same tenants) is listed once, page by page until every one of them has been seen; each
        vnet the listing does not show, and every vnet of a group that cannot be listed (the identity may read
        the vnets but not list the group: 403), is read by its own GET, as :meth:`get` does. So a vnet is only
        ever reported missing by a GET of its own. Errors are per vnet, never raised.
        """
        found: dict[str, Lookup] = {}
        groups: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
        singles: list[str] = []
        fingerprint = client.settings.fingerprint()
        for vnet_id, tenants in wanted.items():
            entry = self._fresh((fingerprint, vnet_id.lower()))
            if entry is not None:
                try:
                    client.declared_owner(vnet_id, tenants)  # only to the tenants that could read it
                    found[vnet_id] = entry[1]
                except PeeringError as exc:
                    found[vnet_id] = exc
                continue
            try:
                subscription, resource_group = subscription_and_group(vnet_id)
                group = (subscription.lower(), resource_group.lower(), tuple(tenants))
            except (KeyError, ValueError, TypeError):
                singles.append(vnet_id)  # not a vnet id: its own GET says why
                continue
            groups.setdefault(group, []).append(vnet_id)
        listable: list[tuple[tuple[str, str, tuple[str, ...]], list[str]]] = []
        for group, ids in groups.items():
            if len(ids) >= LIST_MIN_VNETS:
                listable.append((group, ids))
            else:
                singles.extend(ids)

        def listed(group: tuple[str, str, tuple[str, ...]], ids: list[str]) -> list[str]:
            """List the group; store the facts of the wanted vnets it shows; return those it does not."""
            answers = self._list_group(client, group, ids, _deadline(timeout))
            left: list[str] = []
            for vnet_id in ids:
                vnet = answers.get(vnet_id.lower())
                if vnet is None:
                    left.append(vnet_id)
                    continue
                try:
                    facts: Lookup = facts_from_answer(client, vnet_id, vnet, wanted[vnet_id], _deadline(timeout))
                except PeeringError as exc:
                    facts = exc
                if not isinstance(facts, PeeringError):
                    self._store((fingerprint, vnet_id.lower()), facts)
                found[vnet_id] = facts
            return left

        def single(vnet_id: str) -> None:
            try:
                found[vnet_id] = self.get(
                    client, vnet_id, auxiliary_tenant_ids=wanted[vnet_id], deadline=_deadline(timeout)
                )
            except PeeringError as exc:
                found[vnet_id] = exc

        with ThreadPoolExecutor(max_workers=LOOKUP_THREADS) as pool:
            # The lone vnets (a hub in its own group) are read while the groups are listed; what a listing did not
            # show is read once it has ended.
            reads = [pool.submit(single, vnet_id) for vnet_id in singles]
            for listing in as_completed([pool.submit(listed, group, ids) for group, ids in listable]):
                reads += [pool.submit(single, vnet_id) for vnet_id in listing.result()]
            for read in reads:
                read.result()
        return {vnet_id: found[vnet_id] for vnet_id in wanted}

    @staticmethod
    def _list_group(
        client: ArmClient, group: tuple[str, str, tuple[str, ...]], ids: list[str], deadline: Deadline | None
    ) -> dict[str, dict[str, Any]]:
        """The group's vnets by lower-cased id, listed until every wanted one is seen; {} when the group cannot be
        listed (its vnets are then read one by one, which says per vnet what is wrong)."""
        subscription, resource_group, tenants = group
        not_seen = {vnet_id.lower() for vnet_id in ids}
        checked = 0

        def enough(items: list[dict[str, Any]]) -> bool:
            nonlocal checked
            not_seen.difference_update(str(v.get("id", "")).lower() for v in items[checked:])
            checked = len(items)
            return not not_seen

        try:
            items = client.list_virtual_networks(
                subscription, resource_group, auxiliary_tenant_ids=tenants, deadline=deadline, enough=enough
            )
        except PeeringError:
            return {}
        return {str(v.get("id", "")).lower(): v for v in items if isinstance(v.get("id"), str)}

    def learn(self, fingerprint: str, peering: Mapping[str, Any]) -> None:
        """Put a peering as ARM has just answered it (the GET after this process wrote it, or a refresh's read)
        into the cached facts of its two vnets, where :meth:`forget` would drop them.

        A hub's facts list every peering of the hub: forgetting them after each write had every create's preflight
        read the whole hub again, O(N) per peering and O(N^2) for a rollout of N spokes (the hub's GET carries all
        its peerings; at 500 spokes each read was most of a create's CPU, in the provider and in ARM). A write
        changes, of those facts, the written peering itself (known exactly: ARM's answer) and the state of its
        reverse on the remote vnet, which ARM reports Connected together with it. Entries of other settings (an
        identity or endpoint this answer did not come through) are forgotten; so is a vnet cached as missing."""
        fact = _peering_fact(dict(peering))
        try:
            local_key = parent_vnet_id(fact.id).lower()
        except (KeyError, ValueError, TypeError):
            local_key = ""
        remote_key = (fact.remote_virtual_network_id or "").lower()
        with self._guard:
            for key, (stored_at, facts) in list(self._entries.items()):
                if key[1] not in (local_key, remote_key) or not key[1]:
                    continue
                if key[0] != fingerprint or facts is None:
                    del self._entries[key]
                elif key[1] == local_key:
                    self._entries[key] = (stored_at, replace(facts, peerings=_upserted(facts.peerings, fact)))
                elif fact.peering_state == "Connected":
                    reverse = tuple(
                        replace(p, peering_state="Connected") if same_id(p.remote_virtual_network_id, local_key) else p
                        for p in facts.peerings
                    )
                    self._entries[key] = (stored_at, replace(facts, peerings=reverse))

    def forget(self, vnet_id: str) -> None:
        with self._guard:
            for key in [k for k in list(self._entries) if k[1] == vnet_id.lower()]:
                del self._entries[key]

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()
            self._features.clear()


def _upserted(peerings: Sequence[PeeringFact], fact: PeeringFact) -> tuple[PeeringFact, ...]:
    """``peerings`` with ``fact`` in place of the one of its id, or added at the end."""
    if any(same_id(p.id, fact.id) for p in peerings):
        return tuple(fact if same_id(p.id, fact.id) else p for p in peerings)
    return (*peerings, fact)


def _deadline(timeout: float | None) -> Deadline | None:
    return Deadline(timeout) if timeout is not None else None
