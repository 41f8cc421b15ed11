"""What every resource kind of the network service shares: settings, write results and preconditions, the store,
the clock, the operation scheduler, and the read access the rules need
(:class:`pulumi_azure_peering.emulator.rules.World`).

Timing model (what clients see):
- every write (PUT/DELETE of a vnet, gateway or peering) is an operation lasting ``latency`` seconds, or, with a
  latency profile, the real duration of that kind of write times the profile's scale
  (:mod:`pulumi_azure_peering.emulator.timing`); the
  resource reads ``Updating``/``Deleting`` until it completes, then ``Succeeded`` (or ``Failed``);
- a write holds its vnet for its whole duration: a vnet write holds that vnet, a peering write holds its own
  (local) vnet, a gateway write holds the gateway's vnet for a vnet write's duration only (gateway provisioning
  goes on longer, during which the vnet does not count as having a gateway);
- another write to a held vnet gets 409 AnotherOperationInProgress; a peering whose remote vnet is held (or not
  Succeeded) gets 400 ReferencedResourceNotProvisioned.
Completion is evaluated lazily, at the start of every request, so nothing runs in the background.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .. import errors, ids, rules
from .. import store as st
from ..models.common import DELETING, UPDATING, new_etag
from ..models.features import KNOWN_FEATURES, FeatureRegistration, feature_key
from ..models.gateways import Gateway
from ..models.operations import OUTCOME_SUCCEED, Operation
from ..models.peerings import DISCONNECTED, Peering
from ..models.rendering import DEFAULT_API_VERSION, Rendering
from ..models.resource_groups import ResourceGroup
from ..models.virtual_networks import VirtualNetwork
from ..scheduler import LroPlan, OperationScheduler
from ..timing import VNET, LatencyProfile
from .peered_spaces import PeeredSpaces


@dataclass
class Settings:
    """What the command line and the admin API set: timing, paging, body shape, late refusals."""

    latency: float = 0.0
    gateway_provisioning_seconds: float = 0.0
    page_size: int = 50
    latency_profile: LatencyProfile | None = None  # when set, it decides every write's duration (not ``latency``)
    sparse_bodies: bool = False
    # ARM codes of peering refusals answered late: the PUT is accepted (201/200 + Azure-AsyncOperation) and its
    # operation ends Failed with the refusal (rules.LATE_CAPABLE_CODES), instead of a synchronous 400
    late_refusals: tuple[str, ...] = ()


@dataclass
class WriteResult:
    """A write's answer: status, body (None for 202/204 or a seed) and the operation it started, if any."""

    status: int
    body: dict[str, Any] | None
    operation: Operation | None


@dataclass
class Conditions:
    """A request's ``If-Match`` / ``If-None-Match`` headers."""

    if_match: str | None = None
    if_none_match: str | None = None


def check_conditions(etag: str | None, cond: Conditions) -> None:
    """Raise 412 ``PreconditionFailed`` unless the resource's current ``etag`` (None: it does not exist) meets them."""
    if cond.if_match is not None:
        wanted = [t.strip() for t in cond.if_match.split(",")]
        if etag is None or ("*" not in wanted and etag not in wanted):
            raise errors.precondition_failed()
    if cond.if_none_match is not None:
        wanted = [t.strip() for t in cond.if_none_match.split(",")]
        if etag is not None and ("*" in wanted or etag in wanted):
            raise errors.precondition_failed()


def remote_term(vnet_key: str) -> str:
    """The store's index term of the peerings whose remote vnet is ``vnet_key``."""
    return "remote:" + vnet_key


#: The store's index term of the peerings that use the remote vnet's gateways.
USES_REMOTE_GATEWAYS = "useRemoteGateways"


def peering_terms(doc: dict[str, Any]) -> Iterator[str]:
    """What the store indexes a peering document by: its remote vnet, and whether it uses the remote gateways.
    The checks of a peering write look peerings up by these instead of parsing every peering of both vnets."""
    yield remote_term(ids.key(doc["remote_vnet_id"]))
    if doc["use_remote_gateways"]:
        yield USES_REMOTE_GATEWAYS


