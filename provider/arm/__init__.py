"""The provider's Azure Resource Manager client, on azure-core's pipeline with the requests transport.

One concept per module: :mod:`.client` the per-resource calls, :mod:`.connections` the clients of one process,
:mod:`.pipeline` the pipeline and its sessions, :mod:`.retry` the retry rules and the policy applying them,
:mod:`.busy` the waits for a vnet busy with another writer, :mod:`.authentication` tokens and tenants,
:mod:`.origin` the endpoint credentials may go to, :mod:`.answers` ARM's answers and typed errors (what says a
resource is gone), :mod:`.polling` long-running operations (azure-mgmt-core's ``ARMPolling``), :mod:`.writes` who
created a peering and the count of a process's writes, :mod:`.deadline` the per-operation deadline,
:mod:`.options` what one call carries through the pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

if TYPE_CHECKING:
    from .answers import error_from_response, retry_after_from
    from .authentication import EXPIRED_TOKEN_REFRESHES, STALE_TOKEN_CODES
    from .busy import BUSY_READ_INTERVAL, MAX_POLL_INTERVAL
    from .client import ArmClient, peering_from
    from .connections import ArmConnections
    from .deadline import Deadline
    from .pipeline import USER_AGENT, new_session
    from .retry import BUSY_CODES, RetryPolicy, is_busy, is_retryable
    from .writes import WriteEpoch, WriteOutcome

# Each name is imported with its module when first used (provider/lazy_exports.py): the transport (requests,
# urllib3) only when a call needs ARM, never for a no-change preview's checks and diffs.
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "error_from_response": ".answers",
        "retry_after_from": ".answers",
        "EXPIRED_TOKEN_REFRESHES": ".authentication",
        "STALE_TOKEN_CODES": ".authentication",
        "BUSY_READ_INTERVAL": ".busy",
        "MAX_POLL_INTERVAL": ".busy",
        "ArmClient": ".client",
        "peering_from": ".client",
        "ArmConnections": ".connections",
        "Deadline": ".deadline",
        "USER_AGENT": ".pipeline",
        "new_session": ".pipeline",
        "BUSY_CODES": ".retry",
        "RetryPolicy": ".retry",
        "is_busy": ".retry",
        "is_retryable": ".retry",
        "WriteEpoch": ".writes",
        "WriteOutcome": ".writes",
    },
)

__all__ = [
    "BUSY_CODES",
    "BUSY_READ_INTERVAL",
    "EXPIRED_TOKEN_REFRESHES",
    "MAX_POLL_INTERVAL",
    "STALE_TOKEN_CODES",
    "USER_AGENT",
    "ArmClient",
    "ArmConnections",
    "Deadline",
    "RetryPolicy",
    "WriteEpoch",
    "WriteOutcome",
    "error_from_response",
    "is_busy",
    "is_retryable",
    "new_session",
    "peering_from",
    "retry_after_from",
]
