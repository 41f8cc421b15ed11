"""Virtual network gateways: read, create or update (provisioning for a while), delete."""

from __future__ import annotations

from typing import Any

from .. import errors, ids, rules
from .. import store as st
from ..models import gateways as gw_models
from ..models import virtual_networks as vnet_models
from ..models.common import DELETING, FAILED, SUCCEEDED, UPDATING
from ..models.gateways import Gateway
from ..models.virtual_networks import VirtualNetwork
from ..scheduler import LroPlan
from ..timing import GATEWAY, VNET
from .core import Conditions, NetworkCore, WriteResult, check_conditions


class GatewaysService(NetworkCore):
    """Requests on virtual network gateways."""

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
        check_conditions(existing.etag if existing else None, conditions)
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
        check_conditions(g.etag, conditions)
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
