"""Workarounds for costs of the Pulumi Python SDK that grow with a program's size.

Kept apart from the component, with nothing imported but ``pulumi``, so that a program that only wants the
workaround (the benchmarks' trivial programs, which must not pay for this package's imports) can use it too.
docs/benchmarks.md, "Findings for upstream", describes each with a reproduction.
"""

from __future__ import annotations

import asyncio
import contextlib
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


__all__ = ["register_before_waiting"]
