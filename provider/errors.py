"""The provider's exceptions, and the one-line messages users see.

ARM errors carry the HTTP status, the ARM error ``code`` and ``message`` and the request id. ``hint_for`` holds, in
one place, what a user should do about each ARM code we know of.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Mapping
from typing import Any

# Codes ARM returns for conditions that clear by themselves; retried with backoff.
TRANSIENT_ARM_CODES = frozenset(
    {
        "AnotherOperationInProgress",
        "ReferencedResourceNotProvisioned",
        "RetryableError",
        "RetryableErrorDueToAnotherOperation",
        "TooManyRequests",
        "InternalServerError",
    }
)

# The codes with which ARM itself says that a resource does not exist: the network RP's NotFound for a missing child
# (a peering of an existing vnet), ARM's ResourceNotFound for a missing resource (the vnet), and the codes for a
# missing parent. Only a 404 whose body is ARM's CloudError ({"error": {"code": ...}}) with one of these codes means
# "gone" (ArmNotFoundError). Any other 404 (a gateway's or proxy's HTML page, an empty body, JSON of another shape)
# says nothing about the resource: reading it as "gone" would drop a peering from the state on refresh, report a
# delete done, or clear a pending create (docs/ownership.md). The codes are those real ARM answers (docs/emulator.md,
# "What real Azure does, and where it came from").
ARM_NOT_FOUND_CODES = frozenset(
    {
        "NotFound",
        "ResourceNotFound",
        "ResourceGroupNotFound",
        "ParentResourceNotFound",
        "SubscriptionNotFound",
    }
)

_HINTS: Mapping[str, str] = {
    "VnetAddressSpacesOverlap": "give the two virtual networks address spaces that do not overlap",
    "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet": (
        "a vnet already peered to the remote overlaps this one: change one address space or remove that peering"
    ),
    "RemoteVnetHasNoGateways": ("create a gateway in the remote vnet first, or set use_remote_gateways=False"),
    "RemotePeeringIsDisconnected": (
        "the remote vnet's peering back to this one is Disconnected: update or re-create it, then retry"
    ),
    "RemotePeeringDoesNotAllowGatewayTransit": (
        "set allow_gateway_transit=True on the remote vnet's peering back to this one, and create it first"
    ),
    "OnlyOnePeeringCanUseRemoteGateways": "only one peering of a vnet may set use_remote_gateways=True",
    "CannotUseRemoteGatewaysWhenVnetHasGateway": "a vnet with its own gateway cannot use remote gateways",
    "CannotPeerVirtualNetworkWithItself": "point remote_virtual_network_id at another vnet",
    "SubnetNotFoundForSubnetPeering": "check local_subnet_names / remote_subnet_names against the vnets' subnets",
    "PeeredAddressPrefixNotInVnet": "local_address_space / remote_address_space must lie inside the vnets' spaces",
    "ChangingRemoteVirtualNetworkNotAllowed": "a peering's remote vnet cannot change: replace the peering",
    "AnotherPeeringAlreadyReferencesRemoteVnet": (
        "another peering of this vnet already points at that remote vnet: remove it or adopt it "
        "(adopt_existing=True with its name)"
    ),
    "LinkedAuthorizationFailed": (
        "the remote vnet is in another tenant: add its tenant id to auxiliary_tenant_ids "
        "(or azure-peering:auxiliaryTenantIds) and grant the identity peer/action on the remote vnet"
    ),
    "AuthorizationFailed": (
        "grant the identity Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write on the local vnet and "
        "Microsoft.Network/virtualNetworks/peer/action on the remote vnet"
    ),
    "AuthenticationFailed": "check azure-peering:tenantId/clientId/clientSecret or the AZURE_* environment",
    "InvalidAuthenticationToken": "check azure-peering:armEndpoint/authorityHost/cloud point at the same cloud",
    "ExpiredAuthenticationToken": "sign in again (az login) or refresh the client secret",
    "ResourceNotFound": "check the virtual network id (subscription, resource group and name)",
    "ResourceGroupNotFound": "check the resource group in the virtual network id",
    "NotFound": "check the virtual network id (subscription, resource group and name)",
    "AnotherOperationInProgress": "another write to this vnet is running: retry when it has finished",
    "ReferencedResourceNotProvisioned": "a vnet involved is still being provisioned: retry when it is Succeeded",
    "RetryableError": "ARM asked to retry later",
    "SubscriptionNotRegistered": "register the Microsoft.Network resource provider in the subscription",
    "SubscriptionNotRegisteredForFeature": (
        "register the feature the message names in that subscription; for subnet peering (peer_complete_vnets=false): "
        "az feature register --namespace Microsoft.Network --name AllowMultiplePeeringLinksBetweenVnets "
        "--subscription <subscription>, wait until `az feature show` reads Registered, then "
        "az provider register -n Microsoft.Network --subscription <subscription>"
    ),
}


def hint_for(code: str | None) -> str | None:
    """What to do about an ARM error code, if we know."""
    return _HINTS.get(code or "")


#: What real ARM is known to say when a peering sets ``useRemoteGateways`` while the remote vnet's peering back does
#: not allow gateway transit: "Peering-to-Gateway cannot have UseRemoteGateways flag set to true, because
#: corresponding remote peering has AllowGatewayTransit flag set to false." (reported in hashicorp/terraform#20298).
#: The code that comes with it is not known, so this refusal is recognised by its text.
TRANSIT_REFUSAL_TEXT = "corresponding remote peering has AllowGatewayTransit flag set to false"


#: The rule ARM applies to a second ``useRemoteGateways`` of one vnet, in the REST API's own words (the description
#: of ``useRemoteGateways`` in the network specification, 2025-05-01). The code and message of its refusal are not
#: known: messages quote this rule instead of naming a code.
ONE_REMOTE_GATEWAY_RULE = "Only one peering can have this flag set to true"
#: How messages say the transit refusal: ARM's known text, quoted (see TRANSIT_REFUSAL_TEXT).
TRANSIT_REFUSAL_QUOTED = (
    f'"Peering-to-Gateway cannot have UseRemoteGateways flag set to true, because {TRANSIT_REFUSAL_TEXT}"'
)
#: How messages say the one-gateway rule: the API's words, quoted.
ONE_REMOTE_GATEWAY_QUOTED = f'the API: "{ONE_REMOTE_GATEWAY_RULE}"'


def refuses_remote_gateways_without_transit(exc: BaseException) -> bool:
    """Whether ARM refused ``useRemoteGateways`` because the remote side's peering does not allow gateway transit
    (by the known text, whatever code came with it)."""
    return isinstance(exc, ArmError) and TRANSIT_REFUSAL_TEXT.lower() in (exc.message or "").lower()


def hint_for_error(exc: ArmError) -> str | None:
    """What to do about an ARM error: by its code, else by a text whose code is not known."""
    if refuses_remote_gateways_without_transit(exc):
        return _HINTS["RemotePeeringDoesNotAllowGatewayTransit"]
    return hint_for(exc.code)


class PeeringError(Exception):
    """Base of every error the provider raises on purpose."""


class SettingsError(PeeringError):
    """Invalid or contradictory provider settings (stack config, environment or provider arguments)."""


class CredentialError(PeeringError):
    """No token could be obtained for ARM."""


class TenantNotConfiguredError(CredentialError):
    """A resource lives in a tenant the user did not name (home tenant or auxiliary_tenant_ids)."""

    def __init__(self, message: str, *, tenant_id: str, subscription_id: str) -> None:
        super().__init__(message)
        self.tenant_id = tenant_id
        self.subscription_id = subscription_id


class ArmConnectionError(PeeringError):
    """ARM could not be reached (DNS, TCP, TLS)."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class OperationTimeoutError(PeeringError):
    """An operation did not finish within its per-resource timeout."""


