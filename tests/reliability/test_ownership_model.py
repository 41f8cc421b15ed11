"""The ownership model as a stateful property (issue 24): two stacks, random runs, invariants after every step.

A small engine simulator drives the real provider object against the emulator the way the Pulumi engine does (one
``up``, ``refresh`` or ``destroy`` of one stack is one *run*, served by a fresh provider process: a ``Runtime``
of its own, with an empty ledger, no cached vnet facts or peering reads). Two stacks, each with a program of up to
two resources, pick peerings from a few *slots* over three vnets that overlap on purpose (two names for the same
link, two links under the same name, and the reverse of a link), and hypothesis chooses the sequence of runs and
out-of-band changes.

How the simulator runs ``up`` (pulumi's step generator, ``pkg/resource/deploy/step_generator.go``):

- the preview checks every resource of the program (``check(old inputs, news)``, ``diff`` and, for a replacement,
  ``check({}, news)``); any failure refuses the ``up`` before anything is written. Each run draws one of three
  ways the preview and the update share provider processes: the preview in its own process (what the CLI does), in
  the same process as the update (what ``provider/ownership.py`` assumes), or no preview (``--skip-preview``).
- the update then takes the resources in program order: ``check(old inputs, news)``; a resource not in the state
  is created; one in the state is diffed (``diff(id, old outputs, checked)``) and left as it is (new inputs, old
  outputs), updated, or replaced. A replacement checks again with no olds, deletes the old peering and creates the
  new one (``VirtualNetworkPeering`` defaults ``delete_before_replace=True``); if that create fails, the old entry
  stays in the state *pending replacement*. ``up --replace r`` skips ``diff`` and the second check. The first
  failure ends the run; resources in the state but not in the program are deleted only after a run without one.
- an alias moves the state entry to the new name before the run (its inputs and outputs still carry the old
  ``__resource_name``); a rename without alias is a new resource plus a deleted one.
- ``refresh`` reads every resource (an empty id drops it); ``destroy`` deletes every resource.

Every call that may write is watched through the emulator's request log. The test keeps its own record of which
*instance* of each peering exists and which state entry created or adopted it (ETags and GUIDs are not
identities), and checks:

(a) a peering is deleted or rewritten only by the state entry that holds it and created or adopted it; a create
    may write a peering that exists only with ``adopt_existing`` (and then owns it), and not while another resource
    of the run holds it and still names it; ``check``, ``diff`` and ``read`` never write. The one write to another
    resource's peering the design asks for, re-arming or syncing the reverse peering of a pair (``_rearm_reverse``
    / ``_sync_reverse``), is allowed only if it leaves every property of that peering as it was (read strictly,
    "rewritten" would forbid it: see ``test_re_arming_...``).
(b) what a run was asked to do is carried out, or the run is refused with a reason (a check failure with a reason,
    or a ``PeeringError`` with a message); a crash of another kind fails the test. After an ``up`` that succeeded,
    the stack's state is its program (slot, remote, flags) and each peering in ARM is that entry's. Two resources
    of one program naming the same peering or the same pair of vnets are refused at check naming both. An ``up``
    that the model finds free of conflicts (every peering to be made absent from ARM and its link unused, but for
    the resource's own old peering or an out-of-band one it adopts) must succeed; ``refresh`` and ``destroy``
    always must.
(c) the peerings in ARM (of the three vnets) are the union of the peerings the stacks' states hold plus those made
    out of band and not adopted, each held by exactly one resource of one stack (after a failed run, a resource
    the run did not get to delete or replace may still hold it too); every peering a state holds exists in ARM
    with that state's remote vnet.

Decisions the model cannot make, and how the machine avoids asking for them:

- ``adopt_existing`` is never drawn for a peering another stack's state holds (taking it over is the adopter's
  explicit choice, and the other stack's state then lists it too): it is drawn for peerings made out of band, for
  absent ones, and for those the same stack holds (a rename without alias that adopts its own peering).
- After an out-of-band delete, the stack whose state holds that peering is *stale* until it refreshes, replaces or
  re-creates it: its entry is excused from "exists in ARM", and the other stack's programs never name that
  peering's id (ARM keeps no identity: a peering the other stack made under the same id would be indistinguishable
  from the deleted one). Out-of-band creates only use ids no state holds.

Below the property: the machine's fixed steps against a provider broken on purpose (it must catch both), the
re-arm it allows, and the counterexamples it found, replayed as strict xfails until the provider is fixed.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from pulumi.dynamic import CheckResult

from pulumi_azure_peering.provider.errors import PeeringError
from pulumi_azure_peering.provider.ids import parent_vnet_id, same_id
from pulumi_azure_peering.provider.ownership import RunLedger
from pulumi_azure_peering.provider.peering import VirtualNetworkPeeringArgs, peering_properties
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from pulumi_azure_peering.provider.runtime import Runtime, use_runtime
from tests.emulator_config import DEFAULT_SEED, seeded_vnet
from tests.provider_on_emulator.provider_env import new_provider
from tests.reliability.knobs import examples

pytestmark = pytest.mark.reliability

T = TypeVar("T")

VNETS = {"A": seeded_vnet("vnet-hub"), "B": seeded_vnet("vnet-payments"), "C": seeded_vnet("vnet-analytics")}
PROVIDER_KEY = "__provider"
NAMES = ("r1", "r2", "r3")
MODES = ("own preview", "shared preview", "skip preview")
"""Own: the preview runs in a provider process of its own (the CLI); shared: preview and update share one
process (ownership.py's assumption); skip: ``pulumi up --skip-preview``."""

STACK = st.sampled_from([0, 1])
MODE = st.sampled_from(MODES)
#: 120 runs of up to 10 steps by default (about 45 s), 600 with ``RELIABILITY_HEAVY=1``.
SETTINGS = settings(max_examples=examples(120, 600), stateful_step_count=10, deadline=None)


@dataclass(frozen=True)
class Slot:
    """A peering a resource may name: ``name`` under vnet ``local``, linking it to ``remote``."""

    local: str
    name: str
    remote: str

    @property
    def id(self) -> str:
        return f"{VNETS[self.local]}/virtualNetworkPeerings/{self.name}"

    @property
    def key(self) -> str:
        return self.id.lower()

    @property
    def link(self) -> tuple[str, str]:
        return (VNETS[self.local].lower(), VNETS[self.remote].lower())

    def __str__(self) -> str:
        return f"{self.local}/{self.name}->{self.remote}"


SLOTS = (
    Slot("A", "p1", "B"),
    Slot("B", "back", "A"),  # the reverse of A/p1: the pair connects, and deleting one side disconnects the other
    Slot("A", "p3", "C"),
    Slot("A", "p2", "B"),  # the same link as A/p1: ARM allows one peering per pair of vnets
    Slot("A", "p1", "C"),  # the same id as A/p1->B, another remote
)


@dataclass(frozen=True)
class Decl:
    """One resource of a program."""

    name: str
    slot: int
    adopt: bool = False
    fwd: bool = False
    preflight: bool = True

    @property
    def target(self) -> Slot:
        return SLOTS[self.slot]

    def news(self) -> dict[str, Any]:
        """The inputs the SDK registers (``peering_properties`` without the ``None`` values it does not send)."""
        slot = self.target
        args = VirtualNetworkPeeringArgs(
            virtual_network_id=VNETS[slot.local],
            remote_virtual_network_id=VNETS[slot.remote],
            name=slot.name,
            allow_forwarded_traffic=self.fwd,
            adopt_existing=True if self.adopt else None,
            preflight=None if self.preflight else False,
        )
        props = {k: v for k, v in peering_properties(self.name, args).items() if v is not None}
        return {**props, PROVIDER_KEY: "serialized"}

    def __repr__(self) -> str:
        flags = "".join(f" {f}" for f, on in (("adopt", self.adopt), ("fwd", self.fwd)) if on)
        return f"{self.name}={SLOTS[self.slot]}{flags}{'' if self.preflight else ' no-preflight'}"


Program = tuple[Decl, ...]


@dataclass
class Entry:
    """A resource in a stack's state. ``key`` is its identity across renames with alias (the URN's stand-in)."""

    key: int
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    pending_replacement: bool = False
    """Its peering was deleted by a replacement whose create failed: it holds nothing until it is replaced."""


@dataclass
class Stack:
    name: str
    entries: dict[str, Entry] = field(default_factory=dict)
    program: Program = ()


@dataclass
class Instance:
    """One life of a peering in ARM, between the PUT that made it and the DELETE that removed it."""

    serial: int
    owner: int | None
    """Key of the state entry whose create made or adopted it; None: made out of band and not adopted."""
    remote: str


@dataclass(frozen=True)
class Actor:
    """Who a provider call acts for: a resource of a stack, the call, and the peering id the call is about."""

    stack: str
    name: str
    key: int
    call: str
    target: str
    adopt: bool = False
    remote: str = ""
    """The remote vnet of the peering a create or update writes (lower-cased)."""

    def __str__(self) -> str:
        return f"{self.call} of {self.stack}/{self.name} (entry #{self.key}) on {short(self.target)}"


class Refused(Exception):
    """A run stopped: check failures or a provider error, each with its reason."""

    def __init__(self, reasons: list[str], *, at_check: bool) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        self.at_check = at_check


@dataclass
class Outcome:
    ok: bool
    reasons: list[str] = field(default_factory=list)
    at_check: bool = False


def short(peering_id: str) -> str:
    """``vnet-hub/p1`` for a peering id."""
    parts = peering_id.rstrip("/").split("/")
    return f"{parts[-3]}/{parts[-1]}"


# Properties a PUT of someone else's peering must leave as they were (a re-arm or sync writes them back unchanged).
CONFIG = (
    "allowVirtualNetworkAccess",
    "allowForwardedTraffic",
    "allowGatewayTransit",
    "useRemoteGateways",
    "doNotVerifyRemoteGateways",
    "peerCompleteVnets",
    "enableOnlyIPv6Peering",
    "localSubnetNames",
    "remoteSubnetNames",
)


def config(body: dict[str, Any]) -> dict[str, Any]:
    props = body.get("properties") or {}
    remote = (props.get("remoteVirtualNetwork") or {}).get("id", "")
    return {"remote": str(remote).lower(), **{k: props.get(k) for k in CONFIG}}


class Arm:
    """The emulator's peerings of the three vnets, and the test's record of who made each instance of them."""

    def __init__(self, emu: Any) -> None:
        self.emu = emu
        self.instances: dict[str, Instance] = {}
        self.serials = itertools.count(1)
        self.vanished: set[int] = set()
        """Keys of state entries whose peering was deleted out of band (stale until refreshed or re-created)."""
        self.rearms: list[str] = []

    def listing(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for vnet_id in VNETS.values():
            url: str | None = f"{vnet_id}/virtualNetworkPeerings"
            while url:
                response = self.emu.arm("GET", url)
                assert response.status_code == 200, response.text
                body = response.json()
                for item in body.get("value", []):
                    found[str(item["id"]).lower()] = item
                url = body.get("nextLink")
        return found

    def accepted_peering_writes_since(self, seq: int) -> list[dict[str, Any]]:
        """Accepted PUTs and DELETEs of peerings since ``seq``, in order."""
        return [
            r
            for r in self.emu.request_log(since=seq)
            if r["method"] in ("PUT", "DELETE")
            and "/virtualnetworkpeerings/" in r["path"].lower()
            and 200 <= int(r["status"]) < 300
        ]

    def watch(self, actor: Actor, call: Callable[[], T], *, adoption: Callable[[Actor, str], str | None]) -> T:
        """Run one provider call and account for every peering it wrote (invariant a)."""
        writer = actor.call in ("create", "update", "delete")
        before = self.listing() if writer else {}
        seq = self.emu.last_request_seq()
        try:
            return call()
        finally:
            self.account(actor, self.accepted_peering_writes_since(seq), before, adoption)

    def account(
        self,
        actor: Actor,
        writes: list[dict[str, Any]],
        before: dict[str, dict[str, Any]],
        adoption: Callable[[Actor, str], str | None],
    ) -> None:
        if actor.call not in ("create", "update", "delete"):
            assert not writes, f"(a) {actor} wrote to ARM: {[(w['method'], w['path']) for w in writes]}"
            return
        after = self.listing()
        for write in writes:
            pid = str(write["path"]).rstrip("/").lower()
            inst = self.instances.get(pid)
            if write["method"] == "DELETE":
                if inst is None:
                    continue
                own = inst.owner == actor.key and pid == actor.target and actor.call in ("delete", "create")
                assert own, f"(a) {actor} deleted {short(pid)} #{inst.serial}, made or adopted by {self.who(inst)}"
                del self.instances[pid]
                continue
            if inst is None:  # a PUT that made a peering
                assert actor.call in ("create", "update") and pid == actor.target, (
                    f"(a) {actor} created {short(pid)}, which it does not name"
                )
                remote = config(after[pid])["remote"] if pid in after else ""
                self.instances[pid] = Instance(next(self.serials), actor.key, remote)
                self.vanished.discard(actor.key)
            elif pid == actor.target and actor.call == "create":
                assert actor.adopt, (
                    f"(a) {actor} wrote over {short(pid)} #{inst.serial} ({self.who(inst)}) without adopt_existing"
                )
                problem = adoption(actor, pid)
                assert problem is None, f"(a) {actor} adopted {short(pid)} #{inst.serial}, {problem}"
                inst.owner = actor.key
            elif pid == actor.target and actor.call == "update":
                assert inst.owner == actor.key, (
                    f"(a) {actor} rewrote {short(pid)} #{inst.serial}, made or adopted by {self.who(inst)}"
                )
            else:  # another resource's peering: only a re-arm or sync of the reverse that changes none of it
                was, now = before.get(pid), after.get(pid)
                link = (parent_vnet_id(pid).lower(), inst.remote)
                reverse = actor.call in ("create", "update") and link == (
                    actor.remote,
                    parent_vnet_id(actor.target).lower(),
                )
                assert reverse, f"(a) {actor} wrote {short(pid)} #{inst.serial} ({self.who(inst)})"
                assert was is not None and now is not None and config(was) == config(now), (
                    f"(a) {actor} rewrote {short(pid)} #{inst.serial} ({self.who(inst)}): "
                    f"{config(was or {})} -> {config(now or {})}"
                )
                self.rearms.append(f"{actor} re-armed {short(pid)}")
        assert set(after) == set(self.instances), (
            f"ARM changed without a write the test saw: ARM {sorted(map(short, after))}, "
            f"recorded {sorted(map(short, self.instances))}"
        )

    def who(self, inst: Instance) -> str:
        return "nobody (out of band)" if inst.owner is None else f"entry #{inst.owner}"


class Engine:
    """Runs one stack's ``up``, ``refresh`` and ``destroy`` against the provider the way the Pulumi engine does."""

    def __init__(self, arm: Arm, stacks: list[Stack]) -> None:
        self.arm = arm
        self.stacks = stacks
        self.keys = itertools.count(1)
        self.provider: VirtualNetworkPeeringProvider = new_provider()
        self.running: dict[str, str] = {}
        """The resources of the program being run, and the peering id each names."""
        self.process = ExitStack()
        """Holds the runtime of the provider process of the current run."""

    def new_process(self) -> None:
        """A fresh dynamic-provider process: a runtime of its own (an empty run ledger, nothing cached)."""
        self.process.close()
        self.process.enter_context(use_runtime(Runtime()))
        self.provider = new_provider()

    def holders(self, peering_id: str) -> list[tuple[Stack, str, Entry]]:
        return [
            (stack, name, entry)
            for stack in self.stacks
            for name, entry in stack.entries.items()
            if entry.id.lower() == peering_id.lower()
        ]

    def adoption(self, actor: Actor, peering_id: str) -> str | None:
        """Why a create may not take this peering over, if it may not: another stack's state holds it (the
        machine never asks for that), or another resource of the program being run holds it and still names it.
        A resource the run deletes (a rename without alias) or moves to another peering may hand it over."""
        for stack, name, entry in self.holders(peering_id):
            if entry.key == actor.key:
                continue
            if stack.name != actor.stack:
                return f"which {stack.name}/{name} holds (test bug: the machine never draws that)"
            if self.running.get(name) == peering_id.lower():
                return f"which {stack.name}/{name}, a resource of the same program, holds and still names"
        return None

    def call(self, actor: Actor, fn: Callable[[], T]) -> T:
        return self.arm.watch(actor, fn, adoption=self.adoption)

    # -- the provider's calls ----------------------------------------------------------------------------------

    def check(
        self, stack: Stack, decl: Decl, olds: dict[str, Any], *, key: int = 0
    ) -> tuple[dict[str, Any], list[str]]:
        news = decl.news()
        actor = Actor(stack.name, decl.name, key, "check", decl.target.key)
        result: CheckResult = self.call(actor, lambda: self.provider.check(olds, news))
        failures = list(result.failures or [])
        for failure in failures:
            assert isinstance(failure.reason, str) and failure.reason.strip(), (
                f"(b) a check failure without a reason: {failure}"
            )
        reasons = [f"{decl.name}: {f.property}: {f.reason}" for f in failures]
        return {**(result.inputs or {}), PROVIDER_KEY: news[PROVIDER_KEY]}, reasons

    def checked(self, stack: Stack, decl: Decl, olds: dict[str, Any], *, key: int = 0) -> dict[str, Any]:
        inputs, reasons = self.check(stack, decl, olds, key=key)
        if reasons:
            raise Refused(reasons, at_check=True)
        return inputs

    def write(self, actor: Actor, fn: Callable[[], T]) -> T:
        """A create, update or delete: a ``PeeringError`` with a message refuses the run; anything else is a crash."""
        try:
            return self.call(actor, fn)
        except PeeringError as exc:
            assert str(exc).strip(), f"(b) {actor} failed without a message: {exc!r}"
            raise Refused([f"{actor.name}: {exc}"], at_check=False) from exc

    def create(self, stack: Stack, decl: Decl, key: int, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        remote = VNETS[decl.target.remote].lower()
        actor = Actor(stack.name, decl.name, key, "create", decl.target.key, adopt=decl.adopt, remote=remote)
        created = self.write(actor, lambda: self.provider.create(inputs))
        assert created.id, f"(b) {actor} returned no id"
        return created.id, {**(created.outs or {}), PROVIDER_KEY: inputs[PROVIDER_KEY]}

    def delete(self, stack: Stack, name: str, entry: Entry) -> None:
        actor = Actor(stack.name, name, entry.key, "delete", entry.id.lower())
        self.write(actor, lambda: self.provider.delete(entry.id, entry.outputs))

    # -- commands ----------------------------------------------------------------------------------------------

    def up(self, stack: Stack, program: Program, mode: str, replace_name: str | None = None) -> Outcome:
        self.new_process()
        self.running = {decl.name: decl.target.key for decl in program}
        try:
            if mode != "skip preview":
                reasons = self.preview(stack, program, replace_name)
                if reasons:
                    return Outcome(False, reasons, at_check=True)
                if mode == "own preview":
                    self.new_process()
            for decl in program:
                self.step(stack, decl, targeted=decl.name == replace_name)
            wanted = {decl.name for decl in program}
            for name in [n for n in reversed(list(stack.entries)) if n not in wanted]:
                self.delete(stack, name, stack.entries[name])
                self.forget(stack, name)
        except Refused as refused:
            return Outcome(False, refused.reasons, at_check=refused.at_check)
        return Outcome(True)

    def preview(self, stack: Stack, program: Program, replace_name: str | None) -> list[str]:
        reasons: list[str] = []
        for decl in program:
            entry = stack.entries.get(decl.name)
            key = entry.key if entry else 0
            # the engine checks a `--replace` target with no old inputs (step_generator.go: its old state ignored)
            olds = entry.inputs if entry and decl.name != replace_name else {}
            inputs, failures = self.check(stack, decl, olds, key=key)
            reasons += failures
            if failures or entry is None or decl.name == replace_name:
                continue
            diff = self.call(
                Actor(stack.name, decl.name, key, "diff", entry.id.lower()),
                partial(self.provider.diff, entry.id, entry.outputs, inputs),
            )
            if diff.replaces or entry.pending_replacement:
                reasons += self.check(stack, decl, {}, key=key)[1]
        return reasons

    def step(self, stack: Stack, decl: Decl, *, targeted: bool) -> None:
        entry = stack.entries.get(decl.name)
        if entry is None:
            inputs = self.checked(stack, decl, {})
            key = next(self.keys)
            peering_id, outputs = self.create(stack, decl, key, inputs)
            stack.entries[decl.name] = Entry(key, peering_id, inputs, outputs)
            return
        inputs = self.checked(stack, decl, {} if targeted else entry.inputs, key=entry.key)
        if targeted:
            self.replace(stack, decl, entry, inputs)
            return
        diff = self.call(
            Actor(stack.name, decl.name, entry.key, "diff", entry.id.lower()),
            partial(self.provider.diff, entry.id, entry.outputs, inputs),
        )
        if diff.replaces or entry.pending_replacement:
            self.replace(stack, decl, entry, self.checked(stack, decl, {}, key=entry.key))
        elif diff.changes:
            remote = VNETS[decl.target.remote].lower()
            actor = Actor(stack.name, decl.name, entry.key, "update", entry.id.lower(), remote=remote)
            updated = self.write(actor, lambda: self.provider.update(entry.id, entry.outputs, inputs))
            entry.inputs, entry.outputs = inputs, {**(updated.outs or {}), PROVIDER_KEY: inputs[PROVIDER_KEY]}
        else:
            entry.inputs = inputs  # a same step: the new inputs, the old outputs

    def replace(self, stack: Stack, decl: Decl, entry: Entry, inputs: dict[str, Any]) -> None:
        """Delete before replace; a failed create leaves the entry pending replacement."""
        if not entry.pending_replacement:
            self.delete(stack, decl.name, entry)
            entry.pending_replacement = True
            self.arm.vanished.discard(entry.key)
        entry.id, entry.outputs = self.create(stack, decl, entry.key, inputs)
        entry.inputs, entry.pending_replacement = inputs, False

    def forget(self, stack: Stack, name: str) -> None:
        entry = stack.entries.pop(name)
        self.arm.vanished.discard(entry.key)

    def refresh(self, stack: Stack) -> Outcome:
        self.new_process()
        self.running = {}
        try:
            for name, entry in list(stack.entries.items()):
                actor = Actor(stack.name, name, entry.key, "read", entry.id.lower())
                try:
                    read = self.call(actor, partial(self.provider.read, entry.id, entry.outputs))
                except PeeringError as exc:
                    raise Refused([f"{name}: {exc}"], at_check=False) from exc
                if not read.id:
                    self.forget(stack, name)
                else:
                    entry.id, entry.outputs = read.id, {**(read.outs or {}), PROVIDER_KEY: "serialized"}
        except Refused as refused:
            return Outcome(False, refused.reasons)
        return Outcome(True)

    def destroy(self, stack: Stack) -> Outcome:
        self.new_process()
        self.running = {}
        try:
            for name in reversed(list(stack.entries)):
                self.delete(stack, name, stack.entries[name])
                self.forget(stack, name)
        except Refused as refused:
            return Outcome(False, refused.reasons)
        return Outcome(True)


def without_sibling_adoption(stack: Stack, program: Program) -> Program:
    """The program without adopt_existing on a peering another entry of the same stack holds: without a preview the
    engine checks each resource just before its step, so the provider cannot know, when the adopting resource is
    created, that a later resource of the program holds and names the peering (a documented limit,
    docs/ownership.md; with a preview both checks come first and the run is refused before any write)."""
    held = {e.id.lower(): name for name, e in stack.entries.items()}
    return tuple(
        replace(d, adopt=False) if d.adopt and held.get(d.target.key, d.name) != d.name else d for d in program
    )


def duplicates(program: Program) -> tuple[str, str] | None:
    """The names of two resources of the program that name the same peering or link the same two vnets."""
    for a, b in itertools.combinations(program, 2):
        if a.target.key == b.target.key or a.target.link == b.target.link:
            return a.name, b.name
    return None


class OwnershipMachine(RuleBasedStateMachine):
    """Two stacks, runs of random programs over overlapping peerings, and out-of-band changes to ARM."""

    emu: Any = None

    def __init__(self) -> None:
        super().__init__()
        emu = type(self).emu
        assert emu is not None, "set OwnershipMachine.emu to the emulator first"
        emu.set_faults("")
        emu.reset()
        emu.seed(_default_seed())
        self.arm = Arm(emu)
        self.stacks = [Stack("S1"), Stack("S2")]
        self.engine = Engine(self.arm, self.stacks)

    # -- what the model knows ----------------------------------------------------------------------------------

    def stale_ids(self, stack: Stack) -> set[str]:
        """Ids a stack's state holds that are not in ARM as its own: deleted out of band, or pending replacement."""
        return {e.id.lower() for e in stack.entries.values() if e.key in self.arm.vanished or e.pending_replacement}

    def programs(self, s: int, data: st.DataObject) -> Program:
        other = self.stacks[1 - s]
        blocked = self.stale_ids(other)
        held_by_other = {e.id.lower() for e in other.entries.values()}
        slots = [i for i, slot in enumerate(SLOTS) if slot.key not in blocked]
        count = data.draw(st.integers(0, 2), label="resources")
        names = data.draw(st.permutations(NAMES), label="names")[:count]
        decls = []
        for name in names:
            slot = data.draw(st.sampled_from(slots), label=f"{name} slot")
            adopt = SLOTS[slot].key not in held_by_other and data.draw(st.booleans(), label=f"{name} adopt")
            fwd = data.draw(st.booleans(), label=f"{name} fwd")
            preflight = data.draw(st.booleans(), label=f"{name} preflight")
            decls.append(Decl(name, slot, adopt, fwd, preflight))
        return tuple(decls)

    def free_of_conflicts(self, stack: Stack, program: Program, replace_name: str | None) -> bool:
        """Whether the model says this ``up`` must succeed: no two resources share a peering or link, and every
        peering to be made is absent from ARM and its link unused, but for the resource's own old peering (a
        replacement deletes it first) or a peering made out of band that it adopts (same remote)."""
        if duplicates(program):
            return False
        for decl in program:
            slot = decl.target
            entry = stack.entries.get(decl.name)
            live = entry is not None and not entry.pending_replacement and entry.key not in self.arm.vanished
            own = entry.id.lower() if live and entry is not None else None
            same_remote = entry is not None and same_id(
                entry.outputs.get("remote_virtual_network_id"), VNETS[slot.remote]
            )
            if own == slot.key and decl.name == replace_name:
                # `--replace` of a live peering: checked as a new resource, it cannot be told from another stack's
                # (docs/ownership.md): refused at preview, with the reason and the way (destroy --target, up)
                return False
            if own == slot.key and same_remote:
                continue  # the same peering: nothing to make
            for pid, inst in self.arm.instances.items():
                if pid == own:
                    continue
                if pid == slot.key:
                    adoptable = decl.adopt and inst.owner is None and inst.remote == VNETS[slot.remote].lower()
                    if not adoptable:
                        return False
                elif (parent_vnet_id(pid).lower(), inst.remote) == slot.link:
                    return False
        return True

    # -- rules -------------------------------------------------------------------------------------------------

    def do_up(self, s: int, program: Program, mode: str, replace_name: str | None = None) -> Outcome:
        stack = self.stacks[s]
        if mode == "skip preview":
            program = without_sibling_adoption(stack, program)
        must_succeed = self.free_of_conflicts(stack, program, replace_name)
        stack.program = program
        outcome = self.engine.up(stack, program, mode, replace_name)
        assert outcome.ok or outcome.reasons, "(b) a run refused without a reason"
        twins = duplicates(program)
        if twins is not None:
            assert not outcome.ok, f"(b) {twins} share a peering or link, yet the up succeeded"
            # without a preview the run may stop at the first resource's own refusal before checking the second
            named = any(twins[0] in r and twins[1] in r for r in outcome.reasons)
            assert named or mode == "skip preview", f"(b) the refusal does not name both {twins}: {outcome.reasons}"
        if outcome.ok:
            self.assert_carried_out(stack, program)
        else:
            assert not must_succeed, f"(b) an up free of conflicts was refused: {outcome.reasons}"
        return outcome

    def assert_carried_out(self, stack: Stack, program: Program) -> None:
        assert set(stack.entries) == {d.name for d in program}, (
            f"(b) {stack.name}'s state {sorted(stack.entries)} is not its program {program}"
        )
        listing = self.arm.listing()
        for decl in program:
            entry = stack.entries[decl.name]
            slot = decl.target
            assert not entry.pending_replacement
            assert same_id(entry.id, slot.id), f"(b) {stack.name}/{decl.name} holds {short(entry.id)}, not {slot}"
            out = entry.outputs
            assert same_id(out.get("remote_virtual_network_id"), VNETS[slot.remote]), f"(b) {decl}: {out}"
            assert bool(out.get("allow_forwarded_traffic")) == decl.fwd, f"(b) {decl}: {out}"
            # adopt_existing is read by check and create only: a change of it alone is no update, and the outputs
            # record it at the peering's next write (provider/schema.py CREATE_TIME_FIELDS); the inputs hold it now
            assert bool(entry.inputs.get("adopt_existing")) == decl.adopt, f"(b) {decl}: {entry.inputs}"
            if entry.key in self.arm.vanished:
                continue  # deleted out of band and not refreshed: the up cannot know
            inst = self.arm.instances.get(slot.key)
            assert inst is not None and inst.owner == entry.key, (
                f"(b) {stack.name}/{decl.name}'s peering {slot} is {inst} in ARM, not its own (entry #{entry.key})"
            )
            props = listing[slot.key]["properties"]
            assert bool(props.get("allowForwardedTraffic")) == decl.fwd, f"(b) {decl}: ARM has {props}"

    @initialize()
    def start(self) -> None:
        self.engine.new_process()

    def teardown(self) -> None:
        self.engine.process.close()

    def replaceable(self, s: int) -> list[str]:
        stack = self.stacks[s]
        return [d.name for d in self.allowed(s, stack.program) if d.name in stack.entries]

    def renamable(self, s: int) -> list[str]:
        stack = self.stacks[s]
        return [n for n in NAMES if n not in stack.entries and all(d.name != n for d in stack.program)]

    def free_slots(self) -> list[int]:
        """Slots a peering may be made out of band in: no state holds the id (one such peering at a time)."""
        if any(inst.owner is None for inst in self.arm.instances.values()):
            return []
        return [
            i
            for i, slot in enumerate(SLOTS)
            if slot.key not in self.arm.instances and not self.engine.holders(slot.key)
        ]

    @rule(s=STACK, data=st.data(), mode=MODE)
    def up(self, s: int, data: st.DataObject, mode: str) -> None:
        """``pulumi up`` of a new program."""
        self.do_up(s, self.programs(s, data), mode)

    @precondition(lambda self: any(self.stacks[s].program for s in (0, 1)))
    @rule(data=st.data(), mode=MODE)
    def up_edited(self, data: st.DataObject, mode: str) -> None:
        """``pulumi up`` of the stack's program with one resource edited: another slot, or other flags."""
        s = data.draw(st.sampled_from([s for s in (0, 1) if self.stacks[s].program]), label="stack")
        program = self.stacks[s].program
        i = data.draw(st.integers(0, len(program) - 1), label="resource")
        edited = replace(
            program[i],
            slot=data.draw(st.sampled_from(range(len(SLOTS))), label="slot"),
            adopt=data.draw(st.booleans(), label="adopt"),
            fwd=data.draw(st.booleans(), label="fwd"),
        )
        self.do_up(s, self.allowed(s, (*program[:i], edited, *program[i + 1 :])), mode)

    @precondition(lambda self: any(self.replaceable(s) for s in (0, 1)))
    @rule(data=st.data(), mode=MODE)
    def up_replace(self, data: st.DataObject, mode: str) -> None:
        """``pulumi up --replace`` of one resource of the stack's program."""
        s = data.draw(st.sampled_from([s for s in (0, 1) if self.replaceable(s)]), label="stack")
        target = data.draw(st.sampled_from(self.replaceable(s)), label="replace")
        self.do_up(s, self.allowed(s, self.stacks[s].program), mode, target)

    @precondition(lambda self: any(self.stacks[s].program and self.renamable(s) for s in (0, 1)))
    @rule(data=st.data(), alias=st.booleans(), mode=MODE)
    def rename(self, data: st.DataObject, alias: bool, mode: str) -> None:
        """Rename a resource of the stack's program, with an alias (the state entry moves) or without (a new
        resource, which may adopt its old self's peering, and a deleted one)."""
        s = data.draw(
            st.sampled_from([s for s in (0, 1) if self.stacks[s].program and self.renamable(s)]), label="stack"
        )
        stack = self.stacks[s]
        old = data.draw(st.sampled_from([d.name for d in stack.program]), label="rename")
        new = data.draw(st.sampled_from(self.renamable(s)), label="to")
        adopt = False if alias else data.draw(st.booleans(), label="adopt")
        program = tuple(d if d.name != old else replace(d, name=new, adopt=d.adopt or adopt) for d in stack.program)
        if alias:
            self.alias(s, old, new)
        self.do_up(s, self.allowed(s, program), mode)

    def alias(self, s: int, old: str, new: str) -> None:
        """``opts=ResourceOptions(aliases=[Alias(name=old)])``: the state entry answers to the new name (its inputs
        and outputs are those the old name's runs wrote)."""
        entries = self.stacks[s].entries
        if old in entries:
            entries[new] = entries.pop(old)

    def allowed(self, s: int, program: Program) -> Program:
        """The program without what the machine never asks (see the module's docstring): resources naming an id
        the other stack holds stale, and adopt_existing for a peering the other stack holds."""
        other = self.stacks[1 - s]
        blocked, held = self.stale_ids(other), {e.id.lower() for e in other.entries.values()}
        return tuple(
            replace(d, adopt=d.adopt and d.target.key not in held) for d in program if d.target.key not in blocked
        )

    @precondition(lambda self: any(stack.entries for stack in self.stacks))
    @rule(data=st.data())
    def refresh(self, data: st.DataObject) -> None:
        stack = self.stacks[data.draw(st.sampled_from([s for s in (0, 1) if self.stacks[s].entries]), label="refresh")]
        before = {name: e.id.lower() for name, e in stack.entries.items()}
        outcome = self.engine.refresh(stack)
        assert outcome.ok, f"(b) refresh failed: {outcome.reasons}"
        for name, peering_id in before.items():
            present = peering_id in self.arm.instances
            assert (name in stack.entries) == present, f"(b) refresh of {stack.name}/{name} ({short(peering_id)})"

    @precondition(lambda self: any(stack.entries for stack in self.stacks))
    @rule(data=st.data())
    def destroy(self, data: st.DataObject) -> None:
        stack = self.stacks[data.draw(st.sampled_from([s for s in (0, 1) if self.stacks[s].entries]), label="destroy")]
        keys = {e.key for e in stack.entries.values()}
        outcome = self.engine.destroy(stack)
        assert outcome.ok, f"(b) destroy failed: {outcome.reasons}"
        assert not stack.entries
        left = [short(i) for i, inst in self.arm.instances.items() if inst.owner in keys]
        assert not left, f"(b) destroy of {stack.name} left {left}"
        stack.program = ()

    @precondition(lambda self: bool(self.arm.instances))
    @rule(data=st.data())
    def delete_out_of_band(self, data: st.DataObject) -> None:
        """Someone deletes a peering in the portal."""
        pid = data.draw(st.sampled_from(sorted(self.arm.instances)), label="delete out of band")
        response = self.arm.emu.arm("DELETE", pid)
        assert response.status_code in (200, 202, 204), response.text
        self.arm.emu.finish_operations()
        inst = self.arm.instances.pop(pid)
        if inst.owner is not None:
            self.arm.vanished.add(inst.owner)

    @precondition(lambda self: bool(self.free_slots()))
    @rule(data=st.data())
    def create_out_of_band(self, data: st.DataObject) -> None:
        """Someone creates a peering in the portal (ids no state holds: see the module's docstring)."""
        target = SLOTS[data.draw(st.sampled_from(self.free_slots()), label="create out of band")]
        body = {"properties": {"remoteVirtualNetwork": {"id": VNETS[target.remote]}}}
        response = self.arm.emu.arm("PUT", target.id, json=body)
        self.arm.emu.finish_operations()
        if response.status_code in (200, 201):
            self.arm.instances[target.key] = Instance(next(self.arm.serials), None, VNETS[target.remote].lower())
        else:
            assert response.status_code == 400, response.text  # ARM refuses: the link is taken, or disconnected

    # -- invariant (c) -----------------------------------------------------------------------------------------

    @invariant()
    def arm_is_the_union_of_the_states(self) -> None:
        listing = self.arm.listing()
        assert set(listing) == set(self.arm.instances), (
            f"(c) ARM {sorted(map(short, listing))} vs recorded {sorted(map(short, self.arm.instances))}"
        )
        entries = {e.key: (stack, name, e) for stack in self.stacks for name, e in stack.entries.items()}
        for pid, inst in self.arm.instances.items():
            holders = [
                (stack, name, e)
                for stack, name, e in entries.values()
                if e.id.lower() == pid and not e.pending_replacement
            ]
            if inst.owner is None:
                assert not holders, f"(c) {short(pid)}, made out of band, is held by {self.names(holders)}"
                continue
            assert inst.owner in entries, f"(c) {short(pid)} #{inst.serial} is in ARM, but no state holds it"
            owner_stack, _, owner = entries[inst.owner]
            assert owner.id.lower() == pid and not owner.pending_replacement, (
                f"(c) {short(pid)} #{inst.serial} belongs to entry #{inst.owner}, whose state holds {short(owner.id)}"
            )
            for stack, name, e in holders:
                if e is owner:
                    continue
                assert self.leftover(stack, name, pid, owner_stack), (
                    f"(c) {short(pid)} is held by {self.names(holders)}"
                )
        for stack, name, e in entries.values():
            if e.pending_replacement:
                continue
            found = self.arm.instances.get(e.id.lower())
            if e.key in self.arm.vanished:
                maker = entries.get(found.owner) if found is not None and found.owner is not None else None
                assert found is None or (maker is not None and maker[0] is stack), (
                    f"(c) {stack.name}/{name}'s stale {short(e.id)} was made again by {found}"
                )
                continue
            taken_over = (
                found is not None
                and found.owner in entries
                and self.leftover(stack, name, e.id.lower(), entries[found.owner][0])
            )
            assert found is not None and (found.owner == e.key or taken_over), (
                f"(c) {stack.name}/{name} holds {short(e.id)}, but ARM has {found} (entry #{e.key})"
            )
            remote = config(listing[e.id.lower()])["remote"]
            assert same_id(remote, e.outputs.get("remote_virtual_network_id")), (
                f"(c) {stack.name}/{name}: ARM's {short(e.id)} links to {remote}, the state to "
                f"{e.outputs.get('remote_virtual_network_id')}"
            )

    @staticmethod
    def leftover(stack: Stack, name: str, pid: str, owner_stack: Stack) -> bool:
        """Whether ``stack``'s resource ``name`` may still hold ``pid`` although another resource of the same stack
        made or adopted it: after a failed run, a resource the run did not get to delete (a rename without alias
        whose new self adopted the peering first) or to replace with another peering. The next run's delete leaves
        the peering to the resource that holds it (provider/ownership.py)."""
        return stack is owner_stack and all(d.name != name or d.target.key != pid for d in stack.program)

    @staticmethod
    def names(holders: list[tuple[Stack, str, Entry]]) -> list[str]:
        return [f"{stack.name}/{name}" for stack, name, _ in holders]


def _default_seed() -> dict[str, Any]:
    seed: dict[str, Any] = json.loads(DEFAULT_SEED.read_text())
    return seed


@pytest.fixture
def emu(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The session emulator, with the provider's process environment pointed at it."""
    for key, value in emulator.env().items():
        monkeypatch.setenv(key, value)
    OwnershipMachine.emu = emulator
    yield emulator
    OwnershipMachine.emu = None


def test_two_stacks_keep_the_ownership_model_over_random_runs(emu: Any) -> None:
    run_state_machine_as_test(OwnershipMachine, settings=SETTINGS)


# -- the machine against a provider broken on purpose, and the counterexamples it found ------------------------------

OWN = "own preview"
Step = Callable[[OwnershipMachine], object]


def run_steps(steps: list[Step]) -> OwnershipMachine:
    """A fixed sequence of the machine's steps, with the invariants checked after each (as hypothesis would)."""
    machine = OwnershipMachine()
    machine.start()
    machine.arm_is_the_union_of_the_states()
    for step in steps:
        step(machine)
        machine.arm_is_the_union_of_the_states()
    return machine


def up(s: int, *decls: Decl, mode: str = OWN, replace_name: str | None = None) -> Step:
    return lambda machine: machine.do_up(s, decls, mode, replace_name)


def alias(s: int, old: str, new: str) -> Step:
    return lambda machine: machine.alias(s, old, new)


TAKEN_BY_ANOTHER_STACK = [up(0, Decl("r1", 0)), up(1, Decl("r1", 0, preflight=False))]
"""S2 names the peering S1 made, without adopt_existing and without the preflight: only the create can refuse."""
RENAMED_AND_ADOPTED = [up(0, Decl("r1", 0)), up(0, Decl("r2", 0, adopt=True))]
"""A rename without alias whose new self adopts the peering: the old self's delete must leave it."""


def _no_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(VirtualNetworkPeeringProvider, "_refuse_unless_adopting", lambda *args, **kwargs: None)


def _no_keeper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RunLedger, "keeper", lambda *args, **kwargs: None)


BREAKAGES: dict[str, tuple[list[Step], Callable[[pytest.MonkeyPatch], None]]] = {
    "a create takes an existing peering without adopt_existing": (TAKEN_BY_ANOTHER_STACK, _no_refusal),
    "a delete deletes the peering another resource of the run adopted": (RENAMED_AND_ADOPTED, _no_keeper),
}


@pytest.mark.parametrize("case", sorted(BREAKAGES))
def test_the_machine_catches_a_broken_provider(emu: Any, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    steps, breakage = BREAKAGES[case]
    run_steps(steps)  # the provider as it is keeps every invariant here
    breakage(monkeypatch)
    with pytest.raises(AssertionError, match=r"^\(a\) "):
        run_steps(steps)


def test_re_arming_the_reverse_peering_of_another_stack_changes_none_of_its_properties(emu: Any) -> None:
    """S1 deletes and re-creates its half of a pair whose other half S2 holds: ARM refuses the new half until the
    Disconnected other half is written again, and the provider re-arms it (``_rearm_reverse``). That write to a
    peering of another stack is what invariant (a) allows only because it leaves every property as it was."""
    machine = run_steps([up(0, Decl("r1", 0)), up(1, Decl("r1", 1, fwd=True)), up(0), up(0, Decl("r1", 0))])
    assert machine.arm.rearms == ["create of S1/r1 (entry #3) on vnet-hub/p1 re-armed vnet-payments/back"]


@pytest.mark.parametrize(
    "steps",
    [
        # After a rename with an alias, a "same" step kept the old outputs and the old __resource_name; renamed back
        # without an alias, the new resource adopted the peering and the old entry's delete (its outputs naming the
        # adopter) deleted it. The diff now updates the outputs of a resource renamed with an alias.
        [up(0, Decl("r1", 0)), alias(0, "r1", "r2"), up(0, Decl("r2", 0)), up(0, Decl("r1", 0, adopt=True))],
        # `up --replace` after a rename with an alias: refused at preview with the reason, nothing written
        [up(0, Decl("r1", 0)), alias(0, "r1", "r2"), up(0, Decl("r2", 0)), up(0, Decl("r2", 0), replace_name="r2")],
        # without a preview, a sibling holding the peering: never adopted (without_sibling_adoption), and the run
        # that names one peering twice is refused
        [up(0, Decl("r1", 0)), up(0, Decl("r2", 0, adopt=True), Decl("r1", 0), mode="skip preview")],
    ],
    ids=["alias-then-rename-back-adopting", "alias-then-replace", "skip-preview-two-names"],
)
def test_counterexamples_the_machine_found(emu: Any, steps: list[Step]) -> None:
    run_steps(steps)
