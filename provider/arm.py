"""A small Azure Resource Manager client: pooled sessions, bearer tokens, one retry policy, LRO polling.

Everything that talks HTTP goes through :meth:`ArmClient.request`, which applies :class:`RetryPolicy`:
429, 5xx, connection errors, 409s and the transient ARM codes are retried with backoff (honouring Retry-After)
until the attempts or the operation's deadline run out; validation errors are raised at once. Only ARM's own
404 (a CloudError with a not-found code) means that a resource does not exist (:func:`error_from_response`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import requests.adapters
import tenacity
from azure.mgmt.core.tools import parse_resource_id
from pydantic import ValidationError

from . import progress
from .auth import AUXILIARY_HEADER, TokenSource, token_source_for
from .errors import (
    ArmAuthenticationError,
    ArmConflictError,
    ArmConnectionError,
    ArmError,
    ArmNotFoundError,
    ArmServerError,
    ArmThrottledError,
    MalformedResponseError,
    NonArmNotFoundError,
    OperationFailedError,
    OperationTimeoutError,
    PeeringError,
    TenantNotConfiguredError,
    UntrustedEndpointError,
    error_class_for,
    hint_for,
    one_line,
)
from .ids import quote_path
from .models import (
    LRO_SUCCEEDED,
    LRO_TERMINAL_FAILURES,
    NETWORK_API_VERSION,
    AsyncOperationStatus,
    CloudErrorBody,
    VirtualNetworkPeeringResource,
)
from .settings import Settings
from .tenants import (
    TenantDirectory,
    allowed,
    challenge_tenant,
    subscription_of,
    tenant_directory_for,
    tokens_for_request,
)

log = logging.getLogger(__name__)

USER_AGENT = "pulumi-azure-peering/0.1.0"
# 401 codes that a fresh token cures
STALE_TOKEN_CODES = frozenset({"ExpiredAuthenticationToken", "InvalidAuthenticationToken"})
# how many fresh tokens one attempt fetches when ARM keeps calling ours expired (clock skew, tokens revoked
# while we run); a fresh token ARM calls invalid is a configuration problem: one refresh only
EXPIRED_TOKEN_REFRESHES = 3
# A write refused as busy: the holder's operation named by a 409 ("... use uri: <operation url>."), the vnet named
# by a 400 ReferencedResourceNotProvisioned ("... because resource <vnet id> used by resource ..."), and how often
# that vnet is read while it is not Succeeded (no Retry-After on resource reads), at most how many times.
_HOLDER_OPERATION = re.compile(r"use uri:\s*(https://\S+)", re.IGNORECASE)
_NOT_PROVISIONED = re.compile(r"because resource (/subscriptions/\S+?/virtualNetworks/[^/\s]+) used by", re.IGNORECASE)
BUSY_READ_INTERVAL = 0.5
_MAX_BUSY_READS = 240
# the longest pause between two polls of an operation, whatever Retry-After says
MAX_POLL_INTERVAL = 60.0
T = TypeVar("T")


class Deadline:
    """A point in time by which an operation must be done (per-resource timeouts)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def retry_after_from(headers: Mapping[str, str]) -> float | None:
    """How long the server asks us to wait: ``retry-after-ms`` / ``x-ms-retry-after-ms`` (as azure-core reads
    them), else ``Retry-After`` in seconds."""
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        millis = parse_retry_after(headers.get(name))
        if millis is not None:
            return millis / 1000.0
    return parse_retry_after(headers.get("Retry-After"))


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed attempt may succeed when repeated. Validation errors never are."""
    if isinstance(exc, UntrustedEndpointError):
        return False
    if isinstance(exc, ArmConnectionError):
        return True
    if isinstance(exc, OperationFailedError):
        return exc.transient
    if isinstance(exc, ArmThrottledError | ArmServerError | ArmConflictError):
        return True
    if isinstance(exc, ArmError):
        return exc.transient
    return False


# Another writer holds a vnet: these last as long as its operation does, so they are retried until the deadline
# (up to ``max_busy_attempts``), not only ``max_attempts`` times.
BUSY_CODES = frozenset({"AnotherOperationInProgress", "ReferencedResourceNotProvisioned"})


def is_busy(exc: BaseException | None) -> bool:
    if isinstance(exc, ArmConflictError):
        return True
    return isinstance(exc, ArmError) and exc.code in BUSY_CODES


class _Stop(tenacity.stop.stop_base):
    def __init__(self, deadline: Deadline, max_attempts: int, max_busy_attempts: int) -> None:
        self._deadline = deadline
        self._max_attempts = max_attempts
        self._max_busy_attempts = max_busy_attempts

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        if self._deadline.expired:
            return True
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        limit = self._max_busy_attempts if is_busy(exc) else self._max_attempts
        return retry_state.attempt_number >= limit


def is_transient_operation_failure(exc: BaseException) -> bool:
    return isinstance(exc, OperationFailedError) and exc.transient


@dataclass
class RetryPolicy:
    """The one retry policy: exponential backoff with jitter, Retry-After honoured, bounded by attempts and deadline.

    With the defaults a request is tried at most 10 times, waiting about 1, 2, 4, 8, 16, 30, 30... seconds
    (random jitter, capped at ``max_backoff``), or what Retry-After asks for (capped at ``max_retry_after``),
    never past the operation's deadline. A vnet busy with another writer's operation (409,
    AnotherOperationInProgress, ReferencedResourceNotProvisioned) is waited out up to ``max_busy_attempts`` times,
    which with 30 s waits is more than the default 30-minute deadline.
    """

    max_attempts: int = 10
    max_busy_attempts: int = 100
    initial_backoff: float = 1.0
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    retryable: Callable[[BaseException], bool] = is_retryable
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def _wait(self, deadline: Deadline) -> Callable[[tenacity.RetryCallState], float]:
        backoff = tenacity.wait_random_exponential(multiplier=self.initial_backoff, max=self.max_backoff)

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            retry_after = getattr(exc, "retry_after", None)
            seconds = min(float(retry_after), self.max_retry_after) if retry_after is not None else backoff(state)
            return max(0.0, min(seconds, deadline.remaining()))

        return wait

    def retrying(self, deadline: Deadline, what: str = "ARM request") -> tenacity.Retrying:
        def note(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0.0
            log.info("%s: %s; retrying in %.1fs (attempt %d)", what, one_line(str(exc)), wait, state.attempt_number)
            if exc is not None:
                reason = getattr(exc, "code", None) or type(exc).__name__
                hint = hint_for(reason)
                said = exc.summary() if isinstance(exc, ArmError) else one_line(str(exc))
                progress.waiting(
                    progress.subject_of(what),
                    reason,
                    f"{said}{f' ({hint})' if hint else ''}; retrying in {wait:.0f}s",
                )

        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(self.retryable),
            wait=self._wait(deadline),
            stop=_Stop(deadline, self.max_attempts, self.max_busy_attempts),
            sleep=self.sleep,
            before_sleep=note,
            reraise=True,
        )

    def call(self, fn: Callable[[], T], deadline: Deadline, what: str = "ARM request") -> T:
        result = self.retrying(deadline, what)(fn)
        progress.finished(what)
        return result

    def for_operations(self) -> RetryPolicy:
        """The same policy for whole operations (write, then wait): only a transient *operation* failure repeats
        them, since each request inside has already been retried."""
        return replace(self, retryable=is_transient_operation_failure)


_SESSIONS: dict[tuple[str, str], requests.Session] = {}
_SESSIONS_LOCK = threading.Lock()


def session_for(settings: Settings) -> requests.Session:
    """One pooled session per ARM endpoint (and trust store), shared by the provider's threads."""
    key = (settings.arm_endpoint, str(settings.verify))
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(key)
        if session is None:
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.headers["User-Agent"] = USER_AGENT
            # The proxy settings of the environment (HTTPS_PROXY, NO_PROXY), read once for the one origin this
            # session talks to, instead of on every request (requests scans the whole environment each time, and
            # looks for a ~/.netrc: about a millisecond of CPU per ARM call). The trust store is given per request.
            session.proxies.update(requests.utils.get_environ_proxies(settings.arm_endpoint))
            session.trust_env = False
            _SESSIONS[key] = session
        return session