class NetworkCore:
    """The state the resource kinds share, and the reads the rules make of it; each kind's requests are served by
    its own mixin (``services/<kind>.py``), composed into
    :class:`~pulumi_azure_peering.emulator.services.network.NetworkService`.

    Every public method must be called with the emulator's state lock held (see
    :class:`pulumi_azure_peering.emulator.app.Emulator`).
    """

    def __init__(self, store: st.Store, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.operations = OperationScheduler(store, clock, self._finish)
        # peerings by remote vnet (and by use of remote gateways): kept by the store with the documents themselves
        self.store.index(st.PEERING, peering_terms)
        # what is peered to each vnet, by address range: the overlap checks of a peering write (one per side)
        self.peered_spaces = PeeredSpaces(store)
        self.store.follow(self.peered_spaces)
        self.reload()

    # --- bookkeeping -------------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Rebuild in-memory state (pending operations, locks) from the store."""
        self.operations.reload()

    def advance(self, now: float | None = None) -> None:
        """Complete every operation whose time has come."""
        self.operations.advance(now)

    def finish_pending(self, outcome: str = OUTCOME_SUCCEED) -> int:
        """Complete every in-flight operation now (hung ones included); returns how many."""
        return self.operations.finish_pending(outcome)

    def operation(self, subscription_id: str, op_id: str) -> Operation:
        return self.operations.operation(subscription_id, op_id)

    def write_seconds(self, kind: str, method: str) -> float:
        """How long a write of this kind takes: the latency profile's value, else the flat ``latency``."""
        profile = self.settings.latency_profile
        return profile.seconds(kind, method) if profile is not None else self.settings.latency

    def rendering(self, api_version: str | None = None) -> Rendering:
        """How to render bodies for a request at ``api_version`` (the documented version when None)."""
        return Rendering(api_version or DEFAULT_API_VERSION, self.settings.sparse_bodies)

    def _start(
        self,
        *,
        method: str,
        kind: str,
        resource_id: str,
        subscription_id: str,
        location: str,
        name: str,
        api_version: str,
        locks: list[tuple[str, float | None]],
        plan: LroPlan,
        created: bool,
        duration: float | None = None,
        refusal: dict[str, Any] | None = None,
    ) -> Operation:
        return self.operations.start(
            method=method,
            kind=kind,
            resource_id=resource_id,
            subscription_id=subscription_id,
            location=location,
            name=name,
            api_version=api_version,
            locks=locks,
            plan=plan,
            created=created,
            seconds=self.write_seconds(kind, method) if duration is None else duration,
            refusal=refusal,
        )

    @abstractmethod
    def _finish(self, op: Operation, ok: bool) -> None:
        """What an operation that ends does to its resource (called by the scheduler, in a transaction)."""

    # --- World (read access for the rules) ---------------------------------------------------------------------

    def vnet(self, key: str) -> VirtualNetwork | None:
        doc = self.store.get(st.VNET, key)
        return None if doc is None else VirtualNetwork.from_doc(doc)

    def peerings_of(self, vnet_key: str) -> list[Peering]:
        return [Peering.from_doc(d) for d in self.store.children(st.PEERING, vnet_key)]

    def peering_count(self, vnet_key: str) -> int:
        return self.store.count_children(st.PEERING, vnet_key)

    def peerings_between(self, vnet_key: str, remote_key: str) -> list[Peering]:
        # From the store's index by remote vnet: rendering each spoke's peering looks for its reverse among the
        # hub's (hundreds), and a peering write for another peering of its vnet to the same remote; scanning them
        # made each O(hub peerings).
        return [Peering.from_doc(d) for d in self.store.find(st.PEERING, remote_term(remote_key), vnet_key)]

    def peering_between(self, vnet_key: str, remote_key: str) -> Peering | None:
        found = self.store.find(st.PEERING, remote_term(remote_key), vnet_key)
        return Peering.from_doc(found[0]) if found else None

    def peerings_using_remote_gateways(self, vnet_key: str) -> list[Peering]:
        return [Peering.from_doc(d) for d in self.store.find(st.PEERING, USES_REMOTE_GATEWAYS, vnet_key)]

    def peerings_to(self, vnet_key: str) -> list[Peering]:
        return [Peering.from_doc(d) for d in self.store.find(st.PEERING, remote_term(vnet_key))]

    def first_overlapping_partner(
        self, vnet_key: str, prefixes: Sequence[str], exclude_key: str
    ) -> tuple[str, list[str]] | None:
        return self.peered_spaces.first_overlapping(vnet_key, prefixes, exclude_key)

    def gateways_of(self, vnet_key: str) -> list[Gateway]:
        return [Gateway.from_doc(d) for d in self.store.children(st.GATEWAY, vnet_key)]

    def vnet_state(self, vnet: VirtualNetwork) -> tuple[str, str]:
        op = self.operations.holder(ids.key(vnet.id))
        if op is not None:
            own_delete = op.resource_kind == VNET and op.method == "DELETE"
            return (DELETING if own_delete else UPDATING), op.name
        return vnet.provisioning_state, "PutVirtualNetworkOperation"

    def gateway_state(self, gateway: Gateway) -> str:
        return gateway.provisioning_state

    def feature_state(self, subscription_id: str, feature: str) -> str | None:
        found = self.feature(subscription_id, feature)
        return found.state if found is not None else None

    def feature(self, subscription_id: str, feature: str) -> FeatureRegistration | None:
        """A subscription's registration of ``feature`` (``Namespace/Name``): what a seed or the admin API set,
        else the emulator's default for a feature it knows; None for a feature it does not know."""
        doc = self.store.get(st.FEATURE, feature_key(subscription_id, feature))
        if doc is not None:
            return FeatureRegistration.from_doc(doc)
        known = KNOWN_FEATURES.get(feature.lower())
        return FeatureRegistration(subscription_id.lower(), known[0], known[1]) if known is not None else None

    # --- shared by the resource kinds: lookups, and peering documents (written only here; the store indexes them
    # by remote vnet as it writes them; a vnet's delete removes and disconnects peerings too) ---------------------

    def subscription(self, subscription_id: str) -> dict[str, Any] | None:
        return self.store.get(st.SUBSCRIPTION, subscription_id.lower())

    def resource_group(self, subscription_id: str, name: str) -> ResourceGroup:
        doc = self.store.get(st.RESOURCE_GROUP, ids.key(ids.resource_group_id(subscription_id, name)))
        if doc is None:
            raise errors.resource_group_not_found(name)
        return ResourceGroup.from_doc(doc)

    def get_vnet(self, subscription_id: str, rg_name: str, name: str) -> VirtualNetwork:
        rg = self.resource_group(subscription_id, rg_name)
        vnet = self.vnet(ids.key(ids.vnet_id(subscription_id, rg.name, name)))
        if vnet is None:
            raise errors.resource_not_found("Microsoft.Network/virtualNetworks", name, rg.name)
        return vnet

    def render_peering(self, p: Peering, rendering: Rendering | None = None) -> dict[str, Any]:
        return p.to_wire(rules.view(self, p, p.provisioning_state), rendering or self.rendering())

    def _save_peering(self, p: Peering) -> None:
        sub = p.vnet_id.split("/")[2].lower()
        self.store.put(st.PEERING, ids.key(p.id), p.to_doc(), subscription=sub, parent=ids.key(p.vnet_id))

    def _remove_peering(self, p: Peering) -> None:
        self.store.delete(st.PEERING, ids.key(p.id))

    def _disconnect(self, p: Peering) -> None:
        if p.peering_state != DISCONNECTED:
            p.peering_state = DISCONNECTED
            p.etag = new_etag()
            self._save_peering(p)
