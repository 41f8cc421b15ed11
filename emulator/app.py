"""The emulator: wires store, identity, network service, faults and request log to the HTTPS server, and routes.

Request pipeline for ARM routes: fault draw -> authentication -> route -> api-version -> subscription/tenant ->
handler (under the state lock, after completing due operations) -> common headers -> request log.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import errors, ids, seed
from . import store as st
from .connection import CONNECTION_FILE, write_connection
from .faults import FaultInjector
from .handlers import (
    admin,
    features,
    gateways,
    identity,
    operations,
    peerings,
    resource_groups,
    virtual_networks,
)
from .handlers.common import ArmContext
from .http import RESET, EmulatorHTTPServer, Request, Response
from .identity import DEFAULT_TOKEN_LIFETIME, Claims, TokenService
from .models.gateways import Gateway
from .models.peerings import Peering
from .models.resource_groups import ResourceGroup
from .models.virtual_networks import VirtualNetwork
from .requestlog import RequestLog
from .rules import late_refusal_codes
from .services import NetworkService, Settings
from .timing import LatencyProfile
from .tls import ensure_tls_files, server_context

NETWORK_API_VERSIONS = (
    "2023-04-01", "2023-05-01", "2023-06-01", "2023-09-01", "2023-11-01",
    "2024-01-01", "2024-03-01", "2024-05-01", "2024-07-01", "2024-10-01",
    "2025-01-01", "2025-03-01", "2025-05-01", "2025-07-01", "2026-01-01", "2026-03-01",
)  # fmt: skip
RESOURCES_API_VERSIONS = (
    "2019-10-01", "2020-06-01", "2021-04-01", "2022-09-01", "2022-12-01", "2023-07-01",
    "2024-03-01", "2024-07-01", "2024-11-01", "2025-01-01", "2025-03-01", "2025-04-01",
)  # fmt: skip

# Microsoft.Features (subscription feature registrations); real clients (azure-mgmt-resource, az) send 2021-07-01
FEATURES_API_VERSIONS = ("2014-08-01-preview", "2015-12-01", "2021-07-01")

_RATE_LIMITS = {"reads": 11999, "writes": 1199, "deletes": 14999}

# What the ``html`` fault answers: the kind of page a gateway or proxy in front of ARM sends instead of a CloudError.
_BAD_GATEWAY_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><h1>502 Bad Gateway</h1><p>The server returned an invalid or incomplete response.</p></body></html>\n"
)
# What the ``html404`` fault answers: the 404 page of a gateway in front of ARM (Application Gateway's, as nginx
# renders it), sent before the request reaches ARM: not a CloudError, so it says nothing about the resource.
_GATEWAY_NOT_FOUND_PAGE = (
    "<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n"
    "<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\n</body>\n</html>\n"
)
# Request faults answered by a gateway before ARM: the response carries none of ARM's headers (request ids, rate
# limits). (``html`` keeps them, as it always has.)
_BEFORE_ARM = frozenset({"html404"})


def _truncate(response: Response) -> None:
    """The ``truncate`` fault: the response's JSON body cut in half (a connection cut short by a proxy)."""
    payload = response.encode()
    if payload:
        response.body = payload[: len(payload) // 2]


Handler = Callable[[ArmContext], Response]


def _not_allowed(ctx: ArmContext) -> Response:
    raise errors.method_not_allowed(ctx.req.method)


def _route_arm(req: Request) -> tuple[Handler, dict[str, str], str] | None:
    """(handler, path parameters, api family) for an ARM path, or None for an unknown one."""
    s = req.segments
    low = [x.lower() for x in s]
    n, m = len(s), req.method
    if n == 1:
        return (resource_groups.list_subscriptions if m == "GET" else _not_allowed, {}, "resources")
    if n == 2:
        return (resource_groups.get_subscription if m == "GET" else _not_allowed, {}, "resources")
    if low[2] == "resourcegroups":
        if n == 3:
            return (resource_groups.list_all if m == "GET" else _not_allowed, {}, "resources")
        rg = {"rg": s[3]}
        if n == 4:
            table: dict[str, Handler] = {
                "PUT": resource_groups.put, "GET": resource_groups.get, "HEAD": resource_groups.head,
            }  # fmt: skip
            return (table.get(m, _not_allowed), rg, "resources")
        if n < 7 or low[4] != "providers" or low[5] != "microsoft.network":
            return None
        kind = low[6]
        if kind == "virtualnetworks":
            if n == 7:
                return (virtual_networks.list_in_group if m == "GET" else _not_allowed, rg, "network")
            params = {**rg, "vnet": s[7]}
            if n == 8:
                table = {"PUT": virtual_networks.put, "GET": virtual_networks.get, "DELETE": virtual_networks.delete}
                return (table.get(m, _not_allowed), params, "network")
            if low[8] == "virtualnetworkpeerings":
                if n == 9:
                    return (peerings.list_all if m == "GET" else _not_allowed, params, "network")
                if n == 10:
                    table = {"PUT": peerings.put, "GET": peerings.get, "DELETE": peerings.delete}
                    return (table.get(m, _not_allowed), {**params, "peering": s[9]}, "network")
            if low[8] == "subnets" and n == 10 and m == "GET":
                return virtual_networks.get_subnet, {**params, "subnet": s[9]}, "network"
            return None
        if kind == "virtualnetworkgateways":
            if n == 7:
                return (gateways.list_in_group if m == "GET" else _not_allowed, rg, "network")
            if n == 8:
                table = {"PUT": gateways.put, "GET": gateways.get, "DELETE": gateways.delete}
                return (table.get(m, _not_allowed), {**rg, "gateway": s[7]}, "network")
        return None
    if low[2] == "providers" and n >= 5 and low[3] == "microsoft.features":
        return _route_features(s, low, m)
    if low[2] == "providers" and n >= 5 and low[3] == "microsoft.network":
        if n == 5 and low[4] == "virtualnetworks" and m == "GET":
            return virtual_networks.list_in_subscription, {}, "network"
        if n == 8 and low[4] == "locations" and m == "GET":
            params = {"location": s[5], "operation": s[7]}
            if low[6] == "operations":
                return operations.status, params, "network"
            if low[6] == "operationresults":
                return operations.result, params, "network"
    return None


def _route_features(s: list[str], low: list[str], m: str) -> tuple[Handler, dict[str, str], str] | None:
    """``/subscriptions/{s}/providers/Microsoft.Features/...``: feature registrations of the subscription."""
    n = len(s)
    if n == 5 and low[4] == "features":
        return (features.list_all if m == "GET" else _not_allowed, {}, "features")
    if n < 7 or low[4] != "providers" or low[6] != "features":
        return None
    params = {"namespace": s[5]}
    if n == 7:
        return (features.list_in_namespace if m == "GET" else _not_allowed, params, "features")
    params["feature"] = s[7]
    if n == 8:
        return (features.get if m == "GET" else _not_allowed, params, "features")
    if n == 9 and low[8] in ("register", "unregister"):
        action = features.register if low[8] == "register" else features.unregister
        return (action if m == "POST" else _not_allowed, params, "features")
    return None


def _resource_type(req: Request) -> str:
    low = [x.lower() for x in req.segments]
    if "providers" in low:
        i = low.index("providers")
        return "/".join(req.segments[i + 2 :: 2]) or "unknown"
    return "/".join(req.segments[2::2]) or "subscriptions"


def _action(req: Request) -> str:
    """The RBAC action a request needs: its resource type's ``read``, ``delete`` or ``write``."""
    verb = {"GET": "read", "HEAD": "read", "DELETE": "delete"}.get(req.method, "write")
    low = [x.lower() for x in req.segments]
    namespace = req.segments[low.index("providers") + 1] if "providers" in low else "Microsoft.Resources"
    return f"{namespace}/{_resource_type(req)}/{verb}"


class Emulator:
    """One emulator instance bound to a data directory and a loopback port."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        faults: str = "",
        token_lifetime: float = DEFAULT_TOKEN_LIFETIME,
        page_size: int = 50,
        gateway_provisioning_seconds: float = 0.0,
        latency_profile: LatencyProfile | None = None,
        sparse_bodies: bool = False,
        late_refusals: Sequence[str] = (),
        plain_http: bool = False,
        seed_path: Path | None = None,
        reset: bool = False,
        log: Callable[[str], None] = print,
    ) -> None:
        host = "127.0.0.1" if host == "localhost" else host
        try:
            if not ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).version != 4:
                raise ValueError
        except ValueError:
            raise ValueError(f"the emulator listens on IPv4 loopback only (127.0.0.0/8), not {host!r}") from None
        self.log = log
        self.data_dir = Path(data_dir).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        (self.data_dir / CONNECTION_FILE).unlink(missing_ok=True)  # stale: waiters must see only this run's file
        self.lock = threading.RLock()
        self.store = st.SqliteStore(self.data_dir / "state.sqlite3")
        self.settings = Settings(
            latency,
            gateway_provisioning_seconds,
            page_size,
            latency_profile,
            sparse_bodies,
            late_refusal_codes(late_refusals),
        )
        self._startup_settings = Settings(**vars(self.settings))
        self._startup_faults = faults
        self._startup_token_lifetime = token_lifetime
        self.faults = FaultInjector(faults)
        self.requests = RequestLog(self.data_dir / "requests.sqlite3")
        self.tls = ensure_tls_files(self.data_dir)
        self.server = EmulatorHTTPServer((host, port), server_context(self.tls), self.dispatch, self.record)
        self.port = int(self.server.server_address[1])
        self.arm_endpoint = f"https://{host}:{self.port}"
        self.authority_host = self.arm_endpoint
        # ``plain_http``: the same ARM (and token service) on a second loopback port without TLS, for clients that
        # allow http there (the provider's allowInsecureLoopback); tokens for either origin are accepted on both
        self.plain_server = EmulatorHTTPServer((host, 0), None, self.dispatch, self.record) if plain_http else None
        self.plain_http_endpoint = self.plain_server.origin if self.plain_server is not None else None
        self.tokens = TokenService(
            self.data_dir / "token-signing-key.pem",
            authority_host=self.authority_host,
            arm_endpoint=self.arm_endpoint,
            lifetime=token_lifetime,
            plain_http_endpoint=self.plain_http_endpoint,
        )
        self.network = NetworkService(self.store, self.settings)
        admin_key = self.store.get_meta("admin_key")
        if not admin_key:
            admin_key = secrets.token_urlsafe(24)
            self.store.set_meta("admin_key", admin_key)
        self.admin_key: str = str(admin_key)
        self._rate: dict[tuple[str, str], list[float]] = {}
        self._initialise(seed_path, reset)

    # --- lifecycle ---------------------------------------------------------------------------------------------

    def _initialise(self, seed_path: Path | None, reset: bool) -> None:
        fresh = self.store.count(st.TENANT) == 0
        if reset:
            self.store.clear(st.RESOURCE_KINDS)
            self.requests.clear()
            self.network.reload()
        if fresh or reset:
            topology = seed.load(seed_path or seed.MINIMAL_SEED)
            with self.lock:
                seed.apply_identities(self.store, topology)
                seed.apply_resources(self, topology)
        elif seed_path is not None:
            self.log(
                f"emulator: {self.data_dir} already has state; --seed is applied only to a new or --reset data dir"
            )

    def write_connection_file(self) -> Path:
        return write_connection(self.data_dir, self.connection_document())

    def serve_forever(self) -> None:
        """Announce (connection.json) and serve until shutdown()."""
        self.write_connection_file()
        self.log(f"emulator: serving ARM and the token service on {self.arm_endpoint} (data: {self.data_dir})")
        if self.plain_server is not None:
            self.log(f"emulator: and without TLS on {self.plain_http_endpoint}")
            threading.Thread(
                target=self.plain_server.serve_forever, kwargs={"poll_interval": 0.2}, name="arm-plain", daemon=True
            ).start()
        self.server.serve_forever(poll_interval=0.2)

    def start_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="arm-emulator", daemon=True)
        thread.start()
        return thread

    def shutdown(self) -> None:
        self.server.shutdown()
        if self.plain_server is not None:
            self.plain_server.shutdown()
        self.close()

    def close(self) -> None:
        self.server.server_close()
        if self.plain_server is not None:
            self.plain_server.server_close()
        self.requests.close()
        self.store.close()

    def reset(self) -> None:
        """Remove every resource and operation; identities stay. Settings (latency and its profile, sparse bodies,
        ...), faults and the token lifetime return to their startup values."""
        with self.lock:
            self.store.clear(st.RESOURCE_KINDS)
            self.network.reload()
            for name, value in vars(self._startup_settings).items():
                setattr(self.settings, name, value)
            self.faults.set(self._startup_faults)
            self.tokens.not_before = 0.0
            self.tokens.lifetime = self._startup_token_lifetime

    def apply_seed(self, topology: dict[str, Any]) -> dict[str, int]:
        with self.lock:
            self.network.advance()
            with self.store.transaction():
                seed.apply_identities(self.store, topology)
            counts = seed.apply_resources(self, topology)
        self.write_connection_file()
        return counts

    # --- directory ---------------------------------------------------------------------------------------------

    def tenant(self, tenant: str) -> dict[str, Any] | None:
        return self.store.get(st.TENANT, tenant.lower())

    def client(self, client_id: str) -> dict[str, Any] | None:
        return self.store.get(st.CLIENT, client_id.lower())

    def subscriptions(self) -> list[dict[str, Any]]:
        return self.store.all(st.SUBSCRIPTION)

    def connection_document(self) -> dict[str, Any]:
        with self.lock:  # a seed may be adding identities concurrently
            tenants = sorted(self.store.all(st.TENANT), key=lambda t: (not t["primary"], t["order"]))
            clients = self.store.all(st.CLIENT)
            subs = self.subscriptions()
        entries = []
        for t in tenants:
            for c in clients:
                if t["tenant_id"] in c["tenants"]:
                    entries.append(
                        {
                            "tenant_id": t["tenant_id"],
                            "display_name": t["display_name"],
                            "client_id": c["client_id"],
                            "client_secret": c["secret"],
                            "subscriptions": [s["subscription_id"] for s in subs if s["tenant_id"] == t["tenant_id"]],
                        }
                    )
        return {
            "arm_endpoint": self.arm_endpoint,
            **({"plain_http_endpoint": self.plain_http_endpoint} if self.plain_http_endpoint else {}),
            "authority_host": self.authority_host,
            "ca_bundle": str(self.tls.ca),
            "ca_bundle_with_system_roots": str(self.tls.bundle),
            "admin_key": self.admin_key,
            "tenants": entries,
            "api_version": "2025-05-01",
            "data_dir": str(self.data_dir),
            "pid": os.getpid(),
        }

    def settings_document(self) -> dict[str, Any]:
        return {
            "latency": self.settings.latency,
            "gateway_provisioning_seconds": self.settings.gateway_provisioning_seconds,
            "page_size": self.settings.page_size,
            "token_lifetime": self.tokens.lifetime,
            "latency_profile": profile.spec if (profile := self.settings.latency_profile) is not None else None,
            "sparse_bodies": self.settings.sparse_bodies,
            "late_refusals": list(self.settings.late_refusals),
        }

    def state_dump(self) -> dict[str, Any]:
        with self.lock:
            net = self.network
            net.advance()
            return {
                "tenants": [{k: v for k, v in t.items() if k != "secret"} for t in self.store.all(st.TENANT)],
                "clients": [{k: v for k, v in c.items() if k != "secret"} for c in self.store.all(st.CLIENT)],
                "subscriptions": self.subscriptions(),
                "resourceGroups": [ResourceGroup.from_doc(d).to_wire() for d in self.store.all(st.RESOURCE_GROUP)],
                "virtualNetworks": [net.render_vnet(VirtualNetwork.from_doc(d)) for d in self.store.all(st.VNET)],
                "virtualNetworkGateways": [
                    Gateway.from_doc(d).to_wire(d["provisioning_state"]) for d in self.store.all(st.GATEWAY)
                ],
                "virtualNetworkPeerings": [net.render_peering(Peering.from_doc(d)) for d in self.store.all(st.PEERING)],
                "features": [f.to_wire() for sub in self.subscriptions() for f in net.features(sub["subscription_id"])],
                "pendingOperations": [d for d in self.store.all(st.OPERATION) if d["status"] == "InProgress"],
                "settings": self.settings_document(),
                "faults": self.faults.describe(),
            }

    # --- requests ----------------------------------------------------------------------------------------------

    def dispatch(self, req: Request) -> Response:
        first = req.segments[0].lower() if req.segments else ""
        if first == "_emulator":
            return admin.dispatch(self, req)
        fault = self.faults.for_request(req.method, req.path)
        if fault == "reset":
            return Response(0, action=RESET, fault=fault)
        if first == "subscriptions":
            response = self._arm(req, fault)
        else:
            response = (
                self._faulted(fault)
                or identity.dispatch(self, req)
                or Response(
                    404,
                    {"error": {"code": "NotFound", "message": f"No route for {req.method} {req.path}.", "details": []}},
                    code="NotFound",
                )
            )
        if fault == "slow":
            response.delay = self.faults.spec.slow_seconds
        if fault == "reset_after":
            response.action = RESET
        if fault == "truncate":
            _truncate(response)
        response.fault = fault
        return response

    def _faulted(self, fault: str | None) -> Response | None:
        if fault == "html":
            return Response(502, _BAD_GATEWAY_PAGE, content_type="text/html; charset=utf-8", code="BadGateway")
        if fault == "html404":
            # ``code`` names the fault in the request log only: no ARM code is sent
            return Response(404, _GATEWAY_NOT_FOUND_PAGE, content_type="text/html", code="GatewayNotFound")
        try:
            if fault == "429":
                raise errors.too_many_requests(self.faults.spec.retry_after, "Requests")
            if fault == "409":
                raise errors.another_operation_in_progress(
                    f"{self.arm_endpoint}/providers/Microsoft.Network/locations/westeurope/operations/{ids.new_guid()}"
                )
            if fault == "500":
                raise errors.internal_server_error(ids.new_guid())
            if fault == "503":
                raise errors.service_unavailable(self.faults.spec.retry_after)
        except errors.ArmError as exc:
            return Response.error(exc)
        return None

    def _authenticate(self, req: Request, force_expired: bool) -> Claims:
        header = req.header("Authorization")
        if not header:
            raise errors.authentication_failed_missing(self.authority_host)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.authentication_failed_format(self.authority_host)
        claims = self.tokens.validate(token.strip())
        if force_expired:
            now = time.time()
            raise errors.expired_authentication_token(self.authority_host, now - 1, now)
        if self.tenant(claims.tenant_id) is None:
            raise errors.invalid_authentication_token(self.authority_host, "Unknown tenant.")
        return claims

    def _rate_headers(self, subscription_id: str, method: str) -> dict[str, str]:
        kind = "reads" if method in ("GET", "HEAD") else "deletes" if method == "DELETE" else "writes"
        now = time.time()
        entry = self._rate.setdefault((subscription_id, kind), [now, float(_RATE_LIMITS[kind])])
        if now - entry[0] >= 3600:
            entry[0], entry[1] = now, float(_RATE_LIMITS[kind])
        entry[1] = max(0.0, entry[1] - 1)
        return {f"x-ms-ratelimit-remaining-subscription-{kind}": str(int(entry[1]))}

    def _arm(self, req: Request, fault: str | None) -> Response:
        response = self._faulted(fault)
        if response is not None and fault in _BEFORE_ARM:
            return response  # a gateway's own page: none of ARM's headers
        request_id = ids.new_guid()
        headers = {
            "x-ms-request-id": request_id,
            "x-ms-correlation-request-id": req.header("x-ms-correlation-request-id") or request_id,
            "x-ms-routing-request-id": f"LOCAL:{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}:{request_id}",
        }
        client_request_id = req.header("x-ms-client-request-id")
        if client_request_id:
            headers["x-ms-client-request-id"] = client_request_id
        subscription_id = req.segments[1].lower() if len(req.segments) > 1 else ""
        try:
            if response is None:
                response = self._arm_inner(req, fault, subscription_id)
        except errors.ArmError as exc:
            response = Response.error(exc)
        response.headers.update(headers)
        if subscription_id:
            response.headers.update(self._rate_headers(subscription_id, req.method))
        return response

    def _arm_inner(self, req: Request, fault: str | None, subscription_id: str) -> Response:
        claims = self._authenticate(req, force_expired=fault == "expire")
        if fault == "403":
            raise errors.authorization_failed(claims.client_id, claims.object_id, _action(req), req.path)
        api_version = req.query.get("api-version")
        route = _route_arm(req)
        if route is None:
            raise errors.invalid_resource_type(_resource_type(req), api_version or "")
        handler, params, family = route
        if not api_version:
            raise errors.missing_api_version()
        supported: tuple[str, ...]
        if family == "network":
            supported = NETWORK_API_VERSIONS
        elif family == "features":
            supported = FEATURES_API_VERSIONS
        else:
            supported = RESOURCES_API_VERSIONS + NETWORK_API_VERSIONS
        if api_version not in supported:
            raise errors.invalid_api_version(api_version, sorted(set(supported), reverse=True))
        if subscription_id:
            if not ids.is_guid(subscription_id):
                raise errors.ArmError(
                    400,
                    "InvalidSubscriptionId",
                    f"The provided subscription identifier '{req.segments[1]}' is malformed or invalid.",
                )
            sub = self.network.subscription(subscription_id)
            if sub is None:
                raise errors.subscription_not_found(subscription_id)
            if sub["tenant_id"] != claims.tenant_id:
                raise errors.invalid_authentication_token_tenant(
                    self.authority_host, claims.tenant_id, sub["tenant_id"]
                )
        ctx = ArmContext(self, req, claims, subscription_id, api_version, params)
        with self.lock:
            self.network.advance()
            return handler(ctx)

    def record(self, req: Request, response: Response, latency_ms: float) -> None:
        if req.segments and req.segments[0].lower() == "_emulator":
            return
        code = response.code
        if code is None and response.status >= 400 and isinstance(response.body, dict):
            err = response.body.get("error")
            code = err.get("code") if isinstance(err, dict) else (err if isinstance(err, str) else None)
        self.requests.record(
            time=time.time(),
            method=req.method,
            path=req.path,
            query=req.raw_query,
            status=0 if response.action == RESET else response.status,
            latency_ms=latency_ms,
            code=code,
            fault=response.fault,
        )
