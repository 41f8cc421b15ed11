"""Resource groups: create or update one (reads are shared, in the core)."""

from __future__ import annotations

from typing import Any

from .. import errors, ids
from .. import store as st
from ..models import virtual_networks as vnet_models
from ..models.resource_groups import ResourceGroup
from .core import NetworkCore


class ResourceGroupsService(NetworkCore):
    """PUT of resource groups."""

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
