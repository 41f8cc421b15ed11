"""The one check every reliability scenario ends with: the stack's state and the emulator agree exactly.

"Agree" means: the same set of peering ids in the checkpoint as in ARM (no orphan in the cloud, nothing in state
that the cloud lacks), the same remote vnet and flags on each, no pending operation left in the checkpoint, and no
write still running in the emulator. Plus the helpers that read a failed run's output for its one-line causes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

from harness import topology
from harness.pulumi import PulumiProject, PulumiResult, program_tracebacks

# (state output, ARM property) pairs compared between the checkpoint and the emulator
COMPARED = (
    ("remote_virtual_network_id", "remoteVirtualNetwork"),
    ("allow_virtual_network_access", "allowVirtualNetworkAccess"),
    ("allow_forwarded_traffic", "allowForwardedTraffic"),
    ("allow_gateway_transit", "allowGatewayTransit"),
    ("use_remote_gateways", "useRemoteGateways"),
    ("peer_complete_vnets", "peerCompleteVnets"),
)


def _norm(value: Any) -> Any:
    if isinstance(value, dict) and "id" in value:
        value = value["id"]
    return value.lower() if isinstance(value, str) else value


def state_peerings(project: PulumiProject) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Peerings in the checkpoint by lower-cased ARM id (their outputs), and the checkpoint's pending operations."""
    deployment = project.export()["deployment"]
    peerings: dict[str, dict[str, Any]] = {}
    for resource in deployment.get("resources") or []:
        if resource["type"].endswith("VirtualNetworkPeering"):
            peerings[str(resource["id"]).lower()] = resource.get("outputs") or {}
    return peerings, list(deployment.get("pending_operations") or [])


def cloud_peerings(emulator: Any) -> dict[str, dict[str, Any]]:
    """Every peering the emulator holds, by lower-cased ARM id (ARM's rendering)."""
    return {str(p["id"]).lower(): p for p in emulator.state()["virtualNetworkPeerings"]}


