"""What every ARM handler receives, and the response shapes they share (long-running writes, paging)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..http import Request, Response
from ..identity import Claims
from ..models.rendering import Rendering
from ..scheduler import LroPlan
from ..services import Conditions, WriteResult

if TYPE_CHECKING:
    from ..app import Emulator


@dataclass
class ArmContext:
    emu: Emulator
    req: Request
    claims: Claims
    subscription_id: str
    api_version: str
    params: dict[str, str]

    @property
    def base_url(self) -> str:
        """The origin URLs in answers point at: the listener's that took the request (https, or the plain-http
        one), so that a client follows operations and pages where it sent the request."""
        return self.req.origin or self.emu.arm_endpoint

    @property
    def rendering(self) -> Rendering:
        """Bodies as real Azure renders them at the request's api-version (and the sparse-bodies setting)."""
        return self.emu.network.rendering(self.api_version)

    def conditions(self) -> Conditions:
        return Conditions(self.req.header("If-Match"), self.req.header("If-None-Match"))

    def lro_plan(self) -> LroPlan:
        outcome, extra = self.emu.faults.for_operation(self.req.method, self.req.path)
        return LroPlan(outcome, extra)

    def body(self) -> dict[str, Any]:
        data = self.req.json()
        if not isinstance(data, dict):
            from .. import errors

            raise errors.invalid_request_content("The request body must be a JSON object.")
        return data


def write_response(ctx: ArmContext, result: WriteResult) -> Response:
    """201 (create) / 200 (update) + Azure-AsyncOperation, no Location, for PUT; 202 with no body +
    Azure-AsyncOperation and Location for DELETE; 204 if absent. Retry-After as on the operation's polls."""
    headers: dict[str, str] = {}
    op = result.operation
    if op is not None:
        now = ctx.emu.network.clock()
        headers["Azure-AsyncOperation"] = op.async_url(ctx.base_url)
        if op.method == "DELETE":
            headers["Location"] = op.result_url(ctx.base_url)
        headers.update(op.retry_after_headers(now))
    return Response(result.status, result.body, headers)


def paged(ctx: ArmContext, items: list[dict[str, Any]]) -> Response:
    """A list page of ``page_size`` items with a nextLink carrying ``$skipToken`` while more remain."""
    size = max(1, ctx.emu.settings.page_size)
    try:
        start = max(0, int(ctx.req.query.get("$skiptoken", "0") or 0))
    except ValueError:
        start = 0
    page = items[start : start + size]
    body: dict[str, Any] = {"value": page}
    if start + size < len(items):
        body["nextLink"] = f"{ctx.base_url}{ctx.req.path}?api-version={ctx.api_version}&$skipToken={start + size}"
    return Response(200, body)
