"""Subscriptions and resource groups (Microsoft.Resources)."""

from __future__ import annotations

from .. import errors, store
from ..http import Response
from ..models.resource_groups import ResourceGroup
from .common import ArmContext


def get_subscription(ctx: ArmContext) -> Response:
    doc = ctx.emu.network.subscription(ctx.subscription_id)
    assert doc is not None
    return Response(200, _subscription_wire(doc))


def _subscription_wire(doc: dict[str, str]) -> dict[str, object]:
    return {
        "id": f"/subscriptions/{doc['subscription_id']}",
        "subscriptionId": doc["subscription_id"],
        "tenantId": doc["tenant_id"],
        "displayName": doc.get("display_name") or doc["subscription_id"],
        "state": "Enabled",
    }


def list_subscriptions(ctx: ArmContext) -> Response:
    docs = [d for d in ctx.emu.subscriptions() if d["tenant_id"] == ctx.claims.tenant_id]
    return Response(200, {"value": [_subscription_wire(d) for d in docs]})


def put(ctx: ArmContext) -> Response:
    status, rg = ctx.emu.network.put_resource_group(ctx.subscription_id, ctx.params["rg"], ctx.body())
    return Response(status, rg.to_wire())


def get(ctx: ArmContext) -> Response:
    return Response(200, ctx.emu.network.resource_group(ctx.subscription_id, ctx.params["rg"]).to_wire())


def head(ctx: ArmContext) -> Response:
    try:
        ctx.emu.network.resource_group(ctx.subscription_id, ctx.params["rg"])
    except errors.ArmError:
        return Response(404)
    return Response(204)


def list_all(ctx: ArmContext) -> Response:
    docs = ctx.emu.store.all(store.RESOURCE_GROUP, ctx.subscription_id)
    return Response(200, {"value": [ResourceGroup.from_doc(d).to_wire() for d in docs]})
