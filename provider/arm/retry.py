"""The one retry rule set, and the pipeline policy that applies it to every ARM request.

:class:`RetryPolicy` says what is retried (429, 5xx, connection errors, 409s, the transient ARM codes, bodies that
are not what the API defines; never a validation error or a refusal), how long to wait (Retry-After, capped, else
exponential backoff with jitter), and when to stop (the attempt budget, a larger one while a vnet is busy with
another writer, the operation's deadline). :class:`ArmRetryPolicy` is azure-core's ``RetryPolicy`` (its loop,
transport-error handling and retry context) deciding by these rules; a write refused as busy waits there until the
vnet is free (:mod:`.busy`). :meth:`RetryPolicy.repeat` applies the same rules to whole operations (write, then
wait), which only a transient *operation* failure repeats.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from azure.core.exceptions import AzureError
from azure.core.pipeline import PipelineContext, PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import RetryPolicy as CoreRetryPolicy
from azure.core.rest import HttpRequest, HttpResponse

from ..errors import (
    ArmConflictError,
    ArmConnectionError,
    ArmError,
    ArmServerError,
    ArmThrottledError,
    OperationFailedError,
    UntrustedEndpointError,
    hint_for,
    hint_for_error,
    one_line,
)
from ..progress import WaitNotes, subject_of
from ..schema import NETWORK_API_VERSION
from .answers import connection_error, problem_of
from .busy import wait_until_free
from .deadline import Deadline
from .options import OPTION, ArmCall

log = logging.getLogger(__name__)
T = TypeVar("T")

# Another writer holds a vnet: these last as long as its operation does, so they are retried until the deadline
# (up to ``max_busy_attempts``), not only ``max_attempts`` times.
BUSY_CODES = frozenset({"AnotherOperationInProgress", "ReferencedResourceNotProvisioned"})


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


def is_busy(exc: BaseException | None) -> bool:
    if isinstance(exc, ArmConflictError):
        return True
    return isinstance(exc, ArmError) and exc.code in BUSY_CODES


def is_transient_operation_failure(exc: BaseException) -> bool:
    return isinstance(exc, OperationFailedError) and exc.transient


@dataclass
class RetryPolicy:
    """The one retry policy: exponential backoff with jitter, Retry-After honoured, bounded by attempts and deadline.

    A request is tried at most ``max_attempts`` times, waiting about ``initial_backoff`` seconds, then twice as long
    at each attempt (random jitter, capped at ``max_backoff``), or what Retry-After asks for (capped at
    ``max_retry_after``), never past the operation's deadline. A vnet busy with another writer's operation (409,
    AnotherOperationInProgress, ReferencedResourceNotProvisioned) is waited out up to ``max_busy_attempts`` times,
    which with the longest waits outlasts the default deadline.
    """

    max_attempts: int = 10
    max_busy_attempts: int = 100
    initial_backoff: float = 1.0
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    retryable: Callable[[BaseException], bool] = is_retryable
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def gives_up(self, attempt: int, exc: BaseException, deadline: Deadline) -> bool:
        """Whether attempt number ``attempt`` (from 1), which failed with ``exc``, is the last one."""
        if not self.retryable(exc) or deadline.expired:
            return True
        return attempt >= (self.max_busy_attempts if is_busy(exc) else self.max_attempts)

    def wait(self, attempt: int, exc: BaseException, deadline: Deadline) -> float:
        """Seconds to wait after attempt number ``attempt`` failed with ``exc``."""
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            seconds = min(float(retry_after), self.max_retry_after)
        else:
            seconds = random.uniform(0.0, min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1)))
        return max(0.0, min(seconds, deadline.remaining()))

    def note(self, what: str, exc: BaseException, wait: float, attempt: int, notes: WaitNotes | None) -> None:
        """Say that ``what`` is retried: in the log, and to the user while it lasts (``notes``)."""
        log.info("%s: %s; retrying in %.1fs (attempt %d)", what, one_line(str(exc)), wait, attempt)
        reason = getattr(exc, "code", None) or type(exc).__name__
        hint = hint_for_error(exc) if isinstance(exc, ArmError) else hint_for(reason)
        said = exc.summary() if isinstance(exc, ArmError) else one_line(str(exc))
        if notes is not None:
            notes.waiting(subject_of(what), reason, f"{said}{f' ({hint})' if hint else ''}; retrying in {wait:.0f}s")

    def repeat(
        self, fn: Callable[[], T], deadline: Deadline, what: str = "ARM request", notes: WaitNotes | None = None
    ) -> T:
        """``fn()`` under these rules (for whole operations: the requests inside have their own retries)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                result = fn()
            except Exception as exc:
                if self.gives_up(attempt, exc, deadline):
                    raise
                wait = self.wait(attempt, exc, deadline)
                self.note(what, exc, wait, attempt, notes)
                self.sleep(wait)
                continue
            if notes is not None:
                notes.finished(what)
            return result

    def for_operations(self) -> RetryPolicy:
        """The same policy for whole operations (write, then wait): only a transient *operation* failure repeats
        them, since each request inside has already been retried."""
        return replace(self, retryable=is_transient_operation_failure)


