"""Virtual network peerings: PUT (with syncRemoteAddressSpace) / GET / DELETE / LIST, and cross-tenant access."""

from __future__ import annotations

from typing import Any

from .. import errors, ids
from ..http import Response
from .common import ArmContext, paged, write_response

AUXILIARY_HEADER = "x-ms-authorization-auxiliary"
MAX_AUXILIARY_TOKENS = 3


def _remote_reference(body: dict[str, Any]) -> str | None:
    props = body.get("properties")
    if not isinstance(props, dict):
        return None
    remote = props.get("remoteVirtualNetwork")
    if not isinstance(remote, dict) or not isinstance(remote.get("id"), str):
        return None
    return str(remote["id"])


def check_linked_access(ctx: ArmContext, peering_id: str, remote_id: str) -> None:
    """ARM's linked-scope check: a remote vnet in another tenant needs an auxiliary token of that tenant."""
    ref = ids.parse_vnet_reference(remote_id)
    if ref is None:
        return  # a malformed id is reported by the network rules (LinkedInvalidPropertyId)
    sub = ctx.emu.network.subscription(ref.subscription_id)
    remote_tenant = sub["tenant_id"] if sub else None
    if remote_tenant == ctx.claims.tenant_id:
        return
    raw = ctx.req.header(AUXILIARY_HEADER) or ""
    tokens = [t.strip() for t in raw.split(",") if t.strip()]
    if len(tokens) > MAX_AUXILIARY_TOKENS:
        raise errors.too_many_auxiliary_tokens(len(tokens))
    for value in tokens:
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token:
            continue
        try:
            claims = ctx.emu.tokens.validate(token.strip())
        except errors.ArmError:
            continue
        if remote_tenant is not None and claims.tenant_id == remote_tenant:
            return
    raise errors.linked_authorization_failed(peering_id, ctx.claims.tenant_id, ref.subscription_id)


def put(ctx: ArmContext) -> Response:
    p = ctx.params
    body = ctx.body()
    remote = _remote_reference(body)
    if remote is not None:
        rg_id = ids.resource_group_id(ctx.subscription_id, p["rg"])
        peering_id = (
            f"{rg_id}/providers/{ids.NETWORK}/virtualNetworks/{p['vnet']}/virtualNetworkPeerings/{p['peering']}"
        )
        check_linked_access(ctx, peering_id, remote)
    sync = ctx.req.query.get("syncremoteaddressspace", "").lower() == "true"
    result = ctx.emu.network.put_peering(
        ctx.subscription_id,
        p["rg"],
        p["vnet"],
        p["peering"],
        body,
        sync_remote=sync,
        conditions=ctx.conditions(),
        api_version=ctx.api_version,
        base_url=ctx.base_url,
        plan=ctx.lro_plan(),
    )
    return write_response(ctx, result)


def get(ctx: ArmContext) -> Response:
    p = ctx.params
    peering = ctx.emu.network.get_peering(ctx.subscription_id, p["rg"], p["vnet"], p["peering"])
    return Response(200, ctx.emu.network.render_peering(peering, ctx.rendering), {"ETag": peering.etag})


def delete(ctx: ArmContext) -> Response:
    p = ctx.params
    result = ctx.emu.network.delete_peering(
        ctx.subscription_id,
        p["rg"],
        p["vnet"],
        p["peering"],
        conditions=ctx.conditions(),
        api_version=ctx.api_version,
        base_url=ctx.base_url,
        plan=ctx.lro_plan(),
    )
    return write_response(ctx, result)


def list_all(ctx: ArmContext) -> Response:
    p = ctx.params
    return paged(ctx, ctx.emu.network.list_peerings(ctx.subscription_id, p["rg"], p["vnet"], ctx.rendering))
