"""Virtual network gateways: PUT / GET / DELETE / LIST.

The time a gateway takes to provision comes from, in order: the ``x-emulator-gateway-provisioning-seconds`` request
header, the admin setting ``gateway_provisioning_seconds``, or the seed's ``defaults``.
"""

from __future__ import annotations

from .. import errors, store
from ..http import Response
from ..models.gateways import Gateway
from .common import ArmContext, paged, write_response

PROVISIONING_HEADER = "x-emulator-gateway-provisioning-seconds"


def put(ctx: ArmContext) -> Response:
    p = ctx.params
    seconds: float | None = None
    raw = ctx.req.header(PROVISIONING_HEADER)
    if raw:
        try:
            seconds = max(0.0, float(raw))
        except ValueError:
            raise errors.invalid_request_format(PROVISIONING_HEADER, f"Invalid number {raw!r}.") from None
    result = ctx.emu.network.put_gateway(
        ctx.subscription_id,
        p["rg"],
        p["gateway"],
        ctx.body(),
        conditions=ctx.conditions(),
        api_version=ctx.api_version,
        base_url=ctx.base_url,
        plan=ctx.lro_plan(),
        provisioning_seconds=seconds,
    )
    return write_response(ctx, result)


def get(ctx: ArmContext) -> Response:
    p = ctx.params
    g = ctx.emu.network.get_gateway(ctx.subscription_id, p["rg"], p["gateway"])
    return Response(200, g.to_wire(g.provisioning_state), {"ETag": g.etag})


def delete(ctx: ArmContext) -> Response:
    p = ctx.params
    result = ctx.emu.network.delete_gateway(
        ctx.subscription_id,
        p["rg"],
        p["gateway"],
        conditions=ctx.conditions(),
        api_version=ctx.api_version,
        base_url=ctx.base_url,
        plan=ctx.lro_plan(),
    )
    return write_response(ctx, result)


def list_in_group(ctx: ArmContext) -> Response:
    rg = ctx.emu.network.resource_group(ctx.subscription_id, ctx.params["rg"])
    prefix = rg.id.lower() + "/"
    gateways = [Gateway.from_doc(d) for d in ctx.emu.store.all(store.GATEWAY, ctx.subscription_id)]
    return paged(ctx, [g.to_wire(g.provisioning_state) for g in gateways if g.id.lower().startswith(prefix)])