# what the retry policy keeps in azure-core's retry settings of one call, between its hooks
_CALL, _ATTEMPT, _PROBLEM, _FREED = "arm_call", "arm_attempt", "arm_problem", "arm_holder_freed"
_EVERY_METHOD = frozenset({"GET", "HEAD", "PUT", "DELETE", "POST", "PATCH", "OPTIONS"})


class ArmRetryPolicy(CoreRetryPolicy[Any, Any]):
    """azure-core's retry loop, deciding by the call's :class:`RetryPolicy`.

    azure-core's own rules retry 408/429/5xx by status; ARM's peering answers need the body as well (409
    AnotherOperationInProgress and 400 ReferencedResourceNotProvisioned are busy answers, a 404 is retried unless
    it is ARM's own, a 200 with an HTML page is a fault), and a busy write needs to wait for the holder. So the
    hooks of azure-core's loop are ours: ``is_retry`` (the verdict of :func:`.answers.problem_of`), ``increment``
    (the busy wait for the holder operation, then attempts, busy budget, deadline: a wait that reached the deadline
    gives up) and ``sleep`` (Retry-After or backoff, progress notes).
    """

    def __init__(self, endpoint_url: Callable[[str], str]) -> None:
        super().__init__()
        self._endpoint_url = endpoint_url

    def configure_retries(self, options: dict[str, Any]) -> dict[str, Any]:
        settings = super().configure_retries(options)
        settings[_ATTEMPT] = 0
        # a connection error is retried whatever the method (azure-core's default spares POST and PATCH; the
        # provider's writes are PUTs and DELETEs, idempotent by ARM's contract)
        settings["methods"] = _EVERY_METHOD
        return settings

    def is_retry(self, settings: dict[str, Any], response: PipelineResponse[Any, Any]) -> bool:
        call: ArmCall = response.context[OPTION]
        problem = problem_of(response.http_response, expect_json=call.expect_json)
        settings[_PROBLEM] = problem
        return problem is not None and call.retry.retryable(problem)

    def increment(
        self,
        settings: dict[str, Any],
        response: PipelineRequest[Any] | PipelineResponse[Any, Any] | None = None,
        error: Exception | None = None,
    ) -> bool:
        assert response is not None  # azure-core passes the request (on errors) or the response
        call: ArmCall = response.context[OPTION]
        if error is not None:
            settings[_PROBLEM] = connection_error(error, response.http_request.url)
        settings[_CALL] = call
        settings[_ATTEMPT] += 1
        problem = settings[_PROBLEM]
        # A busy write waits for the holder first, then is judged: a wait that ran into the deadline gives up here,
        # with the busy answer, rather than sending one more write after the deadline.
        settings[_FREED] = (
            isinstance(response, PipelineResponse)
            and isinstance(problem, ArmError)
            and problem.retry_after is None
            and is_busy(problem)
            and response.http_request.method != "GET"
            and wait_until_free(problem, call, lambda url: self._read(url, response.context))
        )
        return not call.retry.gives_up(settings[_ATTEMPT], problem, call.deadline)

    def sleep(
        self,
        settings: dict[str, Any],
        transport: Any,
        response: PipelineResponse[Any, Any] | None = None,
    ) -> None:
        call: ArmCall = settings[_CALL]
        exc: BaseException = settings[_PROBLEM]
        attempt: int = settings[_ATTEMPT]
        # the holder is done (``increment`` waited for it): try again at once
        wait = 0.0 if settings.get(_FREED) else call.retry.wait(attempt, exc, call.deadline)
        call.retry.note(call.what, exc, wait, attempt, call.notes)
        call.retry.sleep(wait)

    def _read(self, url: str, context: PipelineContext) -> HttpResponse:
        """One GET through the policies below this one (origin check, tokens), for a busy wait."""
        full = self._endpoint_url(url)
        params = {} if "api-version=" in full else {"api-version": NETWORK_API_VERSION}
        request = PipelineRequest(HttpRequest("GET", full, params=params), PipelineContext(context.transport))
        request.context[OPTION] = context[OPTION]
        try:
            response: HttpResponse = self.next.send(request).http_response
            return response
        except AzureError as exc:
            raise connection_error(exc, url) from None
