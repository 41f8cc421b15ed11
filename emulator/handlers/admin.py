"""Admin routes under ``/_emulator/`` (header ``x-emulator-admin: <admin_key>``; ``health`` needs no key).

| route | what |
|---|---|
| GET  health | liveness (no key): status, arm_endpoint, data_dir |
| GET  connection | the connection document (as in connection.json) |
| GET  requests[?since=SEQ&limit=N] | log entries with seq > SEQ (method, path, query, status, latency_ms, code) |
| POST reset | remove every resource and operation; latency and faults back to the command-line values |
| POST seed | apply a seed topology (JSON body), upserting; returns counts |
| GET/POST faults | current spec and counts / ``{"spec": "..."}`` |
| GET/POST latency | ``{"seconds": x}`` (setting it turns a latency profile off) |
| GET/POST settings | latency, latency_profile, sparse_bodies, late_refusals, gateway_provisioning_seconds, page_size,
  token_lifetime |
| GET/POST features | subscription feature registrations / ``{"subscriptionId", "feature"?, "state"}`` sets one |
| POST gateway-provisioning | ``{"seconds": x}``: provisioning time of gateways created from now on |
| POST expire-tokens | every token issued so far is answered 401 ExpiredAuthenticationToken |
| POST operations/finish | complete every in-flight operation now (``{"outcome": "Failed"}`` to fail them) |
| GET  state | dump of identities (no secrets), resources, pending operations and settings |
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from ..faults import parse_spec
from ..http import Request, Response
from ..models.features import SUBNET_PEERING_FEATURE, parse_feature, parse_state
from ..models.operations import OUTCOME_FAIL, OUTCOME_SUCCEED
from ..rules import late_refusal_codes
from ..seed import SeedError
from ..timing import LatencyProfile

if TYPE_CHECKING:
    from ..app import Emulator

ADMIN_HEADER = "x-emulator-admin"


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"error": {"code": code, "message": message, "details": []}}, code=code)


def _number(body: Any, name: str) -> float:
    if not isinstance(body, dict) or not isinstance(body.get(name), int | float) or body[name] < 0:
        raise ValueError(f"expected a JSON body with a non-negative number '{name}'")
    return float(body[name])


def dispatch(emu: Emulator, req: Request) -> Response:
    route = "/".join(s.lower() for s in req.segments[1:])
    method = req.method
    if route == "health" and method == "GET":
        return Response(200, {"status": "ok", "arm_endpoint": emu.arm_endpoint, "data_dir": str(emu.data_dir)})
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
    except SeedError as exc:  # a ValueError too: caught first
        return _error(400, "InvalidSeed", str(exc))
    except ValueError as exc:
        return _error(400, "InvalidAdminRequest", str(exc))


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
            emu.settings.latency_profile = None  # "seconds each write takes from now on": a flat latency again
        return Response(200, {"seconds": emu.settings.latency})
    if route == "gateway-provisioning" and method == "POST":
        emu.settings.gateway_provisioning_seconds = _number(body, "seconds")
        return Response(200, {"seconds": emu.settings.gateway_provisioning_seconds})
    if route == "settings":
        if method == "POST":
            _apply_settings(emu, body)
        return Response(200, emu.settings_document())
    if route == "features":
        if method == "POST":
            return Response(200, _set_feature(emu, body))
        with emu.lock:
            listed = [f.to_wire() for s in emu.subscriptions() for f in emu.network.features(s["subscription_id"])]
        return Response(200, {"features": listed})
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


def _set_feature(emu: Emulator, body: Any) -> dict[str, Any]:
    """``{"subscriptionId", "feature" (default the subnet-peering one), "state"}``: a subscription's registration."""
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    subscription_id = body.get("subscriptionId")
    if not isinstance(subscription_id, str) or emu.network.subscription(subscription_id) is None:
        raise ValueError(f"'subscriptionId' must name a subscription of the emulator, got {subscription_id!r}")
    feature = parse_feature(body.get("feature", SUBNET_PEERING_FEATURE))
    state = parse_state(body.get("state"))
    with emu.lock:
        return emu.network.set_feature(subscription_id, feature, state).to_wire()


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body[name]
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("0", "1", "true", "false", "on", "off", ""):
        return value.strip().lower() in ("1", "true", "on")
    raise ValueError(f"'{name}' must be a boolean (true/false, 1/0)")


def _profile(body: dict[str, Any]) -> LatencyProfile | None:
    value = body["latency_profile"]
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "off")):
        return None
    if not isinstance(value, str):
        raise ValueError("'latency_profile' must be a string such as 'azure' or 'azure:0.01', or null")
    return LatencyProfile.parse(value)


def _apply_settings(emu: Emulator, body: Any) -> None:
    """Validate every value first, then apply: a bad value changes nothing."""
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    current = emu.settings
    latency = _number(body, "latency") if "latency" in body else current.latency
    profile = _profile(body) if "latency_profile" in body else current.latency_profile
    if "latency" in body and "latency_profile" not in body:
        profile = None  # a flat latency replaces the profile unless one is given alongside
    sparse = _flag(body, "sparse_bodies") if "sparse_bodies" in body else current.sparse_bodies
    gateway_seconds = (
        _number(body, "gateway_provisioning_seconds")
        if "gateway_provisioning_seconds" in body
        else current.gateway_provisioning_seconds
    )
    page_size = max(1, int(_number(body, "page_size"))) if "page_size" in body else current.page_size
    late = late_refusal_codes(body["late_refusals"]) if "late_refusals" in body else current.late_refusals
    lifetime = max(1.0, _number(body, "token_lifetime")) if "token_lifetime" in body else emu.tokens.lifetime
    current.latency, current.latency_profile, current.sparse_bodies = latency, profile, sparse
    current.gateway_provisioning_seconds, current.page_size = gateway_seconds, page_size
    current.late_refusals = late
    emu.tokens.lifetime = lifetime
