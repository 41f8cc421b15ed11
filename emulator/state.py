"""The network service: applies the rules to the store and turns writes into long-running operations (scheduled,
with the vnets they hold, by :mod:`pulumi_azure_peering.emulator.scheduler`).

Every public method must be called with the emulator's state lock held (see
:class:`pulumi_azure_peering.emulator.app.Emulator`).

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import errors, ids, rules
from . import store as st
from .models import gateways as gw_models
from .models import peerings as peer_models
from .models import virtual_networks as vnet_models
from .models.common import DELETING, FAILED, SUCCEEDED, UPDATING, new_etag
from .models.features import KNOWN_FEATURES, FeatureRegistration, feature_key
from .models.gateways import Gateway
from .models.operations import OUTCOME_SUCCEED, Operation
from .models.peerings import DISCONNECTED, Peering
from .models.rendering import DEFAULT_API_VERSION, Rendering
from .models.resource_groups import ResourceGroup
from .models.virtual_networks import VirtualNetwork
from .scheduler import LroPlan, OperationScheduler
from .timing import GATEWAY, PEERING, VNET, LatencyProfile


@dataclass
class Settings:
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
    status: int
    body: dict[str, Any] | None
    operation: Operation | None


@dataclass
class Conditions:
    if_match: str | None = None
    if_none_match: str | None = None


def _check_conditions(etag: str | None, cond: Conditions) -> None:
    if cond.if_match is not None:
        wanted = [t.strip() for t in cond.if_match.split(",")]
        if etag is None or ("*" not in wanted and etag not in wanted):
            raise errors.precondition_failed()
    if cond.if_none_match is not None:
        wanted = [t.strip() for t in cond.if_none_match.split(",")]
        if etag is not None and ("*" in wanted or etag in wanted):
            raise errors.precondition_failed()


class NetworkService:
    """Resource groups, vnets, gateways, peerings and their operations, on top of a :class:`~emulator.store.Store`."""

    def __init__(self, store: st.Store, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.operations = OperationScheduler(store, clock, self._finish)
        self.reload()

    # --- bookkeeping -------------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Rebuild in-memory indexes (pending operations, locks, peering back-references) from the store."""
        self.operations.reload()
        self._peerings_to: dict[str, dict[str, None]] = {}
        for doc in self.store.all(st.PEERING):
            self._index_peering(doc["id"], doc["remote_vnet_id"])

    def _index_peering(self, peering_id: str, remote_id: str) -> None:
        self._peerings_to.setdefault(ids.key(remote_id), {})[ids.key(peering_id)] = None

    def _unindex_peering(self, peering_id: str, remote_id: str) -> None:
        self._peerings_to.get(ids.key(remote_id), {}).pop(ids.key(peering_id), None)

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

    def _finish(self, op: Operation, ok: bool) -> None:
        """What an operation that ends does to its resource (called by the scheduler, in a transaction)."""
        handler = {
            (VNET, "PUT"): self._finish_vnet_put,
            (VNET, "DELETE"): self._finish_vnet_delete,
            (GATEWAY, "PUT"): self._finish_gateway_put,
            (GATEWAY, "DELETE"): self._finish_gateway_delete,
            (PEERING, "PUT"): self._finish_peering_put,
            (PEERING, "DELETE"): self._finish_peering_delete,
        }[(op.resource_kind, op.method)]
        handler(op.resource_id, ok)

    # --- World (read access for the rules) ---------------------------------------------------------------------

    def vnet(self, key: str) -> VirtualNetwork | None:
        doc = self.store.get(st.VNET, key)
        return None if doc is None else VirtualNetwork.from_doc(doc)

    def peerings_of(self, vnet_key: str) -> list[Peering]:
        return [Peering.from_doc(d) for d in self.store.children(st.PEERING, vnet_key)]

    def peering_between(self, vnet_key: str, remote_key: str) -> Peering | None:
        # Compares the stored documents before parsing any: rendering each spoke's peering looks for its reverse
        # among the hub's (hundreds), and parsing them all made every spoke read, and a group listing of N
        # spokes, cost O(hub peerings) each.
        for doc in self.store.children(st.PEERING, vnet_key):
            if ids.key(doc["remote_vnet_id"]) == remote_key:
                return Peering.from_doc(doc)
        return None

    def peerings_to(self, vnet_key: str) -> list[Peering]:
        found = []
        for key in self._peerings_to.get(vnet_key, {}):
            doc = self.store.get(st.PEERING, key)
            if doc is not None:
                found.append(Peering.from_doc(doc))
        return found

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

    # --- subscription features (Microsoft.Features) ------------------------------------------------------------

    def feature(self, subscription_id: str, feature: str) -> FeatureRegistration | None:
        """A subscription's registration of ``feature`` (``Namespace/Name``): what a seed or the admin API set,
        else the emulator's default for a feature it knows; None for a feature it does not know."""
        doc = self.store.get(st.FEATURE, feature_key(subscription_id, feature))
        if doc is not None:
            return FeatureRegistration.from_doc(doc)
        known = KNOWN_FEATURES.get(feature.lower())
        return FeatureRegistration(subscription_id.lower(), known[0], known[1]) if known is not None else None

    def features(self, subscription_id: str, namespace: str | None = None) -> list[FeatureRegistration]:
        """Every feature of a subscription the emulator can report (in a namespace, when given)."""
        found = {name: self.feature(subscription_id, canonical) for name, (canonical, _) in KNOWN_FEATURES.items()}
        for doc in self.store.all(st.FEATURE, subscription_id.lower()):
            found[doc["feature"].lower()] = FeatureRegistration.from_doc(doc)
        return [
            f
            for f in found.values()
            if f is not None and (namespace is None or f.namespace.lower() == namespace.lower())
        ]

    def set_feature(self, subscription_id: str, feature: str, state: str) -> FeatureRegistration:
        """Record a subscription's registration state of ``feature`` (a canonical ``Namespace/Name`` and state)."""
        registration = FeatureRegistration(subscription_id.lower(), feature, state)
        sub = subscription_id.lower()
        self.store.put(st.FEATURE, feature_key(sub, feature), registration.to_doc(), subscription=sub)
        return registration

    # --- resource groups ---------------------------------------------------------------------------------------

    def subscription(self, subscription_id: str) -> dict[str, Any] | None:
        return self.store.get(st.SUBSCRIPTION, subscription_id.lower())

    def resource_group(self, subscription_id: str, name: str) -> ResourceGroup:
        doc = self.store.get(st.RESOURCE_GROUP, ids.key(ids.resource_group_id(subscription_id, name)))
        if doc is None:
            raise errors.resource_group_not_found(name)
        return ResourceGroup.from_doc(doc)

    def put_resource_group(self, subscription_id: str, name: str, body: dict[str, Any]) -> tuple[int, ResourceGroup]:
        if not ids.is_valid_resource_group_name(name):
            raise errors.invalid_request_format("name", f"Invalid resource group name '{name}'.")
        location = body.get("location")
        if not isinstance(location, str) or not location:
            raise errors.location_required()
        key = ids.key(ids.resource_group_id(subscription_id, name))
        existing = self.store.get(st.RESOURCE_GROUP, key)
        tags = body.get("tags") if isinstance(body.get("tags"), dict) else {}
        if existing is not None:
            rg = ResourceGroup.from_doc(existing)
            if vnet_models.normalize_location(location) != rg.location:
                raise errors.invalid_resource_location(name, rg.location, location, name)
            rg.tags = dict(tags or {})
            status = 200
        else:
            rg = ResourceGroup(
                id=ids.resource_group_id(subscription_id, name),
                name=name,
                subscription_id=subscription_id,
                location=vnet_models.normalize_location(location),
                tags=dict(tags or {}),
            )
            status = 201
        self.store.put(st.RESOURCE_GROUP, key, rg.to_doc(), subscription=subscription_id)
        return status, rg

    # --- virtual networks --------------------------------------------------------------------------------------

    def get_vnet(self, subscription_id: str, rg_name: str, name: str) -> VirtualNetwork:
        rg = self.resource_group(subscription_id, rg_name)
        vnet = self.vnet(ids.key(ids.vnet_id(subscription_id, rg.name, name)))
        if vnet is None:
            raise errors.resource_not_found("Microsoft.Network/virtualNetworks", name, rg.name)
        return vnet

    def render_vnet(self, vnet: VirtualNetwork, rendering: Rendering | None = None) -> dict[str, Any]:
        state, _ = self.vnet_state(vnet)
        users: dict[str, list[str]] = {}
        for g in self.gateways_of(ids.key(vnet.id)):
            for c in g.ip_configurations:
                ref = ids.parse_vnet_reference(c.subnet_id, allow_subnet=True)
                if ref is not None and ref.subnet_name:
                    users.setdefault(ref.subnet_name.lower(), []).append(g.ip_configuration_id(c.name))
        peerings = [self.render_peering(p, rendering) for p in self.peerings_of(ids.key(vnet.id))]
        return vnet.to_wire(state=state, peerings=peerings, subnet_users=users)

    def list_vnets(
        self, subscription_id: str, rg_name: str | None, rendering: Rendering | None = None
    ) -> list[dict[str, Any]]:
        if rg_name is not None:
            rg = self.resource_group(subscription_id, rg_name)
            prefix = ids.key(rg.id) + "/"
            docs = [d for d in self.store.all(st.VNET, subscription_id) if d["id"].lower().startswith(prefix)]
        else:
            docs = self.store.all(st.VNET, subscription_id)
        return [self.render_vnet(VirtualNetwork.from_doc(d), rendering) for d in docs]

    def _gateway_users(self, vnet_key: str) -> dict[str, str]:
        users: dict[str, str] = {}
        for g in self.gateways_of(vnet_key):
            for c in g.ip_configurations:
                ref = ids.parse_vnet_reference(c.subnet_id, allow_subnet=True)
                if ref is not None and ref.subnet_name:
                    users[ref.subnet_name] = g.ip_configuration_id(c.name)
        return users

    def put_vnet(
        self,
        subscription_id: str,
        rg_name: str,
        name: str,
        body: dict[str, Any],
        *,
        conditions: Conditions,
        api_version: str,
        base_url: str,
        plan: LroPlan,
        seeded: bool = False,
        regional_community: str | None = None,
    ) -> WriteResult:
        rg = self.resource_group(subscription_id, rg_name)
        if not ids.is_valid_name(name):
            raise errors.invalid_request_format("name", f"Invalid virtual network name '{name}'.")
        key = ids.key(ids.vnet_id(subscription_id, rg.name, name))
        existing = self.vnet(key)
        self.operations.ensure_free(key, base_url)
        _check_conditions(existing.etag if existing else None, conditions)
        resource_id = existing.id if existing else ids.vnet_id(subscription_id, rg.name, name)
        request = vnet_models.parse_put(body, resource_id)
        if existing is None and not request.location:
            raise errors.location_required()
        location = vnet_models.normalize_location(request.location or (existing.location if existing else ""))
        if existing is not None and location != existing.location:
            raise errors.invalid_resource_location(name, existing.location, request.location or "", rg.name)
        vnet = VirtualNetwork(
            id=resource_id,
            name=existing.name if existing else name,
            subscription_id=subscription_id,
            resource_group=rg.name,
            location=location,
            address_prefixes=request.address_prefixes,
            subnets=request.subnets,
            encryption=request.encryption,
            virtual_network_community=request.virtual_network_community,
            regional_community_override=regional_community
            or (existing.regional_community_override if existing else None),
            tags=request.tags,
        )
        if existing is not None:
            vnet.resource_guid = existing.resource_guid
            old = {s.name.lower(): s for s in existing.subnets}
            for s in vnet.subnets:
                prev = old.get(s.name.lower())
                if prev is not None and prev.address_prefixes == s.address_prefixes:
                    s.etag = prev.etag
            rules.check_vnet_update(self, vnet, self._gateway_users(key))
        if seeded:
            vnet.provisioning_state = SUCCEEDED
            self.store.put(st.VNET, key, vnet.to_doc(), subscription=subscription_id, parent=ids.key(rg.id))
            return WriteResult(201 if existing is None else 200, None, None)
        vnet.provisioning_state = UPDATING
        with self.store.transaction():
            self.store.put(st.VNET, key, vnet.to_doc(), subscription=subscription_id, parent=ids.key(rg.id))
            op = self._start(
                method="PUT",
                kind=VNET,
                resource_id=vnet.id,
                subscription_id=subscription_id,
                location=location,
                name="PutVirtualNetworkOperation",
                api_version=api_version,
                locks=[(key, None)],
                plan=plan,
                created=existing is None,
            )
        return WriteResult(201 if existing is None else 200, self.render_vnet(vnet, self.rendering(api_version)), op)

    def _finish_vnet_put(self, resource_id: str, ok: bool) -> None:
        vnet = self.vnet(ids.key(resource_id))
        if vnet is not None:
            vnet.provisioning_state = SUCCEEDED if ok else FAILED
            self._save_vnet(vnet)

    def _save_vnet(self, vnet: VirtualNetwork) -> None:
        rg_key = ids.key(ids.resource_group_id(vnet.subscription_id, vnet.resource_group))
        self.store.put(st.VNET, ids.key(vnet.id), vnet.to_doc(), subscription=vnet.subscription_id, parent=rg_key)

    def delete_vnet(
        self,
        subscription_id: str,
        rg_name: str,
        name: str,
        *,
        conditions: Conditions,
        api_version: str,
        base_url: str,
        plan: LroPlan,
    ) -> WriteResult:
        rg = self.resource_group(subscription_id, rg_name)
        key = ids.key(ids.vnet_id(subscription_id, rg.name, name))
        vnet = self.vnet(key)
        if vnet is None:
            return WriteResult(204, None, None)
        self.operations.ensure_free(key, base_url)
        _check_conditions(vnet.etag, conditions)
        for subnet_name, user in self._gateway_users(key).items():
            raise errors.in_use_subnet_cannot_be_deleted(ids.subnet_id(vnet.id, subnet_name), user)
        op = self._start(
            method="DELETE",
            kind=VNET,
            resource_id=vnet.id,
            subscription_id=subscription_id,
            location=vnet.location,
            name="DeleteVirtualNetworkOperation",
            api_version=api_version,
            locks=[(key, None)],
            plan=plan,
            created=False,
        )
        return WriteResult(202, None, op)

    def _finish_vnet_delete(self, resource_id: str, ok: bool) -> None:
        key = ids.key(resource_id)
        vnet = self.vnet(key)
        if vnet is None:
            return
        if not ok:
            vnet.provisioning_state = FAILED
            self._save_vnet(vnet)
            return
        for p in self.peerings_of(key):
            self._remove_peering(p)
        for q in self.peerings_to(key):
            self._disconnect(q)
        self.store.delete(st.VNET, key)

    def _disconnect(self, p: Peering) -> None:
        if p.peering_state != DISCONNECTED:
            p.peering_state = DISCONNECTED
            p.etag = new_etag()
            self._save_peering(p)

    # --- gateways ----------------------------------------------------------------------------------------------

    def get_gateway(self, subscription_id: str, rg_name: str, name: str) -> Gateway:
        rg = self.resource_group(subscription_id, rg_name)
        doc = self._gateway_doc(ids.key(ids.gateway_id(subscription_id, rg.name, name)))
        if doc is None:
            raise errors.resource_not_found("Microsoft.Network/virtualNetworkGateways", name, rg.name)
        return Gateway.from_doc(doc)

    def _gateway_doc(self, key: str) -> dict[str, Any] | None:
        return self.store.get(st.GATEWAY, key)

    def put_gateway(
        self,
        subscription_id: str,
        rg_name: str,
        name: str,
        body: dict[str, Any],
        *,
        conditions: Conditions,
        api_version: str,
        base_url: str,
        plan: LroPlan,
        provisioning_seconds: float | None = None,
        seeded: bool = False,
    ) -> WriteResult:
        rg = self.resource_group(subscription_id, rg_name)
        if not ids.is_valid_name(name):
            raise errors.invalid_request_format("name", f"Invalid gateway name '{name}'.")
        gateway_id = ids.gateway_id(subscription_id, rg.name, name)
        gkey = ids.key(gateway_id)
        existing_doc = self._gateway_doc(gkey)
        existing = Gateway.from_doc(existing_doc) if existing_doc else None
        if existing is not None:
            gateway_id = existing.id
        self.operations.ensure_free(gkey, base_url)
        _check_conditions(existing.etag if existing else None, conditions)
        request = gw_models.parse_put(body)
        if existing is None and not request.location:
            raise errors.location_required()
        vnet: VirtualNetwork | None = None
        configs = []
        for c in request.ip_configurations:
            vnet, subnet_id = rules.gateway_subnet_of(self, gateway_id, c.subnet_id)
            configs.append(gw_models.IpConfiguration(c.name, subnet_id, c.public_ip_id))
        assert vnet is not None
        vkey = ids.key(vnet.id)
        self.operations.ensure_free(vkey, base_url)
        seconds = self.settings.gateway_provisioning_seconds if provisioning_seconds is None else provisioning_seconds
        gateway = Gateway(
            id=gateway_id,
            name=existing.name if existing else name,
            subscription_id=subscription_id,
            resource_group=rg.name,
            location=vnet_models.normalize_location(request.location or (existing.location if existing else "")),
            ip_configurations=configs,
            vnet_id=vnet.id,
            gateway_type=request.gateway_type,
            vpn_type=request.vpn_type,
            sku=request.sku,
            active_active=request.active_active,
            enable_bgp=request.enable_bgp,
            tags=request.tags,
            provisioning_seconds=seconds,
        )
        if existing is not None:
            gateway.resource_guid = existing.resource_guid
        gateway.provisioning_state = UPDATING
        with self.store.transaction():
            self.store.put(st.GATEWAY, gkey, gateway.to_doc(), subscription=subscription_id, parent=vkey)
            # a seed says how long its gateway provisions; a profile makes API-created gateways take their real time
            base = self.settings.latency if seeded else self.write_seconds(GATEWAY, "PUT")
            op = self._start(
                method="PUT",
                kind=GATEWAY,
                resource_id=gateway.id,
                subscription_id=subscription_id,
                location=gateway.location,
                name="PutVirtualNetworkGatewayOperation",
                api_version=api_version,
                locks=[(gkey, None)] if seeded else [(gkey, None), (vkey, self.write_seconds(VNET, "PUT"))],
                plan=plan,
                created=existing is None,
                duration=0.0 if seeded and seconds <= 0 else max(base, seconds),
            )
        if seeded and seconds <= 0:
            self.operations.complete(op)
        return WriteResult(201 if existing is None else 200, gateway.to_wire(UPDATING), op)

    def _finish_gateway_put(self, resource_id: str, ok: bool) -> None:
        doc = self._gateway_doc(ids.key(resource_id))
        if doc is not None:
            g = Gateway.from_doc(doc)
            g.provisioning_state = SUCCEEDED if ok else FAILED
            self.store.put(
                st.GATEWAY, ids.key(g.id), g.to_doc(), subscription=g.subscription_id, parent=ids.key(g.vnet_id)
            )

    def delete_gateway(
        self,
        subscription_id: str,
        rg_name: str,
        name: str,
        *,
        conditions: Conditions,
        api_version: str,
        base_url: str,
        plan: LroPlan,
    ) -> WriteResult:
        rg = self.resource_group(subscription_id, rg_name)
        gkey = ids.key(ids.gateway_id(subscription_id, rg.name, name))
        doc = self._gateway_doc(gkey)
        if doc is None:
            return WriteResult(204, None, None)
        g = Gateway.from_doc(doc)
        self.operations.ensure_free(gkey, base_url)
        _check_conditions(g.etag, conditions)
        op = self._start(
            method="DELETE",
            kind=GATEWAY,
            resource_id=g.id,
            subscription_id=subscription_id,
            location=g.location,
            name="DeleteVirtualNetworkGatewayOperation",
            api_version=api_version,
            locks=[(gkey, None), (ids.key(g.vnet_id), self.write_seconds(VNET, "DELETE"))],
            plan=plan,
            created=False,
        )
        g.provisioning_state = DELETING
        self.store.put(st.GATEWAY, gkey, g.to_doc(), subscription=g.subscription_id, parent=ids.key(g.vnet_id))
        return WriteResult(202, None, op)

    def _finish_gateway_delete(self, resource_id: str, ok: bool) -> None:
        key = ids.key(resource_id)
        doc = self._gateway_doc(key)
        if doc is None:
            return
        g = Gateway.from_doc(doc)
        if ok:
            self.store.delete(st.GATEWAY, key)
        else:
            g.provisioning_state = FAILED
            self.store.put(st.GATEWAY, key, g.to_doc(), subscription=g.subscription_id, parent=ids.key(g.vnet_id))

    # --- peerings ----------------------------------------------------------------------------------------------

    def render_peering(self, p: Peering, rendering: Rendering | None = None) -> dict[str, Any]:
        return p.to_wire(rules.view(self, p, p.provisioning_state), rendering or self.rendering())

    def _local_vnet_for_read(self, subscription_id: str, rg_name: str, vnet_name: str) -> VirtualNetwork:
        return self.get_vnet(subscription_id, rg_name, vnet_name)

    def get_peering(self, subscription_id: str, rg_name: str, vnet_name: str, name: str) -> Peering:
        vnet = self._local_vnet_for_read(subscription_id, rg_name, vnet_name)
        pid = ids.peering_id(vnet.id, name)
        doc = self.store.get(st.PEERING, ids.key(pid))
        if doc is None:
            raise errors.child_not_found(pid)
        return Peering.from_doc(doc)

    def list_peerings(
        self, subscription_id: str, rg_name: str, vnet_name: str, rendering: Rendering | None = None
    ) -> list[dict[str, Any]]:
        vnet = self._local_vnet_for_read(subscription_id, rg_name, vnet_name)
        return [self.render_peering(p, rendering) for p in self.peerings_of(ids.key(vnet.id))]

    def _parent_for_write(self, subscription_id: str, rg_name: str, vnet_name: str) -> VirtualNetwork:
        rg = self.resource_group(subscription_id, rg_name)
        vnet = self.vnet(ids.key(ids.vnet_id(subscription_id, rg.name, vnet_name)))
        if vnet is None:
            raise errors.parent_resource_not_found(
                "write", "virtualNetworks/virtualNetworkPeerings", ids.vnet_id(subscription_id, rg.name, vnet_name)
            )
        return vnet

    def put_peering(
        self,
        subscription_id: str,
        rg_name: str,
        vnet_name: str,
        name: str,
        body: dict[str, Any],
        *,
        sync_remote: bool,
        conditions: Conditions,
        api_version: str,
        base_url: str,
        plan: LroPlan,
        seeded: bool = False,
    ) -> WriteResult:
        vnet = self._parent_for_write(subscription_id, rg_name, vnet_name)
        if not ids.is_valid_name(name):
            raise errors.invalid_request_format("name", f"Invalid peering name '{name}'.")
        vkey = ids.key(vnet.id)
        pid = ids.peering_id(vnet.id, name)
        existing_doc = self.store.get(st.PEERING, ids.key(pid))
        existing = Peering.from_doc(existing_doc) if existing_doc else None
        if existing is not None:
            pid, name = existing.id, existing.name
        self.operations.ensure_free(vkey, base_url)
        _check_conditions(existing.etag if existing else None, conditions)
        request = peer_models.parse_put(body)
        result = rules.plan_peering_put(
            self,
            local=vnet,
            peering_id=pid,
            name=name,
            existing=existing,
            request=request,
            sync_remote=sync_remote,
            late=() if seeded else self.settings.late_refusals,
        )
        peering = result.peering
        with self.store.transaction():
            if result.reverse is not None and result.reverse.peering_state != peer_models.CONNECTED:
                result.reverse.peering_state = peer_models.CONNECTED
                result.reverse.etag = new_etag()
                self._save_peering(result.reverse)
            if seeded:
                peering.provisioning_state = SUCCEEDED
                self._save_peering(peering)
                return WriteResult(201 if result.created else 200, None, None)
            peering.provisioning_state = UPDATING
            self._save_peering(peering)
            op = self._start(
                method="PUT",
                kind=PEERING,
                resource_id=peering.id,
                subscription_id=subscription_id,
                location=vnet.location,
                name="PutVirtualNetworkPeeringOperation",
                api_version=api_version,
                locks=[(vkey, None)],
                plan=plan,
                created=result.created,
                # a refusal answered late: the operation ends Failed with it, the peering reads Failed
                refusal=result.refusal.error_object() if result.refusal is not None else None,
            )
        body = self.render_peering(peering, self.rendering(api_version))
        return WriteResult(201 if result.created else 200, body, op)

    def _save_peering(self, p: Peering) -> None:
        sub = p.vnet_id.split("/")[2].lower()
        self.store.put(st.PEERING, ids.key(p.id), p.to_doc(), subscription=sub, parent=ids.key(p.vnet_id))
        self._index_peering(p.id, p.remote_vnet_id)

    def _remove_peering(self, p: Peering) -> None:
        self.store.delete(st.PEERING, ids.key(p.id))
        self._unindex_peering(p.id, p.remote_vnet_id)

    def _finish_peering_put(self, resource_id: str, ok: bool) -> None:
        doc = self.store.get(st.PEERING, ids.key(resource_id))
        if doc is not None:
            p = Peering.from_doc(doc)
            p.provisioning_state = SUCCEEDED if ok else FAILED
            self._save_peering(p)

    def delete_peering(
        self,
        subscription_id: str,
        rg_name: str,
        vnet_name: str,
        name: str,
        *,
        conditions: Conditions,
        api_version: str,
        base_url: str,
        plan: LroPlan,
    ) -> WriteResult:
        rg = self.resource_group(subscription_id, rg_name)
        vnet = self.vnet(ids.key(ids.vnet_id(subscription_id, rg.name, vnet_name)))
        if vnet is None:
            return WriteResult(204, None, None)
        doc = self.store.get(st.PEERING, ids.key(ids.peering_id(vnet.id, name)))
        if doc is None:
            return WriteResult(204, None, None)
        p = Peering.from_doc(doc)
        vkey = ids.key(vnet.id)
        self.operations.ensure_free(vkey, base_url)
        _check_conditions(p.etag, conditions)
        with self.store.transaction():
            p.provisioning_state = DELETING
            self._save_peering(p)
            op = self._start(
                method="DELETE",
                kind=PEERING,
                resource_id=p.id,
                subscription_id=subscription_id,
                location=vnet.location,
                name="DeleteVirtualNetworkPeeringOperation",
                api_version=api_version,
                locks=[(vkey, None)],
                plan=plan,
                created=False,
            )
        return WriteResult(202, None, op)

    def _finish_peering_delete(self, resource_id: str, ok: bool) -> None:
        doc = self.store.get(st.PEERING, ids.key(resource_id))
        if doc is None:
            return
        p = Peering.from_doc(doc)
        if not ok:
            p.provisioning_state = FAILED
            self._save_peering(p)
            return
        reverse = rules.reverse_peering(self, p)
        self._remove_peering(p)
        if reverse is not None:
            self._disconnect(reverse)

    # --- results of finished operations ------------------------------------------------------------------------

    def resource_body(self, op: Operation) -> dict[str, Any] | None:
        """The resource a finished PUT operation produced (for operationResults), if it still exists."""
        key = ids.key(op.resource_id)
        rendering = self.rendering(op.api_version)
        if op.resource_kind == VNET:
            vnet = self.vnet(key)
            return self.render_vnet(vnet, rendering) if vnet else None
        if op.resource_kind == GATEWAY:
            doc = self._gateway_doc(key)
            return Gateway.from_doc(doc).to_wire(doc["provisioning_state"]) if doc else None
        doc = self.store.get(st.PEERING, key)
        return self.render_peering(Peering.from_doc(doc), rendering) if doc else None