def wait_for_idle(emulator: Any, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Wait until no write is running in the emulator (writes have latency); returns what is still pending."""
    deadline = time.monotonic() + timeout
    while True:
        pending: list[dict[str, Any]] = emulator.state()["pendingOperations"]
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(0.2)


def differences(project: PulumiProject, emulator: Any) -> list[str]:
    """Every way the checkpoint and the emulator disagree, one line each (empty: they agree exactly)."""
    problems: list[str] = []
    pending_cloud = wait_for_idle(emulator)
    if pending_cloud:
        problems.append(f"{len(pending_cloud)} write(s) still running in ARM")
    state, pending = state_peerings(project)
    cloud = cloud_peerings(emulator)
    for op in pending:
        problems.append(f"pending {op.get('type')} of {op['resource']['urn'].split('::')[-1]} left in the checkpoint")
    for pid in sorted(set(cloud) - set(state)):
        problems.append(f"orphan in ARM (not in state): {pid}")
    for pid in sorted(set(state) - set(cloud)):
        problems.append(f"in state but not in ARM: {pid}")
    for pid in sorted(set(state) & set(cloud)):
        outputs, props = state[pid], cloud[pid]["properties"]
        for out_key, arm_key in COMPARED:
            if _norm(outputs.get(out_key)) != _norm(props.get(arm_key)):
                problems.append(f"{pid}: {out_key} is {outputs.get(out_key)!r} in state, {props.get(arm_key)!r} in ARM")
        if props.get("provisioningState") != "Succeeded":
            problems.append(f"{pid}: provisioningState {props.get('provisioningState')} in ARM")
    return problems


def assert_consistent(project: PulumiProject, emulator: Any) -> None:
    problems = differences(project, emulator)
    assert not problems, "state and ARM disagree:\n" + "\n".join(problems)


def assert_state_within_cloud(project: PulumiProject, emulator: Any) -> None:
    """After a failed run: everything the checkpoint records exists in ARM (it may lack what failed)."""
    state, _ = state_peerings(project)
    missing = sorted(set(state) - set(cloud_peerings(emulator)))
    assert not missing, f"the checkpoint records peerings ARM does not have: {missing}"


def hub_spoke_ids(n: int) -> set[str]:
    """The ids of a complete hub-and-spoke rollout of ``harness.topology.hub_and_spokes(n)`` (lower case)."""
    hub = topology.hub_id()
    ids: set[str] = set()
    for i in range(n):
        spoke = topology.spoke_id(i)
        spoke_vnet = spoke.rsplit("/", 1)[1]
        ids.add(f"{hub}/virtualNetworkPeerings/vnet-hub-to-{spoke_vnet}".lower())
        ids.add(f"{spoke}/virtualNetworkPeerings/{spoke_vnet}-to-vnet-hub".lower())
    return ids


def assert_topology_complete(emulator: Any, expected: Iterable[str]) -> None:
    """Every expected peering exists, Connected and Succeeded, and nothing else."""
    cloud = cloud_peerings(emulator)
    assert set(cloud) == set(expected), (sorted(set(expected) - set(cloud)), sorted(set(cloud) - set(expected)))
    states = {pid: (p["properties"]["peeringState"], p["properties"]["provisioningState"]) for pid, p in cloud.items()}
    assert set(states.values()) == {("Connected", "Succeeded")}, states


# -- failure output -----------------------------------------------------------------------------------------------

_RESOURCE_HEADER = re.compile(r"^  (?P<type>\S+) \((?P<name>[^)]*)\):$")
_FRAME = re.compile(r"^\s*(File \"|Traceback |\^+$|~+$)")
#: What a readable cause looks like: it names the operation and the peering, then says why.
CAUSE = re.compile(r"(create|update|delete|read) peering '[^']+'( \([^)]*\))?: \S")
#: ARM's answer in a cause: status and code, e.g. "ARM 409 AnotherOperationInProgress".
ARM_CODE = re.compile(r"ARM \d{3}( [A-Za-z]+)?: ")
#: Causes that are not an ARM answer: our own deadline, the network, the token service.
OWN_CAUSES = ("did not finish within", "waited ", "could not reach", "could not get an ARM token", "TLS verification")


def diagnostics(output: str) -> dict[tuple[str, str], list[str]]:
    """The Diagnostics section of a CLI run: (resource type, resource name) -> its lines (indentation stripped)."""
    blocks: dict[tuple[str, str], list[str]] = {}
    current: list[str] | None = None
    in_diagnostics = False
    for line in output.splitlines():
        if line.startswith("Diagnostics:"):
            in_diagnostics = True
            continue
        if not in_diagnostics:
            continue
        header = _RESOURCE_HEADER.match(line)
        if header:
            current = blocks.setdefault((header["type"], header["name"]), [])
            continue
        if line and not line.startswith(" "):
            in_diagnostics = False  # "Resources:", "Outputs:" ...
            current = None
            continue
        if current is not None and line.strip():
            current.append(line.strip())
    return blocks


def failure_causes(result: PulumiResult) -> dict[str, str]:
    """For each peering whose step failed: the last line of its error (what the user reads first)."""
    causes: dict[str, str] = {}
    for (kind, name), lines in diagnostics(result.output).items():
        if not kind.endswith("VirtualNetworkPeering") or not any(line.startswith("error:") for line in lines):
            continue
        errors = [line for line in lines if not _FRAME.match(line)]
        if errors:
            causes[name] = errors[-1]
    return causes


def assert_one_line_causes(result: PulumiResult) -> dict[str, str]:
    """A failed run explains itself: each failed peering's last error line names the peering and the cause, and
    the program's own errors (the stack's block) carry no Python traceback."""
    assert not result.ok
    causes = failure_causes(result)
    # the program may fail too, e.g. the component's read-only lookups: with a readable message (HubSpokeError is
    # a RunError, printed without a traceback), never a Python traceback
    program = [
        line
        for (kind, _), lines in diagnostics(result.output).items()
        if kind == "pulumi:pulumi:Stack"
        for line in lines
    ]
    assert program_tracebacks(result.output) == [], "\n".join(program)
    assert causes or any(line.startswith("error:") for line in program), f"no cause in:\n{result.output[-3000:]}"
    for name, line in causes.items():
        message = line.split(": ", 1)[1] if line.startswith("pulumi_azure_peering.provider.errors.") else line
        assert CAUSE.search(message), f"{name}: unreadable cause {line!r}"
        assert ARM_CODE.search(message) or any(c in message for c in OWN_CAUSES), f"{name}: no ARM code in {line!r}"
        assert "Traceback" not in message and len(message) < 2000, line
    return causes
