"""Long-running operation endpoints: ``.../locations/{region}/operations/{id}`` (Azure-AsyncOperation) and
``.../operationResults/{id}`` (Location)."""

from __future__ import annotations

from ..http import Response
from ..models.operations import IN_PROGRESS, OP_FAILED, cloud_error
from .common import ArmContext


def status(ctx: ArmContext) -> Response:
    op = ctx.emu.network.operation(ctx.subscription_id, ctx.params["operation"])
    headers = op.retry_after_headers(ctx.emu.network.clock()) if op.status == IN_PROGRESS else {}
    return Response(200, op.status_body(), headers)


def result(ctx: ArmContext) -> Response:
    op = ctx.emu.network.operation(ctx.subscription_id, ctx.params["operation"])
    if op.status == IN_PROGRESS:
        headers = {"Location": op.result_url(ctx.base_url), **op.retry_after_headers(ctx.emu.network.clock())}
        return Response(202, None, headers)
    if op.status == OP_FAILED:
        error = cloud_error(op.error or {"code": "InternalServerError", "message": "An error occurred."})
        return Response(500, {"error": error}, code=str(error.get("code")))
    if op.method == "DELETE":
        return Response(204)
    body = ctx.emu.network.resource_body(op)
    return Response(200, body) if body is not None else Response(204)
