"""Admin routes under ``/_emulator/`` (header ``x-emulator-admin: <admin_key>``; ``health`` needs no key).

| route | what |
|---|---|
| GET  health | liveness (no key) |
| GET  connection | the connection document (as in connection.json) |
| GET  requests[?since=SEQ&limit=N] | log entries with seq > SEQ (method, path, query, status, latency_ms, code) |
| POST reset | remove every resource and operation; latency and faults back to the command-line values |
| POST seed | apply a seed topology (JSON body), upserting; returns counts |
| GET/POST faults | current spec and counts / ``{"spec": "..."}`` |
| GET/POST latency | ``{"seconds": x}`` |
| GET/POST settings | latency, gateway_provisioning_seconds, page_size, token_lifetime |
| POST gateway-provisioning | ``{"seconds": x}``: provisioning time of gateways created from now on |
| POST expire-tokens | every token issued so far is answered 401 ExpiredAuthenticationToken |
| POST operations/finish | complete every in-flight operation now (``{"outcome": "Failed"}`` to fail them) |
| GET  state | dump of identities (no secrets), resources, pending operations and settings |
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from emulator.faults import parse_spec
from emulator.http import Request, Response
from emulator.models.operations import OUTCOME_FAIL, OUTCOME_SUCCEED
from emulator.seed import SeedError

if TYPE_CHECKING:
    from emulator.app import Emulator

ADMIN_HEADER = "x-emulator-admin"


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"error": {"code": code, "message": message, "target": None, "details": []}}, code=code)


def _number(body: Any, name: str) -> float:
    if not isinstance(body, dict) or not isinstance(body.get(name), int | float) or body[name] < 0:
        raise ValueError(f"expected a JSON body with a non-negative number '{name}'")
    return float(body[name])


def dispatch(emu: Emulator, req: Request) -> Response:
    route = "/".join(s.lower() for s in req.segments[1:])
    method = req.method
    if route == "health" and method == "GET":
        return Response(200, {"status": "ok", "arm_endpoint": emu.arm_endpoint})
    key = req.header(ADMIN_HEADER) or ""
    if not hmac.compare_digest(key.encode(), emu.admin_key.encode()):
        return _error(
            401,
            "AdminKeyRequired",
            f"The admin routes need header '{ADMIN_HEADER}' with the admin_key from connection.json.",
        )
    try:
        body = req.json() if req.body else {}
        return _route(emu, req, route, method, body)
    except ValueError as exc:
        return _error(400, "InvalidAdminRequest", str(exc))
    except SeedError as exc:
        return _error(400, "InvalidSeed", str(exc))


def _route(emu: Emulator, req: Request, route: str, method: str, body: Any) -> Response:
    if route == "connection" and method == "GET":
        return Response(200, emu.connection_document())
    if route == "requests" and method == "GET":
        since = int(req.query.get("since", "0") or 0)
        limit = int(req.query.get("limit", "100000") or 100000)
        entries = emu.requests.entries(since, limit)
        return Response(200, {"requests": entries, "last_seq": emu.requests.last_seq})
    if route == "reset" and method == "POST":
        emu.reset()
        return Response(200, {"status": "reset"})
    if route == "seed" and method == "POST":
        if not isinstance(body, dict):
            raise ValueError("the seed must be a JSON object")
        counts = emu.apply_seed(body)
        return Response(200, {"applied": counts})
    if route == "faults":
        if method == "POST":
            spec = body.get("spec", "") if isinstance(body, dict) else ""
            parse_spec(spec)  # raises ValueError before anything changes
            emu.faults.set(spec)
        return Response(200, emu.faults.describe())
    if route == "latency":
        if method == "POST":
            emu.settings.latency = _number(body, "seconds")
        return Response(200, {"seconds": emu.settings.latency})
    if route == "gateway-provisioning" and method == "POST":
        emu.settings.gateway_provisioning_seconds = _number(body, "seconds")
        return Response(200, {"seconds": emu.settings.gateway_provisioning_seconds})
    if route == "settings":
        if method == "POST":
            _apply_settings(emu, body)
        return Response(200, emu.settings_document())
    if route == "expire-tokens" and method == "POST":
        emu.tokens.expire_all()
        return Response(200, {"not_before": emu.tokens.not_before})
    if route == "operations/finish" and method == "POST":
        outcome = OUTCOME_FAIL if isinstance(body, dict) and body.get("outcome") == "Failed" else OUTCOME_SUCCEED
        with emu.lock:
            count = emu.network.finish_pending(outcome)
        return Response(200, {"finished": count})
    if route == "state" and method == "GET":
        return Response(200, emu.state_dump())
    return _error(404, "NotFound", f"No admin route {method} /_emulator/{route}.")


def _apply_settings(emu: Emulator, body: Any) -> None:
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    if "latency" in body:
        emu.settings.latency = _number(body, "latency")
    if "gateway_provisioning_seconds" in body:
        emu.settings.gateway_provisioning_seconds = _number(body, "gateway_provisioning_seconds")
    if "page_size" in body:
        emu.settings.page_size = max(1, int(_number(body, "page_size")))
    if "token_lifetime" in body:
        emu.tokens.lifetime = max(1.0, _number(body, "token_lifetime"))
