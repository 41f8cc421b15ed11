"""Reading ARM's answers: the typed error of an error answer, a body that is not what the API defines, Retry-After.

The one rule that decides whether a resource is gone lives here (:func:`error_from_response`): only ARM's own 404,
a CloudError with one of :data:`~provider.errors.ARM_NOT_FOUND_CODES`, says so; any other 404 is
:class:`~provider.errors.NonArmNotFoundError`. :class:`AnswerPolicy`, the outermost policy of the pipeline, turns
the final answer of a call (after its retries) into that exception, or hands a JSON object to the client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from azure.core.exceptions import AzureError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import HTTPPolicy
from azure.core.rest import HttpResponse

from ..errors import (
    ArmConnectionError,
    ArmError,
    MalformedResponseError,
    NonArmNotFoundError,
    error_class_for,
    one_line,
)
from .options import call_of

if TYPE_CHECKING:
    import pydantic

    from .. import models
else:  # imported when an error answer first needs them (provider/lazy_exports.py)
    from ..lazy_exports import models, pydantic

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_NOT_JSON = object()


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def retry_after_from(headers: Mapping[str, str]) -> float | None:
    """How long the server asks us to wait: ``retry-after-ms`` / ``x-ms-retry-after-ms`` (as azure-core reads
    them), else ``Retry-After`` in seconds. A value that is no number is ignored (azure-core's own reader raises
    on it)."""
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        millis = parse_retry_after(headers.get(name))
        if millis is not None:
            return millis / 1000.0
    return parse_retry_after(headers.get("Retry-After"))


def request_id_of(response: HttpResponse) -> str | None:
    headers = response.headers
    return headers.get("x-ms-request-id") or headers.get("x-ms-correlation-request-id")


def _text(response: HttpResponse) -> str:
    try:
        return response.text() or ""
    except ValueError:  # bytes in no encoding
        return ""


def body_of(response: HttpResponse) -> Any:
    """The response's body as JSON, parsed once per answer; ``_NOT_JSON`` when it is not JSON."""
    cached = getattr(response, "_arm_parsed", None)
    if cached is not None:
        return cached[0]
    try:
        payload: Any = json.loads(_text(response))
    except ValueError:
        payload = _NOT_JSON
    setattr(response, "_arm_parsed", (payload,))  # noqa: B010 (an attribute azure-core's response does not declare)
    return payload


def describe_body(response: HttpResponse) -> str:
    """A short description of a body that is not what the API defines (for error messages)."""
    text = _text(response)
    content_type = (response.headers.get("Content-Type") or "no content type").split(";")[0].strip()
    if not text.strip():
        return f"an empty body ({content_type})"
    if "html" in content_type.lower() or text.lstrip().startswith("<"):
        title = _TITLE.search(text)
        return f"an HTML page ({one_line(title.group(1))[:100]!r})" if title else "an HTML page"
    return f"{content_type} {one_line(text)[:100]!r}"


def malformed(response: HttpResponse, method: str, problem: str) -> MalformedResponseError:
    return MalformedResponseError(
        status_code=response.status_code,
        code=None,
        message=f"unexpected answer to {method} {urlsplit(response.url or '').path}: {problem}",
        request_id=request_id_of(response),
        method=method,
        url=response.url,
        retry_after=retry_after_from(response.headers),
    )


def json_object(response: HttpResponse, method: str) -> dict[str, Any]:
    """The response's body as a JSON object; :class:`MalformedResponseError` when it is anything else."""
    payload = body_of(response)
    if payload is _NOT_JSON:
        raise malformed(response, method, f"the body is not JSON but {describe_body(response)}")
    if not isinstance(payload, dict):
        raise malformed(response, method, f"expected a JSON object, got a JSON {type(payload).__name__}")
    return payload


def error_from_response(response: HttpResponse, method: str) -> ArmError:
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
    payload = body_of(response)
    if isinstance(payload, dict):
        error = payload.get("error")
        body: dict[str, Any] = error if isinstance(error, dict) else payload
        try:
            parsed = models.CloudErrorBody.model_validate(body)
        except pydantic.ValidationError:  # a CloudError of the wrong shape: keep what can be read
            parsed = models.CloudErrorBody(
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
        request_id=request_id_of(response),
        target=target,
        details=details,
        method=method,
        url=response.url,
        retry_after=retry_after_from(response.headers),
        challenge=response.headers.get("WWW-Authenticate"),
    )


def _not_from_arm(response: HttpResponse, method: str) -> NonArmNotFoundError:
    """A 404 whose body is not ARM's CloudError: it proves nothing about the resource (see ARM_NOT_FOUND_CODES)."""
    return NonArmNotFoundError(
        status_code=response.status_code,
        code=None,
        message=(
            f"{method} {urlsplit(response.url or '').path} was answered 404 with {describe_body(response)}, not "
            "with ARM's JSON error (NotFound, ResourceNotFound): a 404 that did not come from ARM (a gateway or "
            "proxy in front of it?); nothing was concluded from it, the resource may still exist"
        ),
        request_id=request_id_of(response),
        method=method,
        url=response.url,
        retry_after=retry_after_from(response.headers),
    )


def problem_of(response: HttpResponse, *, expect_json: bool) -> ArmError | None:
    """What is wrong with an answer: its typed error (4xx, 5xx), a body that is not the JSON object the call
    expects, or None for a good answer. The retry policy and :class:`AnswerPolicy` decide on the same verdict."""
    method = response.request.method
    if response.status_code >= 400:
        return error_from_response(response, method)
    if expect_json:
        try:
            json_object(response, method)
        except MalformedResponseError as exc:
            return exc
    return None


def connection_error(exc: BaseException, url: str) -> ArmConnectionError:
    """ARM could not be reached (what azure-core's transport raised, after the retries)."""
    cause = getattr(exc, "inner_exception", None) or exc
    netloc = urlsplit(url).netloc
    names = {type(c).__name__ for c in _chain(cause)}
    if "SSLError" in names or "SSLCertVerificationError" in names:
        return ArmConnectionError(
            f"TLS verification failed for {netloc}: {one_line(str(cause))[:200]}; "
            "set azure-peering:caBundle (or REQUESTS_CA_BUNDLE) to the CA that signed the endpoint",
            url=url,
        )
    return ArmConnectionError(f"could not reach {netloc}: {type(cause).__name__}", url=url)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


class AnswerPolicy(HTTPPolicy[Any, Any]):
    """The outermost policy: the final answer of a call (after every retry) becomes the client's result or its
    typed exception; a transport failure :class:`ArmConnectionError`. A good answer also ends the call's wait in
    the progress notes."""

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        call = call_of(request)
        try:
            response = self.next.send(request)
        except AzureError as exc:
            raise connection_error(exc, request.http_request.url) from None
        problem = problem_of(response.http_response, expect_json=call.expect_json)
        if problem is not None:
            raise problem
        if call.notes is not None:
            call.notes.finished(call.what)
        return response
