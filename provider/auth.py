"""Credentials and tokens for ARM, including auxiliary tokens for cross-tenant peering.

Credentials are built once per process for each distinct set of settings and kept by the process's
:class:`~.runtime.Runtime` (its ARM connections), never on the provider object (which is pickled into state).
azure-identity caches tokens inside each credential.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from azure.core.credentials import AccessToken
from azure.core.exceptions import AzureError, ClientAuthenticationError

from .errors import CredentialError, SettingsError, one_line
from .settings import MAX_AUXILIARY_TENANTS, Settings

AUXILIARY_HEADER = "x-ms-authorization-auxiliary"

# azure-identity and MSAL log every failed token request at WARNING. With no logging configured (a Pulumi program,
# the provider's process) Python's last-resort handler prints those to stderr, and the CLI shows each as a line of
# its own: the same AADSTS error once per vnet read. The provider reports a credential failure itself, once per
# tenant, with the fix; these handlers only stop the last-resort printing. A program that configures logging still
# gets the records through propagation.
for _name in ("azure.identity", "msal"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


class TokenCredential(Protocol):
    """What the provider needs from an azure-identity credential."""

    def get_token(self, *scopes: str, tenant_id: str | None = None, **kwargs: Any) -> AccessToken: ...


def build_credential(settings: Settings) -> TokenCredential:
    """A credential for the settings: explicit client credentials when configured, else DefaultAzureCredential.

    A custom authority host (the emulator, a sovereign cloud we do not know) needs instance discovery off,
    otherwise MSAL asks the public cloud about it.
    """
    from azure.identity import ClientSecretCredential, DefaultAzureCredential

    kwargs: dict[str, Any] = {
        "authority": settings.authority_host,
        # cross-tenant peering asks for tokens from the auxiliary tenants with the same identity
        "additionally_allowed_tenants": ["*"],
    }
    if settings.custom_authority:
        kwargs["disable_instance_discovery"] = True
    if settings.ca_bundle:
        kwargs["connection_verify"] = settings.ca_bundle
    if settings.client_secret:
        if not settings.tenant_id or not settings.client_id:
            raise SettingsError(
                "a client secret is configured but tenantId/clientId are missing: set azure-peering:tenantId and "
                "azure-peering:clientId (or AZURE_TENANT_ID and AZURE_CLIENT_ID)"
            )
        return ClientSecretCredential(settings.tenant_id, settings.client_id, settings.client_secret, **kwargs)
    if settings.tenant_id:
        # DefaultAzureCredential takes no tenant_id; each chained credential has its own keyword
        for key in ("workload_identity_tenant_id", "shared_cache_tenant_id", "interactive_browser_tenant_id"):
            kwargs[key] = settings.tenant_id
    if settings.client_id:
        kwargs["managed_identity_client_id"] = settings.client_id
        kwargs["workload_identity_client_id"] = settings.client_id
    if _empty_secret_in_environment():
        kwargs["exclude_environment_credential"] = True
    return DefaultAzureCredential(**kwargs)


def _empty_secret_in_environment() -> bool:
    """AZURE_CLIENT_SECRET set but empty (a CI secret that is not defined comes through as ""), with AZURE_CLIENT_ID
    and AZURE_TENANT_ID set: the provider reads an empty secret as none and builds DefaultAzureCredential, whose
    EnvironmentCredential would take the variable as a secret and fail to build (ValueError) before any other
    credential of the chain (a managed identity, a workload identity, az login) is tried."""
    variables = ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID")
    return all(os.environ.get(v) is not None for v in variables) and not os.environ["AZURE_CLIENT_SECRET"].strip()


#: What a token request that never reached the authority says (urllib3's and the OS's words, in the message
#: azure-core's transport passes on): a wrong or stale authority host, not a credential problem.
_UNREACHABLE = (
    "Connection refused",
    "Failed to establish a new connection",
    "Name or service not known",
    "nodename nor servname",
    "Temporary failure in name resolution",
    "timed out",
    "Max retries exceeded",
)


def _token_fix(problem: str, tenant_id: str | None, authority_host: str) -> str:
    """What to do about a failed token request, by what failed."""
    if any(words in problem for words in _UNREACHABLE):
        return (
            f"the authority {authority_host} could not be reached: check azure-peering:authorityHost (or "
            "AZURE_AUTHORITY_HOST); after a restart of the local emulator, which may listen on a new port, run "
            '`eval "$(azure-peering-emulator env)"` again (or unset its variables for real Azure: '
            '`eval "$(azure-peering-emulator env --unset)"`)'
        )
    if tenant_id and ("AADSTS700016" in problem or "AADSTS90002" in problem):
        # the application is not in that tenant (or the tenant does not exist)
        return (
            f"the identity cannot sign in to tenant {tenant_id}: register the (multi-tenant) application there and "
            "grant it admin consent, or remove the tenant from auxiliary_tenant_ids"
        )
    if "CERTIFICATE_VERIFY_FAILED" in problem or "SSL" in problem:
        return (
            "the authority's TLS certificate is not trusted: set azure-peering:caBundle (or REQUESTS_CA_BUNDLE) to "
            "the CA that signed it (verification cannot be turned off)"
        )
    return (
        "set azure-peering:tenantId/clientId/clientSecret, the AZURE_* environment variables, or sign in with az login"
    )


class TokenSource:
    """Bearer tokens for one set of settings: the home tenant's, and auxiliary tenants' for cross-tenant writes."""

    def __init__(self, settings: Settings, credential: TokenCredential | None = None) -> None:
        self._settings = settings
        self._credential = credential
        self._rebuildable = credential is None
        self._lock = threading.Lock()
        self._tenant_locks: dict[str | None, threading.Lock] = {}
        self._home_tenant: str | None = None
        # A tenant whose token Entra refused stays refused for this process (a wrong secret, an app not in that
        # tenant): asking again per vnet would only repeat the same error, and the same log lines.
        self._refused: dict[str | None, CredentialError] = {}

    def __repr__(self) -> str:
        return f"TokenSource(scope={self._settings.token_scope!r})"

    def _get_credential(self) -> TokenCredential:
        with self._lock:
            if self._credential is None:
                self._credential = build_credential(self._settings)
            return self._credential

    def invalidate(self) -> None:
        """Forget cached tokens (ARM said ours expired or is invalid): the next token comes fresh from Entra."""
        with self._lock:
            if self._rebuildable:
                self._credential = None
            self._refused.clear()

    def token(self, tenant_id: str | None = None) -> str:
        """An access token for ARM, from the home tenant or from ``tenant_id``."""
        credential = self._get_credential()
        with self._lock:
            tenant_lock = self._tenant_locks.setdefault(tenant_id, threading.Lock())
        # One fetch per tenant at a time: the engine's 4 threads would otherwise each ask Entra for the same token
        # (and its metadata) at start-up; the credential's cache serves the others once the first returns.
        with tenant_lock:
            refused = self._refused.get(tenant_id)
            if refused is not None:
                raise CredentialError(str(refused)) from None
            return self._fetch(credential, tenant_id)

    def _fetch(self, credential: TokenCredential, tenant_id: str | None) -> str:
        try:
            if tenant_id:
                access = credential.get_token(self._settings.token_scope, tenant_id=tenant_id)
            else:
                access = credential.get_token(self._settings.token_scope)
        except AzureError as exc:  # ClientAuthenticationError, and transport errors some credentials let through
            where = f" for tenant {tenant_id}" if tenant_id else ""
            text = one_line(str(exc.message or exc))
            first = text.split(". ")[0][:300]
            fix = _token_fix(text, tenant_id, self._settings.authority_host)
            error = CredentialError(f"could not get an ARM token{where} ({first}): {fix}")
            if isinstance(exc, ClientAuthenticationError):
                self._refused[tenant_id] = error
            raise error from None
        return access.token

    def authorization(self) -> str:
        return f"Bearer {self.token()}"

    def home_tenant(self) -> str | None:
        """The tenant the credential signs in to: the configured tenant id, else the ``tid`` of its token (a
        DefaultAzureCredential picks its tenant itself: az login, a managed identity)."""
        if self._settings.tenant_id:
            return self._settings.tenant_id
        if self._home_tenant is None:
            self._home_tenant = token_tenant(self.token())
        return self._home_tenant

    def auxiliary_header(self, tenant_ids: Sequence[str]) -> str | None:
        """The value of ``x-ms-authorization-auxiliary`` for the given tenants (at most 3), or None."""
        tenants = [t for t in dict.fromkeys(tenant_ids) if t]
        if not tenants:
            return None
        if len(tenants) > MAX_AUXILIARY_TENANTS:
            raise SettingsError(f"ARM accepts auxiliary tokens from at most {MAX_AUXILIARY_TENANTS} tenants")
        return ", ".join(f"Bearer {self.token(t)}" for t in tenants)


def token_tenant(token: str) -> str | None:
    """The ``tid`` claim of an access token (read, not verified: it only picks which tenant we are in)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    tenant = claims.get("tid") if isinstance(claims, dict) else None
    return tenant if isinstance(tenant, str) else None