def _request_id(response: requests.Response) -> str | None:
    headers = response.headers
    return headers.get("x-ms-request-id") or headers.get("x-ms-correlation-request-id")


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def describe_body(response: requests.Response) -> str:
    """A short description of a body that is not what the API defines (for error messages)."""
    text = response.text or ""
    content_type = (response.headers.get("Content-Type") or "no content type").split(";")[0].strip()
    if not text.strip():
        return f"an empty body ({content_type})"
    if "html" in content_type.lower() or text.lstrip().startswith("<"):
        title = _TITLE.search(text)
        return f"an HTML page ({one_line(title.group(1))[:100]!r})" if title else "an HTML page"
    return f"{content_type} {one_line(text)[:100]!r}"


def malformed(response: requests.Response, method: str, problem: str) -> MalformedResponseError:
    return MalformedResponseError(
        status_code=response.status_code,
        code=None,
        message=f"unexpected answer to {method} {urlsplit(response.url or '').path}: {problem}",
        request_id=_request_id(response),
        method=method,
        url=response.url,
        retry_after=retry_after_from(response.headers),
    )


def json_object(response: requests.Response, method: str) -> dict[str, Any]:
    """The response's body as a JSON object; :class:`MalformedResponseError` when it is anything else."""
    try:
        payload = response.json()
    except ValueError:
        raise malformed(response, method, f"the body is not JSON but {describe_body(response)}") from None
    if not isinstance(payload, dict):
        raise malformed(response, method, f"expected a JSON object, got a JSON {type(payload).__name__}")
    return payload