class PeeringAlreadyExistsError(PeeringError):
    """Create found a peering already in ARM and was not allowed to adopt it."""


class ArmError(PeeringError):
    """An error answer from ARM (a CloudError), with the HTTP status, ARM code, message and request id."""

    def __init__(
        self,
        *,
        status_code: int,
        code: str | None,
        message: str,
        request_id: str | None = None,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
        method: str | None = None,
        url: str | None = None,
        retry_after: float | None = None,
        challenge: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.request_id = request_id
        self.target = target
        self.details = details or []
        self.method = method
        self.url = url
        self.retry_after = retry_after
        # a 401's WWW-Authenticate header: it names the tenant that owns the subscription (provider.tenants)
        self.challenge = challenge
        super().__init__(self.summary())

    def _answer(self) -> str:
        """How ARM answered, at the head of the summary."""
        return f"ARM {self.status_code}"

    def summary(self) -> str:
        text = self._answer()
        if self.code:
            text += f" {self.code}"
        text += f": {one_line(self.message)}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    @property
    def transient(self) -> bool:
        return self.code in TRANSIENT_ARM_CODES


class ArmValidationError(ArmError):
    """400: the request is invalid; retrying does not help (except for the transient codes)."""


class ArmAuthenticationError(ArmError):
    """401: missing, invalid or expired token."""


class ArmAuthorizationError(ArmError):
    """403: the identity may not do this (including cross-tenant LinkedAuthorizationFailed)."""


class ArmNotFoundError(ArmError):
    """404 with ARM's own CloudError and one of :data:`ARM_NOT_FOUND_CODES`: the resource (or its parent) does not
    exist. The only answer that says so (a 404 of any other shape is :class:`NonArmNotFoundError`)."""


class ArmConflictError(ArmError):
    """409: usually AnotherOperationInProgress, a write by someone else on the same vnet."""


class ArmThrottledError(ArmError):
    """429: throttled; Retry-After says when to come back."""


class ArmServerError(ArmError):
    """5xx: a fault in ARM."""


class OperationFailedError(ArmError):
    """A long-running operation ended Failed or Canceled.

    Its status code is the poll's (200): what the user reads is that ARM's operation failed, with ARM's code,
    the same words and fix as when ARM refuses the request at once (some refusals arrive either way)."""

    def _answer(self) -> str:
        return "ARM operation failed"


class MalformedResponseError(ArmError):
    """ARM (or something in front of it) answered with a body the API does not define: not JSON (an HTML page),
    JSON cut short, the wrong shape, or missing required fields. Retried like a transient fault, since proxies and
    cut connections are what usually cause it; never turned into state."""

    @property
    def transient(self) -> bool:
        return True


class NonArmNotFoundError(MalformedResponseError):
    """A 404 that did not come from ARM: its body is not ARM's CloudError with a not-found code but an HTML page
    (a gateway or proxy in front of ARM), an empty body or JSON of another shape. It says nothing about whether the
    resource exists: never read as "gone" (the state is kept), retried like any malformed answer, then raised."""

    def summary(self) -> str:
        text = f"HTTP {self.status_code} not from ARM: {one_line(self.message)}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class UntrustedEndpointError(ArmConnectionError):
    """ARM pointed us (an operation URL, a nextLink) at another origin: no credentials are sent there, and this
    is not retried."""


_BY_STATUS: Mapping[int, type[ArmError]] = {
    400: ArmValidationError,
    401: ArmAuthenticationError,
    403: ArmAuthorizationError,
    409: ArmConflictError,
    429: ArmThrottledError,
}


def error_class_for(status_code: int, code: str | None = None) -> type[ArmError]:
    """The exception class for an error answer of ARM (a CloudError with ``code``). A 404 is
    :class:`ArmNotFoundError` only with one of :data:`ARM_NOT_FOUND_CODES`; with another code it is a plain
    :class:`ArmError` (ARM's answer, but not that the resource is missing)."""
    if status_code == 404:
        return ArmNotFoundError if code in ARM_NOT_FOUND_CODES else ArmError
    if status_code >= 500:
        return ArmServerError
    return _BY_STATUS.get(status_code, ArmError)


def one_line(text: str) -> str:
    return " ".join(str(text).split())


class ToldProblems:
    """The credential problems one provider process has told the user (its :class:`~.runtime.Runtime` holds one):
    the next peering such a problem stops refers to it instead of repeating it, since a wrong secret is one problem,
    not one per peering. Thread-safe."""

    def __init__(self) -> None:
        self._told: set[str] = set()
        self._lock = threading.Lock()

    def first_time(self, text: str) -> bool:
        """Whether ``text`` is told now for the first time (it counts as told from now on)."""
        with self._lock:
            told = text in self._told
            self._told.add(text)
            return not told


def describe_failure(what: str, exc: BaseException, told: ToldProblems) -> str:
    """One readable line naming the peering, what failed and what to do. A credential problem is said in full
    once per ``told`` (one per provider process, i.e. one command); every later peering it stops refers to it."""
    if isinstance(exc, CredentialError) and not isinstance(exc, TenantNotConfiguredError):
        text = one_line(str(exc))
        if not told.first_time(text):
            return f"{what}: not attempted: the credential problem said above ({text.split(' (', 1)[0][:80]})"
        return f"{what}: {text}"
    if isinstance(exc, ArmError):
        line = f"{what}: {exc.summary()}"
        hint = hint_for_error(exc)
        if hint:
            line += f". Fix: {hint}"
        return line
    return f"{what}: {one_line(str(exc)) or type(exc).__name__}"


class PeeringOperationError(PeeringError):
    """What reaches the user from a failed create/update/delete/read: one line, cause attached."""

    def __init__(self, message: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class _PlainForPeeringErrors:
    """Stands in for the ``traceback`` module in the SDK's dynamic-provider server: its ``format_exc`` gives the
    message alone when the exception being handled is a :class:`PeeringError` (a message written for the user,
    with its fix), and the real traceback for anything else (a bug should keep its stack)."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        exc = sys.exc_info()[1]
        if isinstance(exc, PeeringError):
            return str(exc)
        return str(self._real.format_exc(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _not_a_peering_error(record: Any) -> bool:
    """A logging filter: False for gRPC's own report of a :class:`PeeringError` (its message reaches the engine)."""
    exc = record.exc_info[1] if record.exc_info else None
    return not isinstance(exc, PeeringError)


def report_plainly_to_the_engine(server_module: Any) -> str:
    """In the dynamic-provider process: make a failed operation reach the engine as its one-line message, said once.

    The SDK's server (``pulumi.dynamic.__main__``) answers an exception a provider method raises in one of two ways:
    - newer SDKs: ``context.abort(UNKNOWN, traceback.format_exc())``, so the user reads a Python stack around our
      message, which already names the peering, the cause and the fix. That server looks ``traceback`` up in its
      module's globals at each call, so the name is replaced there (and nowhere else) by
      :class:`_PlainForPeeringErrors`. Returns ``"plain"``.
    - older SDKs (down to the floor pyproject.toml allows): gRPC itself answers ``Exception calling application:
      <message>`` (that prefix stays) and logs the exception with its stack, which the engine shows again from the
      process's stderr; that second report is filtered out. Returns ``"prefixed"``.
    """
    real = getattr(server_module, "traceback", None)
    if real is not None and hasattr(server_module, "_abort_with_traceback"):
        if not isinstance(real, _PlainForPeeringErrors):
            server_module.traceback = _PlainForPeeringErrors(real)
        return "plain"
    grpc_server_log = logging.getLogger("grpc._server")
    if _not_a_peering_error not in grpc_server_log.filters:
        grpc_server_log.addFilter(_not_a_peering_error)
    return "prefixed"
