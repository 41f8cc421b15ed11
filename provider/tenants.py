"""Which tenant's token goes where: the tenant that owns a subscription, and the tokens that ride along with it.

ARM takes as the primary token (``Authorization``) only a token of the tenant that owns the subscription of the
resource being read or written. A token from any other tenant gets 401 ``InvalidAuthenticationTokenTenant`` with a
challenge naming the right one::

    WWW-Authenticate: Bearer authorization_uri="https://login.windows.net/<tenant>", error="invalid_token", ...

That challenge is how Azure clients find a subscription's tenant (azure-core's ARM challenge policies read the same
header; Azure CLI and PowerShell do the same through the subscription's ``tenantId``). The directory here remembers
the answer per subscription for the life of the process, so each subscription costs at most one challenge.

A cross-tenant peering then needs the other tenants of the pair as *auxiliary* tokens
(``x-ms-authorization-auxiliary``, at most 3): writing the partner's side of a pair takes the partner's token as
the primary one and the home tenant's as auxiliary, the reverse of the hub's side. Tokens are only ever asked of
tenants the user named (the home tenant and ``auxiliary_tenant_ids``): a challenge naming another tenant becomes an
error that says which tenant to add, never a silent token request to a tenant nobody configured.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from urllib.parse import urlsplit

from .errors import SettingsError
from .settings import MAX_AUXILIARY_TENANTS

_AUTHORIZATION_URI = re.compile(r'authorization_uri\s*=\s*"([^"]+)"', re.IGNORECASE)
_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)


def challenge_tenant(www_authenticate: str | None) -> str | None:
    """The tenant an ARM 401 challenge names (the last path segment of its ``authorization_uri``), if any."""
    if not www_authenticate:
        return None
    match = _AUTHORIZATION_URI.search(www_authenticate)
    if not match:
        return None
    segments = [s for s in urlsplit(match.group(1)).path.split("/") if s]
    return segments[0] if segments else None


def subscription_of(path_or_url: str) -> str | None:
    """The subscription id of an ARM resource path or URL (``/subscriptions/{id}/...``), lower-cased."""
    path = urlsplit(path_or_url).path if "://" in path_or_url else path_or_url
    match = _SUBSCRIPTION.match("/" + path.lstrip("/"))
    return match.group(1).lower() if match else None


class TenantDirectory:
    """Subscription -> owning tenant, as ARM's challenges said. Thread-safe."""

    def __init__(self) -> None:
        self._owners: dict[str, str] = {}
        self._lock = threading.Lock()

    def owner(self, subscription_id: str | None) -> str | None:
        if not subscription_id:
            return None
        with self._lock:
            return self._owners.get(subscription_id.lower())

    def learn(self, subscription_id: str, tenant_id: str) -> None:
        with self._lock:
            self._owners[subscription_id.lower()] = tenant_id


def tokens_for_request(owner: str | None, home: str | None, configured: Sequence[str]) -> tuple[str | None, list[str]]:
    """The primary tenant (None: the credential's home tenant) and the auxiliary tenants of one request.

    ``owner`` is the tenant that owns the resource's subscription when known; ``configured`` the peering's (or the
    stack's) ``auxiliary_tenant_ids``. Every tenant of the pair other than the primary one goes along as auxiliary,
    including the home tenant when the primary is a partner's.
    """
    primary = None if owner is None or _same(owner, home) else owner
    others = [home, *configured] if primary else list(configured)
    auxiliary: list[str] = []
    for tenant in others:
        if tenant and not _same(tenant, primary or home) and not any(_same(tenant, t) for t in auxiliary):
            auxiliary.append(tenant)
    if len(auxiliary) > MAX_AUXILIARY_TENANTS:
        raise SettingsError(
            f"this request needs tokens from {len(auxiliary) + 1} tenants ({', '.join([primary or 'home', *auxiliary])}"
            f"); ARM accepts at most {MAX_AUXILIARY_TENANTS} auxiliary tokens: list fewer auxiliary_tenant_ids"
        )
    return primary, auxiliary


def allowed(tenant: str, home: str | None, configured: Sequence[str]) -> bool:
    """Whether the user named this tenant (home or auxiliary), so that asking it for a token is expected."""
    return _same(tenant, home) or any(_same(tenant, t) for t in configured)


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()