def error_from_response(response: requests.Response, method: str) -> ArmError:
    """The typed exception for an ARM error answer (a CloudError body, or whatever came back).

    A 404 means "does not exist" (:class:`ArmNotFoundError`, which callers read as "gone") only when it is ARM's
    own answer: a CloudError ``{"error": {"code": ...}}`` with one of :data:`ARM_NOT_FOUND_CODES`. A 404 without a
    CloudError (a gateway's HTML page, an empty body, other JSON) is :class:`NonArmNotFoundError`, retried and then
    raised; a CloudError with another code (InvalidResourceType...) a plain :class:`ArmError`.
    """
    code: str | None = None
    message = ""
    target: str | None = None
    details: list[dict[str, Any]] | None = None
    cloud_error = False
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        error = payload.get("error")
        body: dict[str, Any] = error if isinstance(error, dict) else payload
        try:
            parsed = CloudErrorBody.model_validate(body)
        except ValidationError:  # a CloudError of the wrong shape: keep what can be read
            parsed = CloudErrorBody(
                code=body.get("code") if isinstance(body.get("code"), str) else None,
                message=body.get("message") if isinstance(body.get("message"), str) else None,
            )
        code, target, details = parsed.code, parsed.target, parsed.details
        message = parsed.message or ""
        cloud_error = isinstance(error, dict) and bool(code)
    if response.status_code == 404 and not cloud_error:
        return _not_from_arm(response, method)
    if not message:
        message = describe_body(response) if response.content else (response.reason or "no message")
    cls = error_class_for(response.status_code, code)
    return cls(
        status_code=response.status_code,
        code=code,
        message=message,
        request_id=_request_id(response),
        target=target,
        details=details,
        method=method,
        url=response.url,
        retry_after=retry_after_from(response.headers),
        challenge=response.headers.get("WWW-Authenticate"),
    )


def _not_from_arm(response: requests.Response, method: str) -> NonArmNotFoundError:
    """A 404 whose body is not ARM's CloudError: it proves nothing about the resource (see ARM_NOT_FOUND_CODES)."""
    return NonArmNotFoundError(
        status_code=response.status_code,
        code=None,
        message=(
            f"{method} {urlsplit(response.url or '').path} was answered 404 with {describe_body(response)}, not "
            "with ARM's JSON error (NotFound, ResourceNotFound): a 404 that did not come from ARM (a gateway or "
            "proxy in front of it?); nothing was concluded from it, the resource may still exist"
        ),
        request_id=_request_id(response),
        method=method,
        url=response.url,
        retry_after=retry_after_from(response.headers),
    )


@dataclass
class WriteOutcome:
    """What ARM answered to the attempts of one write: whether *this* writer created the resource.

    ARM's CreateOrUpdate answers ``201`` when the PUT created the resource and ``200`` when it was already there.
    An attempt that may have reached ARM without an answer seen here (the connection dropped, a 5xx) may have
    created it too. Nothing else tells who made a peering: ARM keeps no author or creation time."""

    statuses: list[int] = field(default_factory=list)
    """The status of every answered attempt, in order."""
    unanswered: int = 0
    """Attempts that may have reached ARM, whose answer was lost."""

    def note(self, status: int | None) -> None:
        if status is None:
            self.unanswered += 1
        else:
            self.statuses.append(status)

    @property
    def created(self) -> bool:
        """This writer made the resource (an attempt answered 201), or may have (an attempt's answer was lost)."""
        return 201 in self.statuses or self.unanswered > 0

    @property
    def found_existing(self) -> bool:
        """The first attempt that can have reached ARM found the resource there already: another writer made it."""
        return bool(self.statuses) and not self.created and self.statuses[0] == 200


