"""The Entra-shaped token service: OpenID discovery, JWKS and the client-credentials grant."""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from ..http import Request, Response

if TYPE_CHECKING:
    from ..app import Emulator

_RESERVED_SCOPES = {"openid", "profile", "offline_access"}


def _aad_error(status: int, error: str, code: int, description: str) -> Response:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    trace = str(uuid.uuid4())
    body = {
        "error": error,
        "error_description": f"AADSTS{code}: {description} Trace ID: {trace} Correlation ID: {uuid.uuid4()} "
        f"Timestamp: {now}",
        "error_codes": [code],
        "timestamp": now,
        "trace_id": trace,
        "correlation_id": str(uuid.uuid4()),
    }
    return Response(status, body, {"Cache-Control": "no-store"}, code=error)


def _unknown_tenant(tenant: str) -> Response:
    return _aad_error(
        400,
        "invalid_tenant",
        90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the "
        "correct cloud.",
    )


def openid_configuration(emu: Emulator, tenant: str, v2: bool) -> Response:
    if emu.tenant(tenant) is None:
        return _unknown_tenant(tenant)
    base = f"{emu.authority_host}/{tenant}"
    suffix = "/v2.0" if v2 else ""
    doc: dict[str, Any] = {
        "token_endpoint": f"{base}/oauth2{suffix}/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/discovery{suffix}/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/v2.0" if v2 else f"https://sts.windows.net/{tenant}/",
        "request_uri_parameter_supported": False,
        "authorization_endpoint": f"{base}/oauth2{suffix}/authorize",
        "device_authorization_endpoint": f"{base}/oauth2{suffix}/devicecode",
        "end_session_endpoint": f"{base}/oauth2{suffix}/logout",
        "tenant_region_scope": "EU",
        "cloud_instance_name": "arm-emulator.local",
        "cloud_graph_host_name": "graph.arm-emulator.local",
        "msgraph_host": "graph.arm-emulator.local",
    }
    return Response(200, doc)


def jwks(emu: Emulator, tenant: str) -> Response:
    if emu.tenant(tenant) is None:
        return _unknown_tenant(tenant)
    return Response(200, emu.tokens.jwks())


def token(emu: Emulator, tenant: str, req: Request, v2: bool) -> Response:
    """Client-credentials grant; the scope must be ``<resource>/.default`` (v2) or ``resource=`` (v1)."""
    form = dict(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
    client_id = form.get("client_id", "")
    secret = form.get("client_secret", "")
    auth = req.header("Authorization") or ""
    if auth.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            client_id, secret = client_id or user, secret or password
        except (ValueError, UnicodeDecodeError):
            pass
    if form.get("grant_type") != "client_credentials":
        return _aad_error(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{form.get('grant_type', '')}'.",
        )
    tenant_doc = emu.tenant(tenant)
    if tenant_doc is None:
        return _unknown_tenant(tenant)
    tenant_id = tenant_doc["tenant_id"]
    client = emu.client(client_id)
    if client is None or tenant_id not in client["tenants"]:
        return _aad_error(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory '{tenant_id}'. This can "
            "happen if the application has not been installed by the administrator of the tenant or consented to "
            "by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
        )
    if not secret or not hmac.compare_digest(secret.encode(), str(client["secret"]).encode()):
        return _aad_error(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
            f"value, not the client secret ID, for a secret added to app '{client_id}'.",
        )
    if v2:
        scopes = [s for s in form.get("scope", "").split() if s not in _RESERVED_SCOPES]
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            return _aad_error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {form.get('scope', '')} is not valid. Client credential flows must "
                "have a scope value with /.default suffixed to the resource identifier (application ID URI).",
            )
        resource = scopes[0][: -len("/.default")]
    else:
        resource = form.get("resource", "")
        if not resource:
            return _aad_error(
                400, "invalid_request", 900144, "The request body must contain the following parameter: 'resource'."
            )
    access_token, lifetime = emu.tokens.issue(tenant_id, client["client_id"], resource)
    body = {
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    }
    return Response(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})


def dispatch(emu: Emulator, req: Request) -> Response | None:
    """Identity routes under the authority host, or None when the path is not one of them."""
    seg = req.segments
    low = [s.lower() for s in seg]
    if len(seg) < 2:
        return None
    tenant = seg[0]
    rest = low[1:]
    if req.method == "GET" and rest in (["v2.0", ".well-known", "openid-configuration"],):
        return openid_configuration(emu, tenant, True)
    if req.method == "GET" and rest == [".well-known", "openid-configuration"]:
        return openid_configuration(emu, tenant, False)
    if req.method == "GET" and rest in (["discovery", "v2.0", "keys"], ["discovery", "keys"]):
        return jwks(emu, tenant)
    if req.method == "POST" and rest == ["oauth2", "v2.0", "token"]:
        return token(emu, tenant, req, True)
    if req.method == "POST" and rest == ["oauth2", "token"]:
        return token(emu, tenant, req, False)
    return None
