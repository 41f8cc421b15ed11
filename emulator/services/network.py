"""The network service: one mixin per resource kind, composed (as moto composes a backend), and the dispatch of ended
operations to their kind.

It applies the rules to the store and turns writes into long-running operations (scheduled, with the vnets they
hold, by :mod:`pulumi_azure_peering.emulator.scheduler`); the timing model is described in :mod:`.core`. Every
public method must be called with the emulator's state lock held (see
:class:`pulumi_azure_peering.emulator.app.Emulator`).
"""

from __future__ import annotations

from typing import Any

from .. import ids
from .. import store as st
from ..models.gateways import Gateway
from ..models.operations import Operation
from ..models.peerings import Peering
from ..timing import GATEWAY, PEERING, VNET
from .features import FeaturesService
from .gateways import GatewaysService
from .peerings import PeeringsService
from .resource_groups import ResourceGroupsService
from .virtual_networks import VirtualNetworksService


class NetworkService(ResourceGroupsService, FeaturesService, VirtualNetworksService, GatewaysService, PeeringsService):
    """Resource groups, vnets, gateways, peerings and their operations, on top of a :class:`~emulator.store.Store`."""

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