class ArmClient:
    """Talks to one ARM endpoint with the credentials of one set of settings. Thread-safe.

    ``session``, ``tokens`` and ``retry`` can be injected (tests); by default they come from process-wide registries.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        session: requests.Session | None = None,
        tokens: TokenSource | None = None,
        tenants: TenantDirectory | None = None,
        retry: RetryPolicy | None = None,
        poll_interval: float = 2.0,
        request_timeout: tuple[float, float] = (10.0, 60.0),
        default_timeout: float = 300.0,
    ) -> None:
        self.settings = settings
        self._session = session or session_for(settings)
        self._tokens = tokens or token_source_for(settings)
        self._tenants = tenants or tenant_directory_for(settings)
        self.retry = retry or RetryPolicy()
        self.poll_interval = poll_interval
        self._request_timeout = request_timeout
        self._default_timeout = default_timeout
        endpoint = urlsplit(settings.arm_endpoint)
        self._origin = (endpoint.scheme, endpoint.netloc.lower())

    def __repr__(self) -> str:
        return f"ArmClient({self.settings.arm_endpoint!r})"

    # -- HTTP ------------------------------------------------------------------------------------------------

    def url(self, path_or_url: str) -> str:
        """An absolute URL (ARM's own: nextLink, operation and Location URLs) as it is; a path (an ARM id, a
        collection) on the ARM endpoint with every segment percent-encoded (:func:`.ids.quote_path`), so that no
        value in an id can add a query (``?api-version=...``) or cut the path at a fragment (``#``)."""
        if path_or_url.startswith(("https://", "http://")):
            return path_or_url
        return f"{self.settings.arm_endpoint}/{quote_path(path_or_url.lstrip('/'))}"

    def _check_origin(self, url: str) -> None:
        # bearer tokens only ever go to the configured ARM endpoint (an LRO URL could point anywhere)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != self._origin:
            raise UntrustedEndpointError(
                f"refusing to send credentials to {parts.scheme}://{parts.netloc}, which is not the ARM endpoint "
                f"{self.settings.arm_endpoint}",
                url=url,
            )

    def send(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> requests.Response:
        """One attempt. Returns 2xx responses; raises a typed :class:`ArmError` for the others.

        The primary token is the one of the tenant that owns the resource's subscription (once a challenge has
        said which, :mod:`.tenants`); the pair's other tenants go along as auxiliary tokens.
        """
        url = self.url(path_or_url)
        self._check_origin(url)
        owner = self.declared_owner(url, auxiliary_tenant_ids)
        # the home tenant's id matters only once a subscription is known to be another tenant's
        home = self._tokens.home_tenant() if owner else self.settings.tenant_id
        primary, auxiliary = tokens_for_request(owner, home, auxiliary_tenant_ids)
        headers = {
            "Authorization": f"Bearer {self._tokens.token(primary)}",
            "x-ms-client-request-id": str(uuid.uuid4()),
            "Accept": "application/json",
        }
        aux = self._tokens.auxiliary_header(auxiliary)
        if aux:
            headers[AUXILIARY_HEADER] = aux
        connect, read = self._request_timeout
        if deadline is not None:
            read = max(1.0, min(read, deadline.remaining()))
        query = dict(params or {})
        if "api-version=" not in url:
            query.setdefault("api-version", NETWORK_API_VERSION)
        try:
            response = self._session.request(
                method,
                url,
                params=query,
                json=body,
                headers=headers,
                timeout=(connect, read),
                # never False: a CA bundle path, or the default trust store
                verify=self.settings.verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise ArmConnectionError(
                f"TLS verification failed for {urlsplit(url).netloc}: {one_line(str(exc))[:200]}; "
                "set azure-peering:caBundle (or REQUESTS_CA_BUNDLE) to the CA that signed the endpoint",
                url=url,
            ) from None
        except requests.exceptions.RequestException as exc:
            raise ArmConnectionError(f"could not reach {urlsplit(url).netloc}: {type(exc).__name__}", url=url) from None
        if response.status_code >= 400:
            raise error_from_response(response, method)
        return response

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        deadline: Deadline | None = None,
        outcome: WriteOutcome | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """:meth:`send` under the retry policy, bounded by ``deadline``. A write refused because a vnet is busy
        with another writer's operation (another process, another stack) waits until that vnet is free, then is
        tried again at once (:meth:`_wait_until_free`), rather than after a blind backoff. ``outcome`` collects
        what each attempt was answered (:class:`WriteOutcome`)."""
        deadline = deadline or Deadline(self._default_timeout)
        what = f"{method} {urlsplit(self.url(path_or_url)).path}"

        def attempt() -> requests.Response:
            try:
                response = self._send_fresh(method, path_or_url, deadline, kwargs)
                if outcome is not None:
                    outcome.note(response.status_code)
                return response
            except (ArmConnectionError, ArmServerError):
                if outcome is not None:
                    outcome.note(None)  # it may have reached ARM
                raise
            except ArmError as exc:
                waitable = method != "GET" and exc.retry_after is None and is_busy(exc)
                if waitable and self._wait_until_free(exc, deadline, kwargs.get("auxiliary_tenant_ids", ())):
                    exc.retry_after = 0.0
                raise

        return self.retry.call(attempt, deadline, what)

    def _wait_until_free(self, exc: ArmError, deadline: Deadline, auxiliary_tenant_ids: Sequence[str]) -> bool:
        """Wait for what made ARM refuse a write as busy; True when it is over (retry now), False when it cannot
        be told (then the retry policy's backoff applies).

        409 AnotherOperationInProgress names the holder's operation ("To retrieve status of the operation use
        uri: ..."): poll it, at the pace its Retry-After asks, until it ends. 400 ReferencedResourceNotProvisioned
        names the vnet that is not Succeeded: read it until it is. Reads are cheap and not throttled like writes;
        several waiters of one holder then try again together, one wins, the others wait for the winner.
        """
        try:
            if exc.status_code == 409:
                found = _HOLDER_OPERATION.search(exc.message or "")
                if found is None:
                    return False
                url = found.group(1).rstrip(".")
                self._check_origin(url)
                while not deadline.expired:
                    poll = self.send("GET", url, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
                    body = json_object(poll, "GET")
                    if str(body.get("status", "")).lower() not in ("inprogress", "running", "accepted", ""):
                        return True
                    self._pause_busy(retry_after_from(poll.headers), deadline)
                return False
            found = _NOT_PROVISIONED.search(exc.message or "")
            if found is None:
                return False
            vnet_id = found.group(1)
            for _ in range(_MAX_BUSY_READS):
                if deadline.expired:
                    return False
                read = self.send(
                    "GET",
                    vnet_id,
                    params={"api-version": NETWORK_API_VERSION},
                    auxiliary_tenant_ids=auxiliary_tenant_ids,
                    deadline=deadline,
                )
                vnet = json_object(read, "GET")
                state = (vnet.get("properties") or {}).get("provisioningState")
                if state in (None, "Succeeded"):
                    return True
                if state not in ("Updating", "Creating"):
                    return False
                self._pause_busy(None, deadline)
            return False
        except PeeringError:  # the holder cannot be read (another subscription, gone): back off as usual
            return False

    def _pause_busy(self, delay: float | None, deadline: Deadline) -> None:
        pause = min(delay, MAX_POLL_INTERVAL) if delay is not None else BUSY_READ_INTERVAL
        self.retry.sleep(max(0.0, min(pause, deadline.remaining())))

    def request_json(
        self,
        method: str,
        path_or_url: str,
        *,
        deadline: Deadline | None = None,
        **kwargs: Any,
    ) -> tuple[requests.Response, dict[str, Any]]:
        """:meth:`request` for answers that must be a JSON object. A body that is not (an HTML page from a proxy,
        JSON cut short) is retried like a transient fault, then raised as :class:`MalformedResponseError`."""
        deadline = deadline or Deadline(self._default_timeout)
        what = f"{method} {urlsplit(self.url(path_or_url)).path}"

        def attempt() -> tuple[requests.Response, dict[str, Any]]:
            response = self._send_fresh(method, path_or_url, deadline, kwargs)
            return response, json_object(response, method)

        return self.retry.call(attempt, deadline, what)

    def _send_fresh(
        self, method: str, path_or_url: str, deadline: Deadline, kwargs: dict[str, Any]
    ) -> requests.Response:
        """One attempt; a token ARM calls stale (expired early, keys rolled) is replaced by a fresh one, and a
        token from the wrong tenant by one from the tenant ARM's challenge names."""
        for refresh in range(EXPIRED_TOKEN_REFRESHES + 1):
            try:
                return self.send(method, path_or_url, deadline=deadline, **kwargs)
            except ArmAuthenticationError as exc:
                if self._learn_owner(exc, path_or_url, kwargs.get("auxiliary_tenant_ids", ())):
                    continue
                limit = EXPIRED_TOKEN_REFRESHES if exc.code == "ExpiredAuthenticationToken" else 1
                if exc.code not in STALE_TOKEN_CODES or refresh >= limit:
                    raise
                log.info("%s %s: %s; fetching a new token", method, urlsplit(self.url(path_or_url)).path, exc.code)
                self._tokens.invalidate()
        raise AssertionError("unreachable")

    def declared_owner(self, path_or_url: str, auxiliary_tenant_ids: Sequence[str]) -> str | None:
        """The tenant known to own the subscription of ``path_or_url`` (None: not known to be another tenant's),
        provided the request names it (home tenant or ``auxiliary_tenant_ids``); else
        :class:`TenantNotConfiguredError`.

        What one peering taught the process about a subscription's tenant must not let another peering, which
        does not name that tenant, read there: its preflight would pass on a token it never asked for, and its
        PUT, which needs that tenant's token as an auxiliary one, fail at ``pulumi up``. So every request, and
        every answer served from a cache (:class:`~.vnet_facts.VnetCache`), is held to the tenants its own
        peering names, as a process that learned nothing would hold it through ARM's challenge.
        """
        subscription = subscription_of(self.url(path_or_url))
        owner = self._tenants.owner(subscription)
        if owner is not None and subscription and not allowed(owner, self._tokens.home_tenant(), auxiliary_tenant_ids):
            raise _undeclared_tenant(subscription, owner)
        return owner

    def _learn_owner(self, exc: ArmAuthenticationError, path_or_url: str, configured: Sequence[str]) -> bool:
        """Whether a 401 named the tenant that owns the subscription, newly: then the next attempt uses it."""
        tenant = challenge_tenant(exc.challenge)
        subscription = subscription_of(self.url(path_or_url))
        if exc.code != "InvalidAuthenticationTokenTenant" or not tenant or not subscription:
            return False
        if self._tenants.owner(subscription) == tenant:
            return False  # that tenant's token was refused too: not a question of tenants
        if not allowed(tenant, self._tokens.home_tenant(), configured):
            raise _undeclared_tenant(subscription, tenant)
        log.info("subscription %s belongs to tenant %s; using that tenant's token for it", subscription, tenant)
        self._tenants.learn(subscription, tenant)
        return True

    def get_json(
        self,
        resource_id: str,
        *,
        api_version: str = NETWORK_API_VERSION,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> dict[str, Any] | None:
        """GET a resource; None only when ARM says it does not exist (:class:`ArmNotFoundError`). A 404 that is
        not ARM's (:class:`NonArmNotFoundError`) is raised like any other error: the caller keeps its state."""
        try:
            _, payload = self.request_json(
                "GET",
                resource_id,
                params={"api-version": api_version},
                auxiliary_tenant_ids=auxiliary_tenant_ids,
                deadline=deadline,
            )
        except ArmNotFoundError:
            return None
        return payload

    def list_json(
        self,
        collection_path: str,
        *,
        api_version: str = NETWORK_API_VERSION,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
        enough: Callable[[list[dict[str, Any]]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """GET a collection, following nextLink; stops after the first page at which ``enough(items so far)``
        holds (the caller has found what it listed for; the rest of a large collection is not fetched)."""
        items: list[dict[str, Any]] = []
        url: str | None = collection_path
        params: dict[str, str] | None = {"api-version": api_version}
        while url:
            response, payload = self.request_json(
                "GET", url, params=params, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline
            )
            value, next_link = payload.get("value", []), payload.get("nextLink")
            if not isinstance(value, list) or not (next_link is None or isinstance(next_link, str)):
                raise malformed(response, "GET", "a list whose value is not an array or whose nextLink is no URL")
            items.extend(v for v in value if isinstance(v, dict))
            if enough is not None and enough(items):
                break
            url = next_link or None
            params = None
        return items

    # -- long-running operations -----------------------------------------------------------------------------

    def wait_for_operation(
        self,
        response: requests.Response,
        deadline: Deadline,
        what: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
    ) -> None:
        """Wait for the LRO started by ``response`` (Azure-AsyncOperation, else Location) to succeed. The polls
        carry the write's tenants (the operation lives in the written resource's subscription).

        Raises :class:`OperationFailedError` if it ends Failed/Canceled, :class:`OperationTimeoutError` past
        ``deadline``. Poll intervals follow Retry-After, else ``poll_interval``.
        """
        async_url = response.headers.get("Azure-AsyncOperation")
        location = response.headers.get("Location")
        delay = retry_after_from(response.headers)
        request_id = _request_id(response)
        if async_url:
            while True:
                self._pause(delay, deadline, what)
                poll, body = self.request_json(
                    "GET", async_url, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline
                )
                try:
                    status = AsyncOperationStatus.model_validate(body)
                except ValidationError:
                    raise malformed(poll, "GET", "an operation status of the wrong shape") from None
                if status.status == LRO_SUCCEEDED:
                    return
                if status.status in LRO_TERMINAL_FAILURES:
                    error = status.error or CloudErrorBody()
                    raise OperationFailedError(
                        status_code=poll.status_code,
                        code=error.code or status.status,
                        message=error.message or f"the operation ended {status.status}",
                        request_id=_request_id(poll) or request_id,
                        details=error.details,
                        method="GET",
                        url=async_url,
                    )
                delay = retry_after_from(poll.headers)
        elif location and response.status_code == 202:
            while True:
                self._pause(delay, deadline, what)
                poll = self.request("GET", location, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
                if poll.status_code != 202:
                    return
                delay = retry_after_from(poll.headers)

    def _pause(self, delay: float | None, deadline: Deadline, what: str) -> None:
        if deadline.expired:
            raise OperationTimeoutError(
                f"{what} did not finish within {deadline.seconds:.0f}s; raise the resource's timeouts or "
                "run `pulumi refresh` and `pulumi up` again"
            )
        pause = min(delay, MAX_POLL_INTERVAL) if delay is not None else self.poll_interval
        self.retry.sleep(min(pause, deadline.remaining()))

    # -- peerings --------------------------------------------------------------------------------------------

    def get_peering(
        self,
        peering_id: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> VirtualNetworkPeeringResource | None:
        payload = self.get_json(peering_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
        return peering_from(payload, peering_id) if payload is not None else None

    def list_peerings(
        self, vnet_id: str, *, auxiliary_tenant_ids: Sequence[str] = (), deadline: Deadline | None = None
    ) -> list[VirtualNetworkPeeringResource]:
        items = self.list_json(
            f"{vnet_id}/virtualNetworkPeerings", auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline
        )
        return [peering_from(item, None) for item in items]

    def put_peering(
        self,
        peering_id: str,
        body: dict[str, Any],
        *,
        deadline: Deadline,
        sync_remote_address_space: bool = False,
        auxiliary_tenant_ids: Sequence[str] = (),
        on_accepted: Callable[[], None] | None = None,
        on_settled: Callable[[], None] | None = None,
        outcome: WriteOutcome | None = None,
    ) -> VirtualNetworkPeeringResource:
        """CreateOrUpdate, wait for the operation, and return the peering as ARM then has it.

        ``outcome`` collects ARM's answers to the PUTs (201 created, 200 already there; :class:`WriteOutcome`).

        `on_accepted` runs once ARM has accepted the PUT, before the wait (the caller lets the remote vnet go);
        `on_settled` once the operation has ended, before the final read (the caller lets the local vnet go).
        The whole PUT-and-wait is repeated when the operation itself fails with a transient code.
        """
        params = {"api-version": NETWORK_API_VERSION}
        if sync_remote_address_space:
            params["syncRemoteAddressSpace"] = "true"
        name = parse_resource_id(peering_id).get("resource_name", peering_id)
        what = f"PUT peering {name}"

        def attempt() -> VirtualNetworkPeeringResource:
            with WRITES.writing():
                return write_and_wait()

        def write_and_wait() -> VirtualNetworkPeeringResource:
            response = self.request(
                "PUT",
                peering_id,
                params=params,
                body=body,
                auxiliary_tenant_ids=auxiliary_tenant_ids,
                deadline=deadline,
                outcome=outcome,
            )
            if on_accepted is not None:
                on_accepted()
            self.wait_for_operation(response, deadline, what, auxiliary_tenant_ids=auxiliary_tenant_ids)
            if on_settled is not None:
                on_settled()
            final = self.get_peering(peering_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
            if final is None:
                raise ArmNotFoundError(
                    status_code=404,
                    code="NotFound",
                    message=f"peering {name} vanished right after it was written",
                    request_id=_request_id(response),
                )
            return final

        return self.retry.for_operations().call(attempt, deadline, what)

    def delete_peering(
        self,
        peering_id: str,
        *,
        deadline: Deadline,
        auxiliary_tenant_ids: Sequence[str] = (),
        on_accepted: Callable[[], None] | None = None,
    ) -> bool:
        """Delete and wait. Returns False when the peering was already gone (which is success): a 204, or ARM's
        own not-found (:class:`ArmNotFoundError`); a 404 that is not ARM's raises. `on_accepted` runs once ARM has
        accepted the DELETE, before the wait."""
        name = parse_resource_id(peering_id).get("resource_name", peering_id)
        what = f"DELETE peering {name}"

        def attempt() -> bool:
            with WRITES.writing():
                return delete_and_wait()

        def delete_and_wait() -> bool:
            try:
                response = self.request(
                    "DELETE", peering_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline
                )
            except ArmNotFoundError:
                return False
            if response.status_code == 204:
                return False
            if on_accepted is not None:
                on_accepted()
            self.wait_for_operation(response, deadline, what, auxiliary_tenant_ids=auxiliary_tenant_ids)
            return True

        return self.retry.for_operations().call(attempt, deadline, what)

    # -- virtual networks (read only) ------------------------------------------------------------------------

    def get_virtual_network(
        self,
        vnet_id: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> dict[str, Any] | None:
        return self.get_json(vnet_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)

    def list_virtual_networks(
        self,
        subscription_id: str,
        resource_group: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
        enough: Callable[[list[dict[str, Any]]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """The virtual networks of a resource group (``VirtualNetworks_List``: the same objects a GET answers)."""
        path = _group_collection(subscription_id, resource_group, "virtualNetworks")
        return self.list_json(path, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline, enough=enough)

    def list_virtual_network_gateways(
        self,
        subscription_id: str,
        resource_group: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> list[dict[str, Any]]:
        path = _group_collection(subscription_id, resource_group, "virtualNetworkGateways")
        try:  # no resource group (ARM's ResourceGroupNotFound): no gateways; a 404 not from ARM raises
            return self.list_json(path, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
        except ArmNotFoundError:
            return []


class WriteEpoch:
    """The peering writes of this process: a count that moves when one starts and when one has ended (its
    operation too), and how many are in flight. What was read before a mark is stale once the count has moved
    (:mod:`.peering_reads` answers no read from a listing older than the process's last write)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._in_flight = 0

    def mark(self) -> int | None:
        """The count now, or None while a write is in flight."""
        with self._lock:
            return None if self._in_flight else self._count

    def unchanged_since(self, mark: int) -> bool:
        with self._lock:
            return self._in_flight == 0 and self._count == mark

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._lock:
            self._count += 1
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
                self._count += 1


#: Every peering write of the process (put_peering, delete_peering), whatever its client.
WRITES = WriteEpoch()


def _undeclared_tenant(subscription: str, tenant: str) -> TenantNotConfiguredError:
    return TenantNotConfiguredError(
        f"subscription {subscription} belongs to tenant {tenant} (ARM's authentication challenge names it), which "
        f"is neither the identity's home tenant nor in auxiliary_tenant_ids: add {tenant!r} to "
        "auxiliary_tenant_ids (or azure-peering:auxiliaryTenantIds) and grant the identity access there",
        tenant_id=tenant,
        subscription_id=subscription,
    )


def _group_collection(subscription_id: str, resource_group: str, network_type: str) -> str:
    """The path of a resource group's collection of one Microsoft.Network type (``virtualNetworks``, ...)."""
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/Microsoft.Network/{network_type}"
    )


def peering_from(payload: dict[str, Any], expected_id: str | None) -> VirtualNetworkPeeringResource:
    """A peering from ARM's JSON, refusing what would put a wrong state on record: a body without the peering's
    id (or with another resource's), without properties or without its remote vnet, or of the wrong types."""
    where = expected_id or str(payload.get("id") or "a listed peering")
    problem: str | None = None
    props = payload.get("properties")
    if not isinstance(payload.get("id"), str):
        problem = "no id"
    elif expected_id is not None and payload["id"].rstrip("/").lower() != expected_id.rstrip("/").lower():
        problem = f"the id of another resource ({payload['id']})"
    elif not isinstance(props, dict):
        problem = "no properties"
    elif not isinstance(props.get("remoteVirtualNetwork"), dict) or not props["remoteVirtualNetwork"].get("id"):
        problem = "no remoteVirtualNetwork.id"
    if problem is None:
        try:
            return VirtualNetworkPeeringResource.model_validate(payload)
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
            problem = f"values of the wrong type ({fields})"
    raise MalformedResponseError(
        status_code=200, code=None, message=f"ARM's answer for peering {where} has {problem}; nothing was recorded"
    )


_CLIENTS: dict[str, ArmClient] = {}
_CLIENTS_LOCK = threading.Lock()


def client_for(settings: Settings) -> ArmClient:
    """The process-wide client for these settings."""
    key = settings.fingerprint()
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = ArmClient(settings)
            _CLIENTS[key] = client
        return client
