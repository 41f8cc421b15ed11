"""Bearer tokens on every ARM request: the primary token of the tenant that owns the resource's subscription, the
pair's other tenants as auxiliary tokens (``x-ms-authorization-auxiliary``), ARM's tenant challenge, stale tokens.

azure-mgmt-core's ``ARMChallengeAuthenticationPolicy`` (a ``BearerTokenCredentialPolicy``) holds one token for one
tenant and answers CAE claims challenges; its ``AuxiliaryAuthenticationPolicy`` a fixed list of credentials. A
peering needs per request what neither holds: which tenant's token is primary depends on the subscription of the
URL (learned from ARM's ``InvalidAuthenticationTokenTenant`` challenge, :mod:`provider.tenants`), and which tenants
ride along depends on the peering (its ``auxiliary_tenant_ids``), with tokens asked only of tenants the user named.
So :class:`TenantTokenPolicy` is ours, with the tokens of :class:`provider.auth.TokenSource` (azure-identity's
credentials and their caches).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import HTTPPolicy

from ..auth import AUXILIARY_HEADER, TokenSource
from ..errors import ArmAuthenticationError, TenantNotConfiguredError
from ..settings import Settings
from ..tenants import TenantDirectory, allowed, challenge_tenant, subscription_of, tokens_for_request
from .answers import error_from_response
from .options import call_of

log = logging.getLogger(__name__)

# 401 codes that a fresh token cures
STALE_TOKEN_CODES = frozenset({"ExpiredAuthenticationToken", "InvalidAuthenticationToken"})
# how many fresh tokens one attempt fetches when ARM keeps calling ours expired (clock skew, tokens revoked
# while we run); a fresh token ARM calls invalid is a configuration problem: one refresh only
EXPIRED_TOKEN_REFRESHES = 3


class TenantRouting:
    """Which tenant's token each request takes, from what ARM's challenges taught the process."""

    def __init__(self, settings: Settings, tokens: TokenSource, tenants: TenantDirectory) -> None:
        self._settings = settings
        self.tokens = tokens
        self._tenants = tenants

    def declared_owner(self, url: str, auxiliary_tenant_ids: Sequence[str]) -> str | None:
        """The tenant known to own the subscription of ``url`` (None: not known to be another tenant's),
        provided the request names it (home tenant or ``auxiliary_tenant_ids``); else
        :class:`TenantNotConfiguredError`.

        What one peering taught the process about a subscription's tenant must not let another peering, which
        does not name that tenant, read there: its preflight would pass on a token it never asked for, and its
        PUT, which needs that tenant's token as an auxiliary one, fail at ``pulumi up``. So every request, and
        every answer served from a cache (:class:`provider.vnet_facts.VnetCache`), is held to the tenants its own
        peering names, as a process that learned nothing would hold it through ARM's challenge.
        """
        subscription = subscription_of(url)
        owner = self._tenants.owner(subscription)
        if owner is not None and subscription and not allowed(owner, self.tokens.home_tenant(), auxiliary_tenant_ids):
            raise _undeclared_tenant(subscription, owner)
        return owner

    def headers(self, url: str, auxiliary_tenant_ids: Sequence[str]) -> dict[str, str]:
        """``Authorization`` and, when the pair spans tenants, ``x-ms-authorization-auxiliary`` for ``url``."""
        owner = self.declared_owner(url, auxiliary_tenant_ids)
        # the home tenant's id matters only once a subscription is known to be another tenant's
        home = self.tokens.home_tenant() if owner else self._settings.tenant_id
        primary, auxiliary = tokens_for_request(owner, home, auxiliary_tenant_ids)
        headers = {"Authorization": f"Bearer {self.tokens.token(primary)}"}
        aux = self.tokens.auxiliary_header(auxiliary)
        if aux:
            headers[AUXILIARY_HEADER] = aux
        return headers

    def learn_owner(self, exc: ArmAuthenticationError, url: str, configured: Sequence[str]) -> bool:
        """Whether a 401 named the tenant that owns the subscription, newly: then the next attempt uses it."""
        tenant = challenge_tenant(exc.challenge)
        subscription = subscription_of(url)
        if exc.code != "InvalidAuthenticationTokenTenant" or not tenant or not subscription:
            return False
        if self._tenants.owner(subscription) == tenant:
            return False  # that tenant's token was refused too: not a question of tenants
        if not allowed(tenant, self.tokens.home_tenant(), configured):
            raise _undeclared_tenant(subscription, tenant)
        log.info("subscription %s belongs to tenant %s; using that tenant's token for it", subscription, tenant)
        self._tenants.learn(subscription, tenant)
        return True


class TenantTokenPolicy(HTTPPolicy[Any, Any]):
    """Authorises each attempt (:class:`TenantRouting`); within the attempt, a token ARM calls stale (expired
    early, keys rolled) is replaced by a fresh one, and a token from the wrong tenant by one from the tenant ARM's
    challenge names. Any other 401 goes back up as ARM's answer."""

    def __init__(self, routing: TenantRouting) -> None:
        super().__init__()
        self._routing = routing

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        call = call_of(request)
        http_request = request.http_request
        for refresh in range(EXPIRED_TOKEN_REFRESHES + 1):
            http_request.headers.pop(AUXILIARY_HEADER, None)
            http_request.headers.update(self._routing.headers(http_request.url, call.auxiliary_tenant_ids))
            response = self.next.send(request)
            if response.http_response.status_code != 401:
                return response
            exc = error_from_response(response.http_response, http_request.method)
            if not isinstance(exc, ArmAuthenticationError):
                return response
            if self._routing.learn_owner(exc, http_request.url, call.auxiliary_tenant_ids):
                continue
            limit = EXPIRED_TOKEN_REFRESHES if exc.code == "ExpiredAuthenticationToken" else 1
            if exc.code not in STALE_TOKEN_CODES or refresh >= limit:
                return response
            log.info("%s %s: %s; fetching a new token", http_request.method, urlsplit(http_request.url).path, exc.code)
            self._routing.tokens.invalidate()
        return response


def _undeclared_tenant(subscription: str, tenant: str) -> TenantNotConfiguredError:
    return TenantNotConfiguredError(
        f"subscription {subscription} belongs to tenant {tenant} (ARM's authentication challenge names it), which "
        f"is neither the identity's home tenant nor in auxiliary_tenant_ids: add {tenant!r} to "
        "auxiliary_tenant_ids (or azure-peering:auxiliaryTenantIds) and grant the identity access there",
        tenant_id=tenant,
        subscription_id=subscription,
    )
