"""The provider's Azure Resource Manager client, on azure-core's pipeline with the requests transport.

One concept per module: :mod:`.client` the per-resource calls, :mod:`.pipeline` the pipeline and its sessions,
:mod:`.retry` the retry rules and the policy applying them, :mod:`.busy` the waits for a vnet busy with another
writer, :mod:`.authentication` tokens and tenants, :mod:`.origin` the endpoint credentials may go to,
:mod:`.answers` ARM's answers and typed errors (what says a resource is gone), :mod:`.polling` long-running
operations (azure-mgmt-core's ``ARMPolling``), :mod:`.writes` who created a peering and the process's write count,
:mod:`.deadline` the per-operation deadline, :mod:`.options` what one call carries through the pipeline.
"""

from __future__ import annotations

from .answers import error_from_response, retry_after_from
from .authentication import EXPIRED_TOKEN_REFRESHES, STALE_TOKEN_CODES
from .busy import BUSY_READ_INTERVAL, MAX_POLL_INTERVAL
from .client import ArmClient, client_for, peering_from
from .deadline import Deadline
from .pipeline import USER_AGENT, session_for
from .retry import BUSY_CODES, RetryPolicy, is_busy, is_retryable
from .writes import WRITES, WriteEpoch, WriteOutcome

__all__ = [
    "BUSY_CODES",
    "BUSY_READ_INTERVAL",
    "EXPIRED_TOKEN_REFRESHES",
    "MAX_POLL_INTERVAL",
    "STALE_TOKEN_CODES",
    "USER_AGENT",
    "WRITES",
    "ArmClient",
    "Deadline",
    "RetryPolicy",
    "WriteEpoch",
    "WriteOutcome",
    "client_for",
    "error_from_response",
    "is_busy",
    "is_retryable",
    "peering_from",
    "retry_after_from",
    "session_for",
]
