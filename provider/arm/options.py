"""What one ARM call carries through the pipeline: its deadline, tenants, retry rules and what it expects back.

The client passes an :class:`ArmCall` to ``Pipeline.run`` as the ``arm_call`` option; the outermost policy of ours
moves it from the options (which would otherwise reach the transport) into the request's context, where every
policy of the pipeline reads it, on every attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azure.core.pipeline import PipelineRequest

from .deadline import Deadline

if TYPE_CHECKING:
    from ..progress import WaitNotes
    from .retry import RetryPolicy
    from .writes import WriteOutcome

OPTION = "arm_call"


@dataclass
class ArmCall:
    """One ARM call (all its attempts, token refreshes and busy waits)."""

    what: str
    """``METHOD /path``: names the call in logs and in the progress notes."""
    deadline: Deadline
    retry: RetryPolicy
    auxiliary_tenant_ids: Sequence[str] = ()
    expect_json: bool = False
    """The answer must be a JSON object; anything else is malformed (retried, then raised)."""
    outcome: WriteOutcome | None = None
    """Collects what each attempt of a write was answered (:class:`~.writes.WriteOutcome`)."""
    notes: WaitNotes | None = None
    """Where the call's waits are told to the user (the process's :class:`~..progress.WaitNotes`); None: nowhere."""


def call_of(request: PipelineRequest[Any]) -> ArmCall:
    """The call a request belongs to (taken out of the options the first time a policy asks)."""
    context = request.context
    call = context.options.pop(OPTION, None)
    if call is not None:
        context[OPTION] = call
    found = context.get(OPTION)
    if not isinstance(found, ArmCall):
        raise TypeError("an ARM request was sent without its ArmCall (ArmClient builds every request)")
    return found
