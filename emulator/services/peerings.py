"""Virtual network peerings: read, list, create or update (what ARM accepts is decided by
:func:`pulumi_azure_peering.emulator.rules.plan_peering_put`), delete, and what their operations do to both sides when
they end."""

from __future__ import annotations

from typing import Any

from .. import errors, ids, rules
from .. import store as st
from ..models import peerings as peer_models
from ..models.common import DELETING, FAILED, SUCCEEDED, UPDATING, new_etag
from ..models.peerings import Peering
from ..models.rendering import Rendering
from ..models.virtual_networks import VirtualNetwork
from ..scheduler import LroPlan
from ..timing import PEERING
from .core import Conditions, NetworkCore, WriteResult, check_conditions


class PeeringsService(NetworkCore):
    """Requests on virtual network peerings."""

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
        check_conditions(existing.etag if existing else None, conditions)
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
        check_conditions(p.etag, conditions)
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
