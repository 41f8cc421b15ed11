"""The azure-core pipeline every ARM request of the provider goes through, and the pooled sessions under it.

From the outside in: :class:`~.answers.AnswerPolicy` (the call's result or typed error),
:class:`~.retry.ArmRetryPolicy` (azure-core's retry loop on the provider's rules), :class:`ArmHeadersPolicy` (the
headers every request carries, each attempt, busy-wait read and poll included), :class:`~.origin.OriginPolicy`
(credentials only to the ARM endpoint),
:class:`~.authentication.TenantTokenPolicy` (primary and auxiliary tokens, ARM's challenges),
:class:`DeadlineTimeoutPolicy`, :class:`~.writes.WriteOutcomePolicy` (how each attempt of a write was answered),
azure-mgmt-core's ``ARMHttpLoggingPolicy`` (requests and answers at INFO, headers and query values redacted unless
known to be safe: no ``Authorization`` or auxiliary token reaches a log) and azure-core's ``RequestsTransport``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import requests
import requests.adapters
from azure.core.pipeline import Pipeline, PipelineRequest
from azure.core.pipeline.policies import HTTPPolicy, SansIOHTTPPolicy
from azure.core.pipeline.transport import RequestsTransport
from azure.mgmt.core.policies import ARMHttpLoggingPolicy

from ..settings import Settings
from .answers import AnswerPolicy
from .authentication import TenantRouting, TenantTokenPolicy
from .options import call_of
from .origin import ArmEndpoint, OriginPolicy
from .retry import ArmRetryPolicy
from .writes import WriteOutcomePolicy

USER_AGENT = "pulumi-azure-peering/0.1.0"

# azure-core logs transport trouble at WARNING ("Incomplete download.", ...). With no logging configured (the
# provider's process) Python's last-resort handler would print each record to stderr, where the engine shows it as a
# line of its own; the provider reports those failures itself (retried, then one line with the fix). This handler
# only stops the last-resort printing: a program that configures logging still gets the records (as in .auth).
logging.getLogger("azure.core").addHandler(logging.NullHandler())


def new_session(settings: Settings) -> requests.Session:
    """A pooled session for the ARM endpoint (and trust store) of ``settings``, to share between the provider's
    threads and clients (:class:`~.connections.ArmConnections` keeps one per endpoint)."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    # The proxy settings of the environment (HTTPS_PROXY, NO_PROXY), read once for the one origin this
    # session talks to, instead of on every request (requests scans the whole environment each time, and
    # looks for a ~/.netrc: about a millisecond of CPU per ARM call). The trust store is the transport's.
    session.proxies.update(requests.utils.get_environ_proxies(settings.arm_endpoint))
    session.trust_env = False
    return session


class ArmHeadersPolicy(SansIOHTTPPolicy[Any, Any]):
    """What every request to ARM carries, set on each one that leaves (every attempt of a call, the busy waits'
    reads, the polls of a long-running operation): ``User-Agent``, ``Accept: application/json`` and a fresh random
    ``x-ms-client-request-id`` (a version 4 UUID: one per HTTP request, so ARM's logs tell the attempts apart; no
    host address in it, as azure-core's ``RequestIdPolicy`` would put with ``uuid1``)."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        # azure-core's pollers pass the write's request id as an option for RequestIdPolicy to reuse; each poll
        # gets its own here, and the option must not reach the transport
        request.context.options.pop("request_id", None)
        headers = request.http_request.headers
        headers["User-Agent"] = USER_AGENT
        headers["Accept"] = "application/json"
        headers["x-ms-client-request-id"] = str(uuid.uuid4())


class DeadlineTimeoutPolicy(SansIOHTTPPolicy[Any, Any]):
    """No attempt waits for an answer past the call's deadline (at least a second, at most the read timeout)."""

    def __init__(self, read_timeout: float) -> None:
        self._read_timeout = read_timeout

    def on_request(self, request: PipelineRequest[Any]) -> None:
        remaining = call_of(request).deadline.remaining()
        request.context.options["read_timeout"] = max(1.0, min(self._read_timeout, remaining))


def build_pipeline(
    settings: Settings,
    endpoint: ArmEndpoint,
    routing: TenantRouting,
    *,
    session: requests.Session,
    request_timeout: tuple[float, float],
) -> Pipeline[Any, Any]:
    """The pipeline of one :class:`~.client.ArmClient`."""
    connect, read = request_timeout
    transport = RequestsTransport(
        session=session,
        session_owner=False,
        use_env_settings=False,
        # never False: a CA bundle path, or the default trust store
        connection_verify=settings.verify,
        connection_timeout=connect,
        read_timeout=read,
    )
    policies: list[HTTPPolicy[Any, Any] | SansIOHTTPPolicy[Any, Any]] = [
        AnswerPolicy(),
        ArmRetryPolicy(endpoint.url),
        ArmHeadersPolicy(),
        OriginPolicy(endpoint),
        TenantTokenPolicy(routing),
        DeadlineTimeoutPolicy(read),
        WriteOutcomePolicy(),
        ARMHttpLoggingPolicy(),
    ]
    return Pipeline(transport=transport, policies=policies)
