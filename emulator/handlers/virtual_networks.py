"""Virtual networks: PUT / GET / DELETE / LIST."""

from __future__ import annotations

from ..http import Response
from .common import ArmContext, paged, write_response


def put(ctx: ArmContext) -> Response:
    p = ctx.params
    result = ctx.emu.network.put_vnet(
        ctx.subscription_id,
        p["rg"],
        p["vnet"],
        ctx.body(),
        conditions=ctx.conditions(),
        api_version=ctx.api_version,
        base_url=ctx.base_url,
        plan=ctx.lro_plan(),
    )
    return write_response(ctx, result)


def get(ctx: ArmContext) -> Response:
    p = ctx.params
    vnet = ctx.emu.network.get_vnet(ctx.subscription_id, p["rg"], p["vnet"])
    body = ctx.emu.network.render_vnet(vnet, ctx.rendering)
    return Response(200, body, {"ETag": vnet.etag})


def delete(ctx: ArmContext) -> Response:
    p = ctx.params
    result = ctx.emu.network.delete_vnet(
        ctx.subscription_id,
        p["rg"],
        p["vnet"],
        conditions=ctx.conditions(),
        api_version=ctx.api_version,
        base_url=ctx.base_url,
        plan=ctx.lro_plan(),
    )
    return write_response(ctx, result)


def list_in_group(ctx: ArmContext) -> Response:
    return paged(ctx, ctx.emu.network.list_vnets(ctx.subscription_id, ctx.params["rg"], ctx.rendering))


def list_in_subscription(ctx: ArmContext) -> Response:
    return paged(ctx, ctx.emu.network.list_vnets(ctx.subscription_id, None, ctx.rendering))


def get_subnet(ctx: ArmContext) -> Response:
    from .. import errors, ids

    p = ctx.params
    vnet = ctx.emu.network.get_vnet(ctx.subscription_id, p["rg"], p["vnet"])
    subnet = vnet.subnet(p["subnet"])
    if subnet is None:
        raise errors.child_not_found(ids.subnet_id(vnet.id, p["subnet"]))
    for s in ctx.emu.network.render_vnet(vnet)["properties"]["subnets"]:
        if s["name"] == subnet.name:
            return Response(200, s)
    raise errors.child_not_found(ids.subnet_id(vnet.id, p["subnet"]))
