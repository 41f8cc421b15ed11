"""Crash recovery from what is shared, the stack's checkpoint and ARM: ``azure-peering-recover``.

A ``pulumi up`` killed while creating peerings (a cancelled CI job) leaves *pending creates* in the checkpoint: the
engine recorded that it asked for a create, with the checked inputs, and never heard back. ARM may or may not have
the peering. Pulumi's own answers do not work for this resource (docs/reliability.md has the evidence):

- ``pulumi refresh --clear-pending-creates`` forgets the create; the next ``up`` then finds the peering in ARM and
  refuses it as a foreign one ("already exists ... set adopt_existing").
- ``pulumi refresh --import-pending-creates <urn> <id>`` drops the pending create without recording anything
  (the engine carries only pending *creates* over to the next checkpoint), with the same result.
- ``pulumi import`` asks the dynamic provider to read with no inputs, and the SDK's dynamic-provider runtime then
  fails with ``KeyError: '__provider'`` (pulumi/pulumi#16175).

This module does what ``--import-pending-creates`` was meant to: for each pending create of a peering it reads the
peering by its deterministic id (the local vnet and the name, from the pending create's inputs) and

- **records** it in the state, with ARM's properties as outputs, when the evidence says this create made it;
- **clears** the pending create when ARM has no such peering (the create never reached ARM), or when another
  resource of the stack holds that very peering (it is not this create's);
- **leaves** it pending, saying why and what to do, in every other case.

"This create made it" needs all of: the check of this create read the local vnet and found no peering of that name
(``__absent_when_checked`` in the pending create's inputs, written by ``VirtualNetworkPeeringProvider.check``;
``adopt_existing=true`` stands in for it, the user having asked to take the peering over); the peering links to the
same remote vnet with exactly the settings of those inputs; and no other resource of the stack holds it. What this
cannot tell apart (ARM keeps no creation time or author for a peering): a peering with identical settings that
someone else created in the seconds between that check and the kill.

Nothing is written to ARM. The state is changed with ``pulumi stack export`` / ``pulumi stack import``, so run this
only while no update of the stack is running (after ``pulumi cancel`` when the killed run left the stack locked).
``pulumi stack import`` (the only non-interactive way to write a checkpoint; ``pulumi state edit`` needs a
terminal) drops *every* pending operation of the checkpoint. Pending updates and deletes lose nothing by that (the
engine never carries them over to the next checkpoint either), but a pending create that is left (ours, or another
provider's) would lose its evidence: then nothing is written unless ``--force`` says to drop those.

Before anything else, on a local (``file://``) backend, a checkpoint metadata file the kill left empty is removed
(:mod:`.checkpoint_files`): until then no Pulumi command, ``pulumi cancel`` included, can load the stack.
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .arm import Deadline
from .checkpoint_files import local_backend_root, remove_unreadable_metadata, unreadable_metadata
from .diffing import arm_differences
from .errors import PeeringError, one_line
from .ids import peering_id_for, same_id
from .models import PeeringSpec, VirtualNetworkPeeringResource, outputs_from
from .properties import ABSENT_WHEN_CHECKED_KEY, spec_inputs, strip_internal
from .resource import VirtualNetworkPeeringProvider
from .runtime import client_for
from .settings import ProviderOverrides, resolve_settings
from .validation import validate_inputs

#: Type tokens of the resources whose pending creates are ours to resolve.
PEERING_TYPES = frozenset({"pulumi-python:dynamic/azure-peering:VirtualNetworkPeering"})
PROVIDER_KEY = "__provider"
#: How long to wait, by default, for a peering whose write ARM is still running to settle.
DEFAULT_WAIT_SECONDS = 300.0


class Action(StrEnum):
    RECORD = "record"
    CLEAR = "clear"
    LEAVE = "leave"


@dataclass(frozen=True)
class Finding:
    """What was decided about one pending create, and why."""

    urn: str
    action: Action
    reason: str
    peering_id: str | None = None

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    def line(self) -> str:
        where = f" {self.peering_id}" if self.peering_id else ""
        return f"{self.action.value:<6} {self.name}{where}: {self.reason}"


@dataclass
class Recovery:
    """The deployment with the decided pending creates resolved, and the findings."""

    deployment: dict[str, Any]
    findings: list[Finding]

    @property
    def changed(self) -> bool:
        return any(f.action is not Action.LEAVE for f in self.findings)

    @property
    def undecided(self) -> list[Finding]:
        return [f for f in self.findings if f.action is Action.LEAVE]

    @property
    def pending_left(self) -> list[dict[str, Any]]:
        """The pending operations the resolved deployment still has (``pulumi stack import`` would drop them)."""
        return list(self.deployment.get("pending_operations") or [])

    @property
    def creates_left(self) -> list[str]:
        """URNs of the pending creates left (ours undecided, or other providers'): writing would lose them."""
        return [str(op["resource"].get("urn")) for op in self.pending_left if op.get("type") == "creating"]


#: Reads the peering with this id as ARM has it now (None: no such peering), with the settings the pending create's
#: inputs imply. May raise PeeringError.
Lookup = Callable[[Mapping[str, Any], str], VirtualNetworkPeeringResource | None]


def pending_creates(deployment: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The pending creates of peering resources in a deployment (the ``deployment`` of ``pulumi stack export``)."""
    ops = deployment.get("pending_operations") or []
    return [
        op
        for op in ops
        if isinstance(op, dict)
        and op.get("type") == "creating"
        and isinstance(op.get("resource"), dict)
        and op["resource"].get("type") in PEERING_TYPES
    ]


def _record_entry(resource: Mapping[str, Any], live: VirtualNetworkPeeringResource, now: str) -> dict[str, Any]:
    """The state entry of a create that finished: the pending create's resource with ARM's answer as outputs."""
    inputs = dict(resource.get("inputs") or {})
    values, _ = validate_inputs(strip_internal(inputs))
    desired = spec_inputs(PeeringSpec.from_checked(values))  # _decide checked that this validates
    outputs = {k: v for k, v in outputs_from(strip_internal(inputs) | desired, live).items() if v is not None}
    if PROVIDER_KEY in inputs:
        outputs[PROVIDER_KEY] = inputs[PROVIDER_KEY]
    entry = copy.deepcopy(dict(resource))
    entry["id"] = live.id
    entry["outputs"] = outputs
    entry["created"] = entry.get("created") or now
    entry["modified"] = now
    return entry


def _decide(
    resource: Mapping[str, Any], held: Mapping[str, str], claimed_twice: set[str], lookup: Lookup
) -> tuple[Finding, VirtualNetworkPeeringResource | None]:
    urn = str(resource.get("urn"))
    inputs = resource.get("inputs") or {}
    vnet, name, remote = (inputs.get(k) for k in ("virtual_network_id", "name", "remote_virtual_network_id"))
    if not (isinstance(vnet, str) and isinstance(name, str) and isinstance(remote, str)):
        return Finding(urn, Action.LEAVE, "its inputs do not name a peering; resolve it by hand"), None
    try:
        peering_id = peering_id_for(vnet, name)
    except (KeyError, ValueError):
        return Finding(urn, Action.LEAVE, f"{vnet!r} is not a virtual network id; resolve it by hand"), None
    holder = held.get(peering_id.lower())
    if holder == urn:
        return Finding(urn, Action.CLEAR, "the state already holds it under this resource", peering_id), None
    if holder is not None:
        return Finding(urn, Action.CLEAR, f"{holder} holds this peering: it is not this create's", peering_id), None
    if peering_id.lower() in claimed_twice:
        reason = "several pending creates name this peering; resolve them by hand"
        return Finding(urn, Action.LEAVE, reason, peering_id), None
    try:
        live = lookup(inputs, peering_id)
    except PeeringError as exc:
        return Finding(urn, Action.LEAVE, f"could not read it: {one_line(str(exc))}", peering_id), None
    if live is None:
        return Finding(urn, Action.CLEAR, "not in ARM: the create never reached it", peering_id), None
    current = live.properties.remote_virtual_network
    if current is None or not same_id(current.id, remote):
        linked = current.id if current is not None else "no vnet"
        reason = f"it links to {linked}, not to {remote}: not this create's; remove or rename one of them"
        return Finding(urn, Action.LEAVE, reason, peering_id), None
    values, failures = validate_inputs(strip_internal(inputs))
    if failures:
        reason = "its inputs are not valid (" + "; ".join(f"{f.property}: {f.reason}" for f in failures) + ")"
        return Finding(urn, Action.LEAVE, reason, peering_id), None
    desired = spec_inputs(PeeringSpec.from_checked(values))
    differences = arm_differences(desired, outputs_from({}, live))
    if differences:
        reason = (
            f"it differs from this create's inputs in {', '.join(differences)}: not evidently this create's; "
            "if it is, set adopt_existing=true on the resource and rerun this with --force"
        )
        return Finding(urn, Action.LEAVE, reason, peering_id), None
    checked = inputs.get(ABSENT_WHEN_CHECKED_KEY)
    if isinstance(checked, str) and checked:
        reason = f"absent when this create was checked ({checked}), now in ARM with its settings"
        return Finding(urn, Action.RECORD, reason, peering_id), live
    if inputs.get("adopt_existing") is True:
        return Finding(urn, Action.RECORD, "adopt_existing is set, in ARM with its settings", peering_id), live
    reason = (
        "cannot tell whether this create made it (its check recorded no absence: preflight off, or started by an "
        "older version); if it did, set adopt_existing=true on the resource and rerun this with --force"
    )
    return Finding(urn, Action.LEAVE, reason, peering_id), None


def recover_deployment(deployment: Mapping[str, Any], lookup: Lookup, *, now: str | None = None) -> Recovery:
    """Resolve the pending creates of peerings in ``deployment`` (see the module docstring). Pure apart from
    ``lookup``; the input is not modified."""
    stamp = now or datetime.now(UTC).isoformat().replace("+00:00", "Z")
    out = copy.deepcopy(dict(deployment))
    resources: list[dict[str, Any]] = list(out.get("resources") or [])
    held = {
        str(r["id"]).lower(): str(r.get("urn"))
        for r in resources
        if r.get("id") and not r.get("delete") and isinstance(r.get("id"), str)
    }
    ops = pending_creates(out)
    named: dict[str, int] = {}
    for op in ops:
        inputs = op["resource"].get("inputs") or {}
        vnet, name = inputs.get("virtual_network_id"), inputs.get("name")
        if isinstance(vnet, str) and isinstance(name, str):
            try:
                key = peering_id_for(vnet, name).lower()
            except (KeyError, ValueError):
                continue
            named[key] = named.get(key, 0) + 1
    claimed_twice = {k for k, n in named.items() if n > 1}

    findings: list[Finding] = []
    decided: dict[int, Finding] = {}
    records: list[dict[str, Any]] = []
    present = {str(r.get("urn")) for r in resources}
    for op in ops:
        resource = op["resource"]
        finding, live = _decide(resource, held, claimed_twice, lookup)
        if finding.action is Action.RECORD and live is not None:
            if str(resource.get("urn")) in present:
                reason = (
                    "a replacement of this resource was interrupted; `pulumi up` cannot finish it while ARM holds the "
                    "new peering: delete that peering, then run this again (it clears the pending create)"
                )
                finding = Finding(finding.urn, Action.LEAVE, reason, finding.peering_id)
            elif resource.get("parent") and resource["parent"] not in present:
                finding = Finding(finding.urn, Action.LEAVE, "its parent is not in the state", finding.peering_id)
            else:
                records.append(_record_entry(resource, live, stamp))
        findings.append(finding)
        decided[id(op)] = finding

    # Dependencies on resources the state does not hold (a create the kill cut off too) are dropped: the next
    # `pulumi up` registers the resource again and writes its dependencies afresh.
    recorded = {str(r.get("urn")) for r in records}
    known = present | recorded
    for entry in records:
        entry["dependencies"] = [d for d in entry.get("dependencies") or [] if d in known]
        deps = entry.get("propertyDependencies")
        if isinstance(deps, dict):
            entry["propertyDependencies"] = {k: [d for d in v if d in known] for k, v in deps.items()}
    out["resources"] = resources + _in_dependency_order(records, present)
    out["pending_operations"] = [
        op
        for op in out.get("pending_operations") or []
        if id(op) not in decided or decided[id(op)].action is Action.LEAVE
    ]
    return Recovery(out, findings)


def _in_dependency_order(records: list[dict[str, Any]], present: set[str]) -> list[dict[str, Any]]:
    """Recorded entries ordered so that each comes after what it depends on (the checkpoint's invariant)."""
    placed = set(present)
    ordered: list[dict[str, Any]] = []
    waiting = list(records)
    while waiting:
        ready = [r for r in waiting if all(d in placed for d in r.get("dependencies") or [])]
        if not ready:  # a cycle cannot come from the engine; keep the rest in their order
            ready = waiting[:1]
        for entry in ready:
            ordered.append(entry)
            placed.add(str(entry.get("urn")))
            waiting.remove(entry)
    return ordered


# ---------------------------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------------------------


class PulumiCli:
    """The few `pulumi` commands recovery needs, on one stack."""

    def __init__(self, binary: str, stack: str | None, cwd: str | None) -> None:
        self.binary = binary
        self.stack = stack
        self.cwd = cwd

    def run(self, *args: str) -> str:
        argv = [self.binary, *args, "--non-interactive"]
        if self.stack:
            argv += ["--stack", self.stack]
        if self.cwd:
            argv += ["--cwd", self.cwd]
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RecoveryError(f"`pulumi {' '.join(args)}` failed: {one_line(proc.stderr or proc.stdout)[-2000:]}")
        return proc.stdout

    def export(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.run("stack", "export"))
        return data

    def backend_url(self) -> str | None:
        """The URL of the backend the stack lives in, as the CLI resolves it (environment, Pulumi.yaml, login);
        None when the CLI cannot say (then `stack export` reports the cause)."""
        argv = [self.binary, "whoami", "--json", "--non-interactive", *(["--cwd", self.cwd] if self.cwd else [])]
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        try:
            url = json.loads(proc.stdout).get("url") if proc.returncode == 0 else None
        except ValueError:
            return None
        return url if isinstance(url, str) else None

    def project_name(self) -> str | None:
        """The project's name from its Pulumi.yaml (None when there is none to read)."""
        import yaml

        folder = Path(self.cwd or ".")
        for name in ("Pulumi.yaml", "Pulumi.yml"):
            if (folder / name).is_file():
                loaded = yaml.safe_load((folder / name).read_text())
                value = loaded.get("name") if isinstance(loaded, dict) else None
                return str(value) if value else None
        return None

    def config(self) -> dict[str, Any]:
        """The stack's config as the provider receives it (secrets included: they stay in this process)."""
        raw: dict[str, Any] = json.loads(self.run("config", "--json", "--show-secrets") or "{}")
        return {k: v.get("objectValue", v.get("value")) for k, v in raw.items() if isinstance(v, dict)}

    def import_deployment(self, document: Mapping[str, Any]) -> None:
        with tempfile.TemporaryDirectory(prefix="azure-peering-recover-") as folder:
            path = Path(folder) / "deployment.json"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(document, handle)
            self.run("stack", "import", "--file", str(path))


class RecoveryError(Exception):
    pass


def repair_checkpoint_metadata(cli: PulumiCli) -> list[str]:
    """Make a local backend's stack loadable again after a kill left its checkpoint's metadata file empty
    (:mod:`.checkpoint_files`); the lines to print. Done in every mode, ``--dry-run`` included: the checkpoint's
    bytes are not changed, and nothing else (Pulumi's own ``cancel`` included) can read the stack until then."""
    root = local_backend_root(cli.backend_url() or "")
    if root is None:
        return []
    found = unreadable_metadata(root, cli.project_name())
    remove_unreadable_metadata(found)
    return [
        f"azure-peering-recover: removed {item.describe()}: until then every Pulumi command on the stack failed "
        "with `failed to load checkpoint: EOF`; the state is unchanged"
        for item in found
    ]


def _overrides(inputs: Mapping[str, Any]) -> ProviderOverrides | None:
    """The explicit settings of the resource's provider, as the dynamic-provider runtime would unpickle them."""
    blob = inputs.get(PROVIDER_KEY)
    if not isinstance(blob, str):
        return None
    try:
        import dill

        provider = dill.loads(base64.b64decode(blob))
    except Exception:  # a provider pickled by another version: its defaults will do
        return None
    if isinstance(provider, VirtualNetworkPeeringProvider):
        overrides = provider.__getstate__().get("_overrides")
        return overrides if isinstance(overrides, ProviderOverrides) else None
    return None


def arm_lookup(config: Mapping[str, Any], wait_seconds: float) -> Lookup:
    """Reads peerings from ARM with the settings the provider would use (its pickled overrides, the stack config,
    the environment); waits up to ``wait_seconds`` for a write ARM is still running to settle."""

    def lookup(inputs: Mapping[str, Any], peering_id: str) -> VirtualNetworkPeeringResource | None:
        settings = resolve_settings(_overrides(inputs), config)
        client = client_for(settings)
        aux = inputs.get("auxiliary_tenant_ids") or list(settings.auxiliary_tenant_ids)
        deadline = Deadline(max(wait_seconds, 60.0))
        live = client.get_peering(peering_id, auxiliary_tenant_ids=aux, deadline=deadline)
        settle = Deadline(wait_seconds)
        while live is not None and live.properties.provisioning_state not in (None, "Succeeded", "Failed"):
            if settle.expired:
                break
            time.sleep(min(client.poll_interval, max(settle.remaining(), 0.1)))
            live = client.get_peering(peering_id, auxiliary_tenant_ids=aux, deadline=deadline)
        return live

    return lookup


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="azure-peering-recover",
        description=(
            "Resolve the pending creates of peerings that a killed `pulumi up` left in the stack's checkpoint: "
            "record those ARM has (made by that create) in the state, clear those it does not, so that the next "
            "`pulumi up` carries on. Reads the checkpoint with `pulumi stack export` and writes it with "
            "`pulumi stack import`; writes nothing to ARM. Run it when no update of the stack is running."
        ),
    )
    parser.add_argument("--stack", "-s", help="the stack (default: the selected one)")
    parser.add_argument("--cwd", "-C", help="the Pulumi project directory (default: the current directory)")
    parser.add_argument("--pulumi", default=os.environ.get("PULUMI_CLI"), help="the pulumi binary (default: on PATH)")
    parser.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT_SECONDS,
        help=f"seconds to wait for a peering ARM is still writing (default {DEFAULT_WAIT_SECONDS:.0f})",
    )
    parser.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")
    parser.add_argument(
        "--force",
        action="store_true",
        help=(
            "write the decided ones even though pending creates are left (ours undecided, or other providers'): "
            "`pulumi stack import` drops them"
        ),
    )
    args = parser.parse_args(argv)

    binary = args.pulumi or shutil.which("pulumi")
    if not binary:
        print("azure-peering-recover: no `pulumi` on PATH (or --pulumi)", file=sys.stderr)
        return 2
    cli = PulumiCli(binary, args.stack, args.cwd)
    try:
        for line in repair_checkpoint_metadata(cli):
            print(line)
        document = cli.export()
        deployment = document.get("deployment") or {}
        if not pending_creates(deployment):
            count = len(deployment.get("pending_operations") or [])
            note = f" ({count} pending operations of other kinds or resources, left as they are)" if count else ""
            print(f"azure-peering-recover: no pending create of a peering{note}")
            return 0
        recovery = recover_deployment(deployment, arm_lookup(cli.config(), args.wait))
        for finding in recovery.findings:
            print(finding.line())
        left = recovery.creates_left
        if args.dry_run:
            return 1 if left else 0
        if left and not args.force:
            if not recovery.changed:
                return 1
            others = [u for u in left if u not in {f.urn for f in recovery.undecided}]
            print(
                "azure-peering-recover: nothing written: `pulumi stack import` would drop the pending creates left "
                f"({len(recovery.undecided)} of peerings, see above; {len(others)} of other resources"
                + (": " + ", ".join(others) if others else "")
                + "). Resolve them first and run this again, or rerun with --force to drop them"
            )
            return 1
        cli.import_deployment({**document, "deployment": recovery.deployment})
        recorded = sum(f.action is Action.RECORD for f in recovery.findings)
        cleared = sum(f.action is Action.CLEAR for f in recovery.findings)
        print(f"azure-peering-recover: {recorded} recorded, {cleared} cleared; run `pulumi up` to carry on")
        for op in recovery.pending_left:
            print(f"azure-peering-recover: dropped the pending {op.get('type')} of {op['resource'].get('urn')}")
    except (RecoveryError, PeeringError, ValueError) as exc:
        print(f"azure-peering-recover: {one_line(str(exc))}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
