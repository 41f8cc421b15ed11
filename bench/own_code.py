"""What this project's own code costs per peering in a no-change ``preview`` or ``up``: the provider's ``check`` and
``diff`` of each stored peering, run in this process on the run's own stack.

The reads cases report the provider process's CPU per operation (``provider_cpu_per_op_ms``), which holds the
SDK's part of each call (gRPC, the properties' (de)serialisation, unpickling the provider) beside ours, and the
trivial provider's figure beside it (``floor_provider_cpu_per_op_ms``). This measures ours alone, on the same
peerings, with the same calls the dynamic-provider process makes for them (``check(olds=stored inputs, news=the
program's inputs)``, then ``diff(id, stored outputs, checked inputs)``): the rest of the provider's figure is the
SDK's, which no change of ours can reduce (docs/benchmarks.md, issue 29's targets).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

#: The key ``check`` adds to a new peering's inputs (recovery evidence); the program never sends it.
_ADDED_BY_CHECK = ("__absent_when_checked",)


def check_diff_cpu_per_op_ms(stored: Sequence[dict[str, Any]], *, rounds: int = 5) -> dict[str, Any]:
    """CPU milliseconds per peering of ``check`` + ``diff`` over ``stored`` (resources as ``pulumi stack export``
    shows them), the median of ``rounds`` passes; with the count of peerings whose diff reported a change (0 for a
    deployed stack: a figure measured on changes would be another case)."""
    from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider

    provider = VirtualNetworkPeeringProvider()
    calls = []
    for resource in stored:
        olds = dict(resource.get("inputs") or {})
        news = {k: v for k, v in olds.items() if k not in _ADDED_BY_CHECK}
        calls.append((resource.get("id") or "", olds, news, dict(resource.get("outputs") or {})))
    if not calls:
        return {"own_check_diff_cpu_per_op_ms": None, "own_check_diff_peerings": 0, "own_check_diff_changes": 0}
    changed = 0
    passes: list[float] = []
    for round_ in range(rounds):
        started = time.process_time()
        for id_, olds, news, outputs in calls:
            checked = provider.check(olds, dict(news))
            diff = provider.diff(id_, outputs, checked.inputs)
            if round_ == 0 and (diff.changes or checked.failures):
                changed += 1
        passes.append((time.process_time() - started) / len(calls) * 1000)
    passes.sort()
    return {
        "own_check_diff_cpu_per_op_ms": round(passes[len(passes) // 2], 4),
        "own_check_diff_peerings": len(calls),
        "own_check_diff_changes": changed,
    }
