"""Virtual networks: render, list, create or update, delete, and what their operations do when they end."""

from __future__ import annotations

from typing import Any

from .. import errors, ids, rules
from .. import store as st
from ..models import virtual_networks as vnet_models
from ..models.common import FAILED, SUCCEEDED, UPDATING
from ..models.rendering import Rendering
from ..models.virtual_networks import VirtualNetwork
from ..scheduler import LroPlan
from ..timing import VNET
from .core import Conditions, NetworkCore, WriteResult, check_conditions


class VirtualNetworksService(NetworkCore):
    """Requests on virtual networks."""

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
        check_conditions(existing.etag if existing else None, conditions)
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
        check_conditions(vnet.etag, conditions)
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
