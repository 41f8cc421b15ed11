"""Long-running operations, polled with azure-mgmt-core's ``ARMPolling``.

What is ours on top of it, and why:
- the operation's status document is read by the provider's model (:class:`provider.models.AsyncOperationStatus`):
  a document of the wrong shape is a malformed answer, a Failed or Canceled one an
  :class:`~provider.errors.OperationFailedError` with ARM's code, message and details;
- no final GET: the client reads the resource itself, by the rules that decide what may be recorded
  (:func:`.client.peering_from`), so an operation costs the same requests as before;
- the first poll waits for the Retry-After of the write's answer (azure-core polls at once: one more request per
  operation, ARM's operations last seconds);
- every pause honours Retry-After (capped), else the client's poll interval, and stops at the operation's deadline
  (:class:`~provider.errors.OperationTimeoutError`); the pauses are the retry policy's ``sleep``, so that tests and
  the busy waits pause the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from azure.core import PipelineClient
from azure.core.exceptions import HttpResponseError
from azure.core.pipeline import PipelineResponse
from azure.core.polling.base_polling import LocationPolling
from azure.mgmt.core.polling.arm_polling import ARMPolling, AzureAsyncOperationPolling

from ..errors import OperationFailedError, OperationTimeoutError
from ..progress import WaitNotes
from .answers import json_object, malformed, request_id_of, retry_after_from
from .busy import MAX_POLL_INTERVAL
from .deadline import Deadline
from .options import ArmCall
from .retry import RetryPolicy

if TYPE_CHECKING:
    import pydantic

    from .. import models
    from ..models import AsyncOperationStatus
else:  # imported when an operation's status first needs them (provider/lazy_exports.py)
    from ..lazy_exports import models, pydantic

ASYNC_OPERATION_HEADER = "Azure-AsyncOperation"


class _AsyncOperationStatus(AzureAsyncOperationPolling):  # type: ignore[type-arg]
    """Azure-AsyncOperation, its document read by the provider's model; the client reads the resource itself."""

    def __init__(self) -> None:
        super().__init__()
        self.last: AsyncOperationStatus | None = None

    def get_status(self, pipeline_response: PipelineResponse[Any, Any]) -> str:
        response = pipeline_response.http_response
        body = json_object(response, "GET")
        try:
            status = models.AsyncOperationStatus.model_validate(body)
        except pydantic.ValidationError:
            raise malformed(response, "GET", "an operation status of the wrong shape") from None
        self.last = status
        if status.status in models.LRO_TERMINAL_FAILURES:
            return "Failed"
        # only ARM's exact word ends the operation (another spelling is an unknown status: polled until the deadline)
        return status.status if status.status == models.LRO_SUCCEEDED else "InProgress"

    def get_final_get_url(self, pipeline_response: PipelineResponse[Any, Any]) -> str | None:
        return None


class _OperationPolling(ARMPolling):
    """``ARMPolling`` paced by the call's deadline and retry policy."""

    def __init__(self, call: ArmCall, poll_interval: float, what: str) -> None:
        self.status_reader = _AsyncOperationStatus()
        super().__init__(timeout=poll_interval, lro_algorithms=[self.status_reader, LocationPolling()], arm_call=call)
        self._call = call
        self._what = what

    def run(self) -> None:
        if not self.finished():
            self._delay()  # ARM's Retry-After on the write's answer holds for the first poll too
        super().run()

    def _extract_delay(self) -> float:
        delay = retry_after_from(self._pipeline_response.http_response.headers)
        return self._timeout if delay is None else delay

    def _sleep(self, delay: float) -> None:
        deadline = self._call.deadline
        if deadline.expired:
            raise OperationTimeoutError(
                f"{self._what} did not finish within {deadline.seconds:.0f}s; raise the resource's timeouts or "
                "run `pulumi refresh` and `pulumi up` again"
            )
        self._call.retry.sleep(min(min(delay, MAX_POLL_INTERVAL), deadline.remaining()))

    @property
    def last_response(self) -> PipelineResponse[Any, Any]:
        return self._pipeline_response


def needs_polling(response: PipelineResponse[Any, Any]) -> bool:
    """Whether a write's answer started an operation to wait for (Azure-AsyncOperation, or a 202 with Location)."""
    headers = response.http_response.headers
    return bool(headers.get(ASYNC_OPERATION_HEADER)) or (
        bool(headers.get("Location")) and response.http_response.status_code == 202
    )


def wait_for_operation(
    client: PipelineClient[Any, Any],
    response: PipelineResponse[Any, Any],
    *,
    deadline: Deadline,
    retry: RetryPolicy,
    poll_interval: float,
    what: str,
    auxiliary_tenant_ids: Sequence[str] = (),
    notes: WaitNotes | None = None,
) -> None:
    """Wait for the operation started by ``response`` (Azure-AsyncOperation, else Location on a 202) to succeed.
    The polls carry the write's tenants (the operation lives in the written resource's subscription).

    Raises :class:`OperationFailedError` if it ends Failed/Canceled, :class:`OperationTimeoutError` past
    ``deadline``, :class:`~provider.errors.MalformedResponseError` for a status document of the wrong shape.
    """
    if not needs_polling(response):
        return
    headers = response.http_response.headers
    async_url = headers.get(ASYNC_OPERATION_HEADER)
    poll_url = async_url or headers.get("Location") or ""
    call = ArmCall(
        what=f"GET {urlsplit(poll_url).path}",
        deadline=deadline,
        retry=retry,
        auxiliary_tenant_ids=tuple(auxiliary_tenant_ids),
        expect_json=bool(async_url),
        notes=notes,
    )
    polling = _OperationPolling(call, poll_interval, what)
    try:
        polling.initialize(client, response, lambda _: None)
        polling.run()
    except HttpResponseError:
        last = polling.last_response.http_response
        status = polling.status_reader.last
        if status is None or status.status not in models.LRO_TERMINAL_FAILURES:
            raise malformed(last, "GET", "an operation status that azure-core cannot read") from None
        error = status.error or models.CloudErrorBody()
        raise OperationFailedError(
            status_code=last.status_code,
            code=error.code or status.status,
            message=error.message or f"the operation ended {status.status}",
            request_id=request_id_of(last) or request_id_of(response.http_response),
            details=error.details,
            method="GET",
            url=async_url,
        ) from None
