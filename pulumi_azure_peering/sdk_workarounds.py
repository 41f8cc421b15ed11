"""Workarounds for costs of the Pulumi Python SDK that grow with a program's size.

Kept apart from the component, with nothing imported but ``pulumi``, so that a program that only wants the
workaround (the benchmarks' trivial programs, which must not pay for this package's imports) can use it too.
docs/benchmarks.md, "Findings for upstream", describes each with a reproduction.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Sequence

import pulumi
from pulumi.runtime import settings


def register_before_waiting(resources: Sequence[pulumi.Resource]) -> None:
    """Make the SDK wait for these resources' registrations one by one before it watches every pending output.

    A workaround for ``pulumi.runtime.stack.wait_for_rpcs`` (finding B): at the end of a program it first awaits
    the RPCs in ``rpc_manager.rpcs``, then every pending output with ``asyncio.wait(..., FIRST_COMPLETED)`` once
    per completion. Register-resource RPCs add themselves to that list only once the event loop first runs them,
    after the program has returned: so the list is empty, the SDK goes straight to the outputs, and every
    completed registration costs a pass over every pending output of every resource (31 per peering): O(N^2) for
    the whole run. One awaitable of our own in the list, resolved once every one of ``resources`` has been
    answered (created or failed), makes the SDK await the registrations first. Never raises: a failed resource is
    reported by its own registration. Does nothing on an SDK without that list.
    """
    manager = getattr(settings, "_get_rpc_manager", None)
    rpcs = getattr(manager(), "rpcs", None) if manager is not None else None
    if not isinstance(rpcs, list):
        return

    async def answered() -> None:
        for resource in resources:
            with contextlib.suppress(Exception):
                await resource.urn.future()

    rpcs.append(asyncio.ensure_future(answered()))


def freeze_start_up_heap() -> None:
    """Move every object alive now out of the cyclic collector's reach (``gc.freeze``): for a provider plugin's
    own process, once it has imported what it serves with and before it serves.

    A workaround for the collector's share of the SDK's registration cost (finding J): a plugin whose
    ``construct`` registers a hub's 400 children runs about seven full collections, and each traverses every
    tracked object, the tens of thousands that the imports of the SDK, gRPC and the plugin's own modules left
    behind included. Those live as long as the process, so a full collection never frees any of them; frozen,
    they are no longer traversed. Objects made afterwards (the requests, the resources, whatever is imported
    later) are collected as before. Garbage already waiting at the freeze (from the imports: a few reference
    cycles) is kept until the process exits rather than paying for a collection at every start-up.

    Only for a process that the caller owns (a plugin it starts and serves from): never from a library imported
    into someone else's program, whose heap at that moment is not its to keep.
    """
    gc.freeze()


__all__ = ["freeze_start_up_heap", "register_before_waiting"]
