"""``VirtualNetworkPeering``: a Pulumi dynamic resource for one Azure virtual network peering, and its provider.

The provider object is pickled (dill) into the state as ``__provider``. It holds only
:class:`~provider.settings.ProviderOverrides` (plain, non-secret values); settings, credentials, sessions, caches
and locks live in the provider process and are rebuilt there by ``configure``.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pulumi
import pulumi.dynamic as dyn
import tenacity
from pydantic import ValidationError

from . import errors, progress
from .arm import ArmClient, Deadline, WriteOutcome, client_for
from .engine_watch import watch_engine
from .errors import (
    ArmAuthenticationError,
    ArmAuthorizationError,
    ArmError,
    OperationTimeoutError,
    PeeringAlreadyExistsError,
    PeeringError,
    PeeringOperationError,
    SettingsError,
    describe_failure,
    one_line,
)
from .facts import VnetFacts
from .ids import parent_vnet_id, peering_id_for, peering_words, same_id, vnet_name
from .models import (
    OUT_OF_SYNC_LEVELS,
    PeeringSpec,
    PeeringState,
    PeeringWriteProperties,
    VirtualNetworkPeeringResource,
    outputs_from,
)
from .ownership import LEDGER
from .peering_reads import PEERING_READS
from .preflight import already_exists_message, run_existing_checks, run_preflight
from .schema import (
    DEFAULT_TIMEOUT_SECONDS,
    FLAG_FIELDS,
    INPUT_DEFAULTS,
    INPUTS,
    LIST_FIELDS,
    LOCAL_FIELDS,
    OUTPUT_ONLY,
    REPLACE_FIELDS,
    PeeringTimeouts,
)
from .settings import CONFIG_NAMESPACE, ProviderOverrides, Settings, resolve_settings
from .validation import is_unknown, validate_inputs
from .vnet_facts import VNET_CACHE

log = logging.getLogger("provider")

CONFIG_KEYS = (
    "cloud",
    "armEndpoint",
    "authorityHost",
    "tenantId",
    "clientId",
    "clientSecret",
    "auxiliaryTenantIds",
    "caBundle",
    "allowInsecureLoopback",
)

# Internal inputs (``__`` keys are not the peering's: check drops them, so they are neither stored nor compared).
# See ``VirtualNetworkPeering(wait_for=..., preflight_when_creating=..., preflight_after=...)``.
WAIT_FOR_KEY = "__wait_for"
PREFLIGHT_WHEN_CREATING_KEY = "__preflight_when_creating"
PREFLIGHT_AFTER_KEY = "__preflight_after"
# The resource's Pulumi name, kept in its checked inputs and its outputs (create sees only the former, delete only
# the latter): who a peering belongs to in this run is decided by it (provider/ownership.py).
RESOURCE_NAME_KEY = "__resource_name"
# When the check of a new peering (a create, or a replacement under another id) read the local vnet and found no
# peering of that name: the UTC time of that check. The engine keeps the checked inputs with a pending create in the
# checkpoint, so this is the shared evidence that a peering found there later was made by that create
# (provider/recovery.py, `azure-peering-recover`). Never set when the peering existed or could not be read.
ABSENT_WHEN_CHECKED_KEY = "__absent_when_checked"

# How long a write that uses the remote vnet's gateway waits, at least, for that gateway to finish provisioning:
# a real VPN gateway takes 18 to 35 minutes to create (recorded), and Azure documents 45 minutes and more.
GATEWAY_WAIT_SECONDS = 3600.0

# How long a failed create may take to delete what it made: it waits for ARM's operation on the vnet to end first.
CLEANUP_SECONDS = 300.0

# How long a write waits for the reverse peering (another resource) to be re-established or allow transit.
RECONNECT_GRACE_SECONDS = 60.0

# The remote vnet was resized: this side reads RemoteNotInSync and the reverse peering LocalNotInSync; a PUT of the
# reverse peering with syncRemoteAddressSpace=true makes both FullyInSync (see arm-peering-behaviour.md).
_SELF_NEEDS_REVERSE_SYNC = frozenset({"RemoteNotInSync", "LocalAndRemoteNotInSync"})
_REVERSE_NEEDS_SYNC = frozenset({"LocalNotInSync", "LocalAndRemoteNotInSync"})


class VnetLock:
    """One vnet's write lock in this process. A write that needs the vnet only briefly (as the remote vnet of a
    peering PUT: until ARM accepts it) goes before the writes that hold it for a whole operation (as the local
    vnet): a spoke side then waits for at most the hub write in progress, not for every hub-side write queued
    behind it, and does not hold one of the provider's few threads for longer."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._held = False
        self._brief_waiting = 0

    def acquire(self, timeout: float, *, brief: bool = False) -> bool:
        with self._cond:
            if brief:
                self._brief_waiting += 1
            try:
                free = self._cond.wait_for(lambda: not self._held and (brief or not self._brief_waiting), timeout)
                if free:
                    self._held = True
                return free
            finally:
                if brief:
                    self._brief_waiting -= 1
                    self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()


_VNET_LOCKS: dict[str, VnetLock] = {}
_VNET_LOCKS_GUARD = threading.Lock()


class HeldVnetLocks:
    """The per-vnet write locks one write holds; the remote vnet's can be let go early (see `vnet_write_lock`)."""

    def __init__(self) -> None:
        self._held: dict[str, VnetLock] = {}

    def hold(self, key: str, lock: VnetLock) -> None:
        self._held[key] = lock

    def release(self, vnet_id: str) -> None:
        """Let another write of this process use `vnet_id` from now on (no-op if not held)."""
        lock = self._held.pop(vnet_id.lower(), None)
        if lock is not None:
            lock.release()

    def release_all(self) -> None:
        for key in list(self._held):
            self.release(key)


def serialize_writes() -> bool:
    """Per-vnet serialisation inside the process (default on). AZURE_PEERING_SERIALIZE_WRITES=false turns it off,
    leaving only the retries on 409: a diagnostic switch the benchmarks use to show what serialising buys."""
    return os.environ.get("AZURE_PEERING_SERIALIZE_WRITES", "true").strip().lower() not in ("0", "false", "no", "off")


@contextmanager
def vnet_write_lock(vnet_ids: Sequence[str], deadline: Deadline) -> Iterator[HeldVnetLocks]:
    """Serialise writes per vnet inside this process (ARM answers 409 to concurrent writes on one vnet, and 400
    ReferencedResourceNotProvisioned to a peering PUT whose remote vnet is busy).

    A peering write keeps its local vnet busy until the operation ends, but needs the remote vnet idle only when
    ARM accepts the PUT: callers release the remote vnet's lock as soon as the PUT is accepted, so a hub's N
    writes and the spokes' N writes overlap instead of queueing behind each other; and a write waiting for a vnet
    as its remote goes before those waiting for it as their local vnet (:class:`VnetLock`). The first id is the
    local vnet. Locks are taken in a fixed order, so two peerings of the same pair of vnets cannot deadlock.
    """
    held = HeldVnetLocks()
    if not serialize_writes():
        yield held
        return
    local = vnet_ids[0].lower() if vnet_ids and vnet_ids[0] else None
    keys = sorted({v.lower() for v in vnet_ids if v})
    try:
        for key in keys:
            with _VNET_LOCKS_GUARD:
                lock = _VNET_LOCKS.setdefault(key, VnetLock())
            if not lock.acquire(max(0.01, deadline.remaining()), brief=key != local):
                raise OperationTimeoutError(
                    f"waited {deadline.seconds:.0f}s for other writes to {vnet_name(key)} "
                    "in this run; raise the resource's timeouts"
                )
            held.hold(key, lock)
        yield held
    finally:
        held.release_all()


def _strip_internal(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if not k.startswith("__")}


def _resource_name(props: Mapping[str, Any]) -> str | None:
    """The Pulumi name of the resource these properties belong to (see RESOURCE_NAME_KEY), if they carry it."""
    name = props.get(RESOURCE_NAME_KEY)
    return name if isinstance(name, str) else None


def _peering_id_of(props: Mapping[str, Any]) -> str | None:
    """The ARM id of the peering these properties describe, or None while it is not known."""
    vnet, name = props.get("virtual_network_id"), props.get("name")
    if not (isinstance(vnet, str) and isinstance(name, str)) or is_unknown(vnet) or is_unknown(name):
        return None
    try:
        return peering_id_for(vnet, name)
    except (KeyError, ValueError):
        return None


def _new_peering(old: Mapping[str, Any], spec: PeeringSpec) -> bool:
    """Whether these inputs would create a peering the old inputs do not hold (a create, or a replacement under
    another id)."""
    old_id = _peering_id_of(old)
    return old_id is None or not same_id(old_id, spec.peering_id)


def _replaced_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The fields whose change from ``old`` to ``new`` inputs makes the peering a new one (a replacement)."""
    return [k for k in arm_differences(new, old) if k in REPLACE_FIELDS]


def _keeps_peering(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether the new inputs keep the old inputs' peering: it is known, and nothing that would replace it changed
    (a replacement is a create of its own, with its own evidence or none)."""
    return _peering_id_of(old) is not None and not _replaced_fields(old, new)


def _absent(client: ArmClient, spec: PeeringSpec) -> bool:
    """Whether the local vnet, as the preflight just read it (cached), holds no peering of this name."""
    try:
        facts = VNET_CACHE.get(
            client, spec.virtual_network_id, auxiliary_tenant_ids=_aux(spec, client.settings), deadline=Deadline(60)
        )
    except PeeringError:
        return False
    return facts is not None and all(p.name.lower() != spec.name.lower() for p in facts.peerings)


def _vnet_of(spec: PeeringSpec) -> str:
    return vnet_name(spec.virtual_network_id)


def _known_flag(value: Any) -> bool | None:
    """A flag input as the ledger compares it: None while not known (a preview), else its truth (unset is false)."""
    return None if is_unknown(value) else bool(value)


def _outputs(props: Mapping[str, Any], spec: PeeringSpec | None, live: VirtualNetworkPeeringResource) -> dict[str, Any]:
    """A resource's full outputs: the inputs, ARM's answer, and the resource's name (its delete, which sees only
    the outputs, needs it to tell whether another resource of the run now names the peering: ownership.py)."""
    inputs = _strip_internal(props) | (spec_inputs(spec) if spec is not None else {})
    outputs = outputs_from(inputs, live)
    name = _resource_name(props)
    if name is not None:
        outputs[RESOURCE_NAME_KEY] = name
    return outputs


def _gateway_states(facts: VnetFacts) -> str:
    """A vnet's gateways with their provisioning states, for the user (``vgw-hub (Updating)``)."""
    return ", ".join(f"{g.id.rsplit('/', 1)[-1]} ({g.provisioning_state})" for g in facts.gateways)


def _label(props: Mapping[str, Any], peering_id: str | None = None) -> str:
    name = props.get("name")
    vnet = props.get("virtual_network_id")
    if peering_id and not (isinstance(name, str) and isinstance(vnet, str)):
        return peering_words(peering_id)
    local_name = vnet.rstrip("/").split("/")[-1] if isinstance(vnet, str) else "?"
    remote = props.get("remote_virtual_network_id")
    remote_name = remote.rstrip("/").split("/")[-1] if isinstance(remote, str) else "?"
    return f"peering {name!r} ({local_name} -> {remote_name})"


def _norm_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    return sorted(str(v).lower() for v in value)


def _aux(spec: PeeringSpec, settings: Settings) -> list[str]:
    return list(spec.auxiliary_tenant_ids or settings.auxiliary_tenant_ids)


def arm_differences(desired: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """ARM-side properties whose desired value differs from ``actual`` (both in the state's snake_case form).

    Unknown desired values count as differences; optional lists are compared only when ``desired`` sets them.
    """
    changed: list[str] = []
    for key in REPLACE_FIELDS:
        want, have = desired.get(key), actual.get(key)
        if is_unknown(want):
            changed.append(key)
        elif key in ("virtual_network_id", "remote_virtual_network_id", "name"):
            if not (isinstance(want, str) and isinstance(have, str) and same_id(want, have)):
                changed.append(key)
        elif want is not None and have is not None and bool(want) != bool(have):
            changed.append(key)
    for key in FLAG_FIELDS:
        want, have = desired.get(key), actual.get(key)
        if is_unknown(want) or (want is not None and bool(want) != bool(have or False)):
            changed.append(key)
    for key in LIST_FIELDS:
        want = desired.get(key)
        if want is None or (want == [] and not actual.get(key)):
            continue
        if is_unknown(want) or _norm_list(want) != _norm_list(actual.get(key)):
            changed.append(key)
    return changed


def waiting_for_other_side(state: Any, sync_level: Any) -> bool:
    """Whether a peering reads as the first side of a pair whose other side does not exist yet.

    Real Azure reports such a peering ``Initiated`` / ``RemoteNotInSync`` for as long as it is one-sided, even
    right after a PUT on it (recorded traffic, arm-peering-behaviour.md). That is the normal state of a half-built
    pair (the other side belongs to another stack, a partner tenant, or a spoke not deployed yet): no write on this
    side changes it, so it is neither drift nor a reason to sync.
    """
    return bool(state == PeeringState.INITIATED.value and sync_level == "RemoteNotInSync")


def out_of_sync(state: Any, sync_level: Any) -> bool:
    """A sync level that a ``syncRemoteAddressSpace`` write clears (a vnet of a Connected pair was resized)."""
    return sync_level in OUT_OF_SYNC_LEVELS and not waiting_for_other_side(state, sync_level)


def drift_reason(outputs: Mapping[str, Any], policy: str) -> str | None:
    """Why refreshed outputs call for a write even when the inputs did not change."""
    if outputs.get("peering_state") == PeeringState.DISCONNECTED.value:
        return "Disconnected"
    if policy != "never" and out_of_sync(outputs.get("peering_state"), outputs.get("peering_sync_level")):
        return str(outputs.get("peering_sync_level"))
    if outputs.get("provisioning_state") == "Failed":
        return "Failed"
    return None


def resized_remote(new: Mapping[str, Any], old_outputs: Mapping[str, Any]) -> bool:
    """Whether the remote vnet's address space the program gives (``remote_vnet_address_space``: a vnet lookup's,
    an azure-native vnet's output) differs from the one ARM reported for the peering at its last write or refresh.
    Then the remote vnet was resized since: the update reads the peering and, ARM reporting it out of sync, syncs
    the pair, with no refresh needed. Not known yet (a preview in which the vnet itself changes) may change."""
    space = new.get("remote_vnet_address_space")
    if space is None or new.get("peer_complete_vnets") is False:
        return False
    if is_unknown(space):
        return True
    synced = old_outputs.get("remote_virtual_network_address_space")
    return synced is not None and _norm_list(space) != _norm_list(synced)


def wants_sync(policy: str, live: VirtualNetworkPeeringResource | None) -> bool:
    if policy == "always":
        return live is not None
    if policy == "never" or live is None:
        return False
    return out_of_sync(live.properties.peering_state, live.properties.peering_sync_level)


# Errors that the other half of the pair, written by another resource of the same run, usually clears.
SIBLING_CODES = frozenset({"RemotePeeringIsDisconnected", "RemotePeeringDoesNotAllowGatewayTransit"})


def _waits_for_sibling(exc: BaseException) -> bool:
    return isinstance(exc, ArmError) and exc.code in SIBLING_CODES


class _Adopting(Exception):
    """A create found its peering in ARM and is to adopt it (``adopt_existing``)."""

    def __init__(self, existing: VirtualNetworkPeeringResource) -> None:
        super().__init__("adopting")
        self.existing = existing


class VirtualNetworkPeeringProvider(dyn.ResourceProvider):
    """The dynamic provider behind :class:`VirtualNetworkPeering`.

    Contract with the engine (pulumi.dynamic): ``check`` validates and normalises inputs (and, with known ids,
    asks ARM read-only questions); ``diff`` gets the *old outputs*; ``create`` is transactional (on a definitive
    failure nothing is left behind); ``update`` and ``create`` always return full outputs; ``read`` returns an
    empty id when the peering is gone; ``delete`` treats "already gone" as success. Up to four calls run at once
    on threads: writes are serialised per vnet in the process and 409s from other writers are retried.
    """

    # Nothing secret is ever pickled into the provider (see tests), so state need not hide it.
    serialize_as_secret_always = False

    def __init__(self, overrides: ProviderOverrides | None = None) -> None:
        super().__init__()
        self._overrides = overrides or ProviderOverrides()
        self._init_runtime()

    def _init_runtime(self) -> None:
        self._runtime_lock = threading.Lock()
        self._config: dict[str, Any] | None = None
        self._settings: Settings | None = None
        self._settings_error: SettingsError | None = None

    # Only the overrides are pickled: never settings, secrets, credentials, sessions or locks.
    def __getstate__(self) -> dict[str, Any]:
        return {"_overrides": self._overrides}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._overrides = state["_overrides"]
        self._init_runtime()

    # -- settings --------------------------------------------------------------------------------------------

    def configure(self, req: dyn.ConfigureRequest) -> None:
        """Take the endpoint and credential settings from the stack config (``azure-peering:*``)."""
        # azure-identity logs each failed token request as a warning; our error line already says it, once
        logging.getLogger("azure.identity").setLevel(logging.ERROR)
        config: dict[str, Any] = {}
        for key in CONFIG_KEYS:
            value = req.config.get(f"{CONFIG_NAMESPACE}:{key}")
            if value is not None:
                config[f"{CONFIG_NAMESPACE}:{key}"] = value
        with self._runtime_lock:
            self._config = config
            self._settings = None
            self._settings_error = None

    def settings(self) -> Settings:
        with self._runtime_lock:
            if self._settings is None and self._settings_error is None:
                try:
                    self._settings = resolve_settings(self._overrides, self._config or {})
                except SettingsError as exc:
                    self._settings_error = exc
            if self._settings_error is not None:
                raise self._settings_error
            assert self._settings is not None
            return self._settings

    def client(self) -> ArmClient:
        return client_for(self.settings())

    # -- check / diff ----------------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        """Validate the inputs (field-named failures) and fill in defaults; then, where every id is known,
        a read-only preflight against ARM so that preview fails with the error apply would hit.

        Unchanged inputs check to exactly the stored ones: for a resource without changes the engine compares the
        two and, when they differ, writes the whole checkpoint for that one resource (``SnapshotManager``'s
        same-step check), so one differing key costs a no-change ``up`` N snapshot writes of an N-sized stack and a
        preview as many serialisations. That is why the create's recovery evidence stays as it was recorded."""
        result = self._check(olds, news)
        evidence = olds.get(ABSENT_WHEN_CHECKED_KEY)
        if evidence and ABSENT_WHEN_CHECKED_KEY not in result.inputs and _keeps_peering(olds, result.inputs):
            result.inputs[ABSENT_WHEN_CHECKED_KEY] = evidence
        return result

    def _check(self, olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        inputs, failures = validate_inputs(_strip_internal(news))
        result = [dyn.CheckFailure(f.property, f.reason) for f in failures]
        resource_name = _resource_name(news)
        if resource_name is not None:
            inputs[RESOURCE_NAME_KEY] = resource_name
        old = _strip_internal(olds)
        creating = not old.get("virtual_network_id")
        if not failures:
            # Who names which peering in this run: whatever the preflight setting (provider/ownership.py)
            for field_name, problem in self._claim(resource_name, old, inputs):
                result.append(dyn.CheckFailure(field_name, problem))
        wanted = inputs.get("preflight") is not False or (creating and news.get(PREFLIGHT_WHEN_CREATING_KEY) is True)
        if result or not wanted:
            return dyn.CheckResult(inputs, result)
        if is_unknown(inputs) or is_unknown(news.get(PREFLIGHT_AFTER_KEY)):
            # What is not known yet, or made by resources still to be created, waits for `up`; a peering in the
            # way of a new one does not: what is in the way now stays in the way.
            if creating:
                result.extend(self._in_the_way_now(inputs, resource_name))
            return dyn.CheckResult(inputs, result)
        spec = PeeringSpec.from_checked(inputs)
        try:
            client = self.client()
        except SettingsError as exc:
            result.append(dyn.CheckFailure("virtual_network_id", one_line(str(exc))))
            return dyn.CheckResult(inputs, result)
        replacing = LEDGER.replacing(resource_name)
        for failure in run_preflight(client, spec, creating=creating, replacing=replacing):
            result.append(dyn.CheckFailure(failure.property, failure.reason))
        if not result and _new_peering(old, spec) and _absent(client, spec):
            inputs[ABSENT_WHEN_CHECKED_KEY] = datetime.now(UTC).isoformat(timespec="seconds")
        return dyn.CheckResult(inputs, result)

    def _in_the_way_now(self, inputs: Mapping[str, Any], resource_name: str | None) -> list[dyn.CheckFailure]:
        """The part of a new peering's preflight whose answer no resource still to be created can change: a peering
        ARM holds now under its name, or to the same remote (``run_existing_checks``). Needs only what names the
        peering and whom it belongs to: skipped while those are not known."""
        needed = ("virtual_network_id", "name", "remote_virtual_network_id", "adopt_existing", "auxiliary_tenant_ids")
        if any(is_unknown(inputs.get(key)) for key in needed):
            return []
        spec = PeeringSpec.from_checked({k: v for k, v in inputs.items() if not is_unknown(v)})
        try:
            client = self.client()
        except SettingsError:
            return []  # the full check at `up` says it
        found = run_existing_checks(client, spec, replacing=LEDGER.replacing(resource_name))
        return [dyn.CheckFailure(f.property, f.reason) for f in found]

    @staticmethod
    def _claim(resource_name: str | None, old: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Record in the run's ledger the peering these checked inputs name (and the one the state holds, when it
        is being replaced); ``(field, problem)`` when another resource of the run names the same peering or link,
        or declares the other direction with gateway flags ARM would refuse together."""
        new_id = _peering_id_of(inputs)
        remote = inputs.get("remote_virtual_network_id")
        if resource_name is None or new_id is None or not isinstance(remote, str) or is_unknown(remote):
            return []  # not known yet: the create, under the vnet's lock, still refuses a peering that exists
        return LEDGER.check(
            resource_name,
            new_id=new_id,
            local_vnet=str(inputs["virtual_network_id"]),
            remote_vnet=remote,
            old_id=_peering_id_of(old),
            replaced=bool(_peering_id_of(old)) and bool(_replaced_fields(old, inputs)),
            allow_gateway_transit=_known_flag(inputs.get("allow_gateway_transit")),
            use_remote_gateways=_known_flag(inputs.get("use_remote_gateways")),
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.DiffResult:
        """Replace when the peering's identity or link kind changes; update in place for flags and subnet lists;
        update as well when refreshed outputs show drift (out of sync, Disconnected, Failed)."""
        old = _strip_internal(olds)
        new = _strip_internal(news)
        changed = arm_differences(new, old)
        replaces = [k for k in changed if k in REPLACE_FIELDS]
        for key in LOCAL_FIELDS:
            if key in new and new.get(key) != old.get(key) and key not in changed:
                changed.append(key)
        if resized_remote(new, old) and "remote_vnet_address_space" not in changed:
            changed.append("remote_vnet_address_space")
        policy = new.get("sync_remote_address_space")
        drift = drift_reason(old, policy if isinstance(policy, str) else INPUT_DEFAULTS["sync_remote_address_space"])
        # A resource renamed with an alias keeps its old outputs on a "same" step, and with them the old name its
        # delete would later give (provider/ownership.py): an update (no ARM write) brings them up to date.
        was, now = _resource_name(olds), _resource_name(news)
        renamed = was is not None and now is not None and was != now
        if not changed and drift is None and not renamed:
            return dyn.DiffResult(changes=False, replaces=[], delete_before_replace=False)
        delete_first = False
        if replaces:
            # ARM allows one peering per (vnet, remote) pair and one per id: if the replacement would reuse
            # either, the old one must go first. While an identity field is not known yet it may well reuse them.
            identity = ("virtual_network_id", "remote_virtual_network_id", "name")
            if any(is_unknown(new.get(k)) for k in identity):
                delete_first = True
            else:
                same_vnet = same_id(old.get("virtual_network_id"), new.get("virtual_network_id"))
                same_pair = same_vnet and same_id(
                    old.get("remote_virtual_network_id"), new.get("remote_virtual_network_id")
                )
                delete_first = same_pair or (same_vnet and same_id(old.get("name"), new.get("name")))
        return dyn.DiffResult(
            changes=True,
            replaces=replaces,
            delete_before_replace=delete_first,
        )

    # -- create / read / update / delete ---------------------------------------------------------------------

    def _spec(self, props: Mapping[str, Any]) -> PeeringSpec:
        """The spec of the inputs ``check`` returned, which the engine hands to ``create`` and ``update`` (the
        plugin adds the operation's ``customTimeouts``, clamped to what check allows). ``check`` validated and
        normalised them: they are trusted, not checked again. Only their shape is (a ``ValidationError`` for a
        caller that skipped ``check``), and a spec never names anything but virtual networks."""
        return PeeringSpec.model_validate(_strip_internal(props))

    def _write(
        self,
        spec: PeeringSpec,
        deadline: Deadline,
        *,
        sync: bool,
        guard: Callable[[], None] | None = None,
        outcome: WriteOutcome | None = None,
    ) -> VirtualNetworkPeeringResource:
        """PUT and wait, holding the write lock of both vnets. Retried for a while when the remote side's peering
        is Disconnected or does not allow gateway transit yet: another resource of this run is usually fixing it.

        ``guard`` runs under the locks before each PUT (a create reads the peering there, so that no other write of
        this process can slip in between its read and its PUT); ``outcome`` collects ARM's answers to the PUTs."""
        client = self.client()
        aux = _aux(spec, client.settings)

        def put(locks: HeldVnetLocks, deadline: Deadline) -> VirtualNetworkPeeringResource:
            return client.put_peering(
                spec.peering_id,
                spec.put_body(),
                deadline=deadline,
                sync_remote_address_space=sync,
                auxiliary_tenant_ids=aux,
                on_accepted=lambda: locks.release(spec.remote_virtual_network_id),
                on_settled=locks.release_all,
                outcome=outcome,
            )

        # The deadline of the next attempt: the create's own, or a longer one while a gateway is provisioning.
        current = [deadline]
        waiting_for_gateway: list[VnetFacts] = []

        def attempt() -> VirtualNetworkPeeringResource:
            deadline = current[0]
            with vnet_write_lock([spec.virtual_network_id, spec.remote_virtual_network_id], deadline) as locks:
                written: VirtualNetworkPeeringResource | None = None
                try:
                    if guard is not None:
                        guard()
                    try:
                        written = put(locks, deadline)
                        return written
                    except ArmError as exc:
                        # Re-arming writes the remote vnet's peering: it must still hold that vnet's lock.
                        if exc.code != "RemotePeeringIsDisconnected":
                            raise
                        rearmed = self._rearm_reverse(client, spec, deadline, aux)
                        if rearmed is None:
                            raise
                        again = put(locks, deadline)  # two peerings written: both vnets are read again
                        if rearmed:  # re-armed without its gateway: give it back now that this side exists
                            self._restore_reverse_gateway(client, spec, again, rearmed, aux)
                        return again
                finally:
                    if written is not None:  # what changed is known: the cached facts need no new read
                        VNET_CACHE.learn(client.settings.fingerprint(), written.to_wire())
                    else:
                        VNET_CACHE.forget(spec.virtual_network_id)
                        VNET_CACHE.forget(spec.remote_virtual_network_id)

        grace = Deadline(min(RECONNECT_GRACE_SECONDS, deadline.remaining()))

        def worth_waiting(exc: BaseException) -> bool:
            if isinstance(exc, ArmError) and exc.code == "RemoteVnetHasNoGateways":
                # ARM counts only a Succeeded gateway; one still being provisioned is worth waiting for, as long
                # as a real one takes (GATEWAY_WAIT_SECONDS at least, whatever the create's own timeout)
                if not waiting_for_gateway:
                    current[0] = Deadline(max(GATEWAY_WAIT_SECONDS, deadline.remaining()))
                if current[0].expired:
                    return False
                VNET_CACHE.forget(spec.remote_virtual_network_id)
                facts = VNET_CACHE.get(
                    client, spec.remote_virtual_network_id, auxiliary_tenant_ids=aux, deadline=current[0]
                )
                if facts is not None and facts.gateway_provisioning:
                    gateways = _gateway_states(facts)
                    progress.waiting(
                        f"peering {spec.name!r}",
                        "gateway",
                        f"the gateway of vnet {facts.name!r} is still provisioning ({gateways}); ARM accepts "
                        f"use_remote_gateways once it has Succeeded (waiting up to {current[0].seconds / 60:.0f} min)",
                    )
                    waiting_for_gateway[:] = [facts]
                    return True
                return False
            if current[0].expired:
                return False
            if _waits_for_sibling(exc):
                if grace.expired:
                    return False
                assert isinstance(exc, ArmError)
                progress.waiting(
                    f"peering {spec.name!r} of vnet {_vnet_of(spec)!r}",
                    str(exc.code),
                    f"ARM refuses it ({exc.code}) until the peering back from vnet "
                    f"{vnet_name(spec.remote_virtual_network_id)!r} "
                    + (
                        "allows gateway transit"
                        if exc.code == "RemotePeeringDoesNotAllowGatewayTransit"
                        else "is re-established"
                    )
                    + f", which another resource of this run is usually about to do; retrying for up to "
                    f"{RECONNECT_GRACE_SECONDS:.0f}s",
                )
                return True
            return False

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(worth_waiting),
            wait=tenacity.wait_exponential(multiplier=1, max=10),
            stop=tenacity.stop_never,
            sleep=client.retry.sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except ArmError as exc:
            if exc.code != "RemoteVnetHasNoGateways" or not waiting_for_gateway:
                raise
            facts = waiting_for_gateway[0]
            gateways = _gateway_states(facts)
            raise OperationTimeoutError(
                f"waited {current[0].seconds / 60:.0f} min for the gateway of {facts.name} to finish provisioning "
                f"(gateways: {gateways or 'none'}); ARM only accepts use_remote_gateways once it has Succeeded. Run "
                "`pulumi up` again once it has, or raise timeouts.create"
            ) from exc

    def _rearm_reverse(self, client: ArmClient, spec: PeeringSpec, deadline: Deadline, aux: list[str]) -> str | None:
        """Bring the remote vnet's Disconnected peering back to this vnet to Initiated, as ARM's error asks, by
        writing it again with its own current properties (nothing about it changes). Returns the name of the
        peering it re-armed *without* ``useRemoteGateways`` (see below), "" when it re-armed it as it was, None when
        there was none to re-arm.

        This is what makes replacing one half of a Connected pair work: deleting the old half disconnects the
        other, and ARM refuses the new half until the other is re-armed. A reverse that uses this vnet's gateway
        cannot be re-armed as it was while this side does not exist yet (ARM: RemotePeeringDoesNotAllowGatewayTransit),
        so it is re-armed without useRemoteGateways, and the caller gives it back once this side allows transit
        (:meth:`_restore_reverse_gateway`): the reverse ends as it was. The caller holds both vnets' locks.
        """
        disconnected: Callable[[Any], bool] = lambda props: props.peering_state == PeeringState.DISCONNECTED.value  # noqa: E731
        try:
            found = self._rewrite_reverse(
                client, spec, deadline, aux, wanted=disconnected, sync=False, why="re-arming the Disconnected reverse"
            )
            return "" if found is not None else None
        except ArmError as exc:
            if exc.code != "RemotePeeringDoesNotAllowGatewayTransit":
                raise

            def without_gateway(props: PeeringWriteProperties) -> None:
                props.use_remote_gateways = False

            return self._rewrite_reverse(
                client,
                spec,
                deadline,
                aux,
                wanted=lambda props: disconnected(props) and bool(props.use_remote_gateways),
                sync=False,
                why="re-arming the Disconnected reverse without useRemoteGateways (this side does not exist yet)",
                change=without_gateway,
            )

    def _restore_reverse_gateway(
        self, client: ArmClient, spec: PeeringSpec, written: VirtualNetworkPeeringResource, name: str, aux: list[str]
    ) -> None:
        """Give the reverse peering re-armed without useRemoteGateways its gateway back, now that this side exists;
        said on the console when this side does not allow transit (then its owner's next `up` gives it back)."""
        if not written.properties.allow_gateway_transit:
            progress.say(
                f"peering {name!r} of vnet {vnet_name(spec.remote_virtual_network_id)!r} was re-armed "
                f"without use_remote_gateways: {spec.name!r} does not allow gateway transit"
            )
            return
        deadline = Deadline(CLEANUP_SECONDS)

        def with_gateway(props: PeeringWriteProperties) -> None:
            props.use_remote_gateways = True

        with vnet_write_lock([spec.remote_virtual_network_id, spec.virtual_network_id], deadline):
            self._rewrite_reverse(
                client,
                spec,
                deadline,
                aux,
                wanted=lambda _props: True,
                sync=False,
                why="giving the re-armed reverse its useRemoteGateways back",
                change=with_gateway,
                only=name,
            )

    def _sync_reverse(self, client: ArmClient, spec: PeeringSpec, deadline: Deadline, aux: list[str]) -> bool:
        """This side reads RemoteNotInSync after the remote vnet's address space changed: only a sync of the
        reverse peering (the remote vnet's, which still has the old space) clears it, for both sides. Write that
        peering again with its own current properties and syncRemoteAddressSpace=true. Returns whether it did."""
        synced = self._rewrite_reverse(
            client,
            spec,
            deadline,
            aux,
            wanted=lambda props: props.peering_sync_level in _REVERSE_NEEDS_SYNC,
            sync=True,
            why="syncing the reverse peering with the resized vnet",
        )
        return synced is not None

    def _rewrite_reverse(
        self,
        client: ArmClient,
        spec: PeeringSpec,
        deadline: Deadline,
        aux: list[str],
        *,
        wanted: Callable[[Any], bool],
        sync: bool,
        why: str,
        change: Callable[[PeeringWriteProperties], None] | None = None,
        only: str | None = None,
    ) -> str | None:
        """Write the remote vnet's peering back to this vnet (the first one ``wanted`` accepts; named ``only``, when
        given) again with its own current properties, after ``change`` if any. Returns its name, None if none."""
        for item in client.list_peerings(spec.remote_virtual_network_id, auxiliary_tenant_ids=aux, deadline=deadline):
            remote = item.properties.remote_virtual_network
            if (
                item.id is None
                or remote is None
                or not same_id(remote.id, spec.virtual_network_id)
                or (only is not None and (item.name or "").lower() != only.lower())
                or (only is None and not wanted(item.properties))
            ):
                continue
            current = PeeringWriteProperties.model_validate(item.properties.model_dump())
            if current.peer_complete_vnets:  # reported, not chosen: leave them to ARM
                current.local_address_space = current.remote_address_space = None
            if change is not None:
                change(current)
            body = {"properties": current.to_wire()}
            log.info("%s %s", why, item.name)
            client.put_peering(
                item.id, body, deadline=deadline, auxiliary_tenant_ids=aux, sync_remote_address_space=sync
            )
            return item.name or ""
        return None

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        """Create the peering (PUT, wait) and return its full outputs. Transactional: on a failure, what this
        create made in ARM is deleted again, so nothing is left that the state does not know about.

        Who may create (docs/ownership.md): a peering that exists is refused, unless ``adopt_existing`` is set (then
        it is taken over and brought to the inputs). The read that decides it is made again under the vnet's write
        lock, just before the PUT, so no other resource of this run can create it in between; and ARM's answer to
        the PUT says whether this create made it (201) or found it (200: another writer, another stack, created it
        at the same moment), in which case it is refused, not taken. Nothing on this machine widens that: a create
        decides the same way on any runner.
        """
        label = _label(props)
        resource_name = _resource_name(props)
        try:
            spec = self._spec(props)
            deadline = Deadline(spec.timeouts.seconds("create"))
            client = self.client()
            aux = _aux(spec, client.settings)
            try:
                live = self._create_new(client, spec, deadline, aux, label, resource_name)
            except _Adopting as adopting:
                log.info("%s: adopting the existing peering", label)
                sync = wants_sync(spec.sync_remote_address_space, adopting.existing)
                live = self._write(spec, deadline, sync=sync)
            live = self._settle(client, spec, live, deadline, aux)
            assert live.id is not None
            LEDGER.took(spec.peering_id, resource_name)
            return dyn.CreateResult(live.id, _outputs(props, spec, live))
        except (PeeringError, ValidationError) as exc:
            raise PeeringOperationError(describe_failure(f"create {label}", exc), exc) from None

    def _refuse_unless_adopting(
        self, spec: PeeringSpec, existing: VirtualNetworkPeeringResource, resource_name: str | None
    ) -> None:
        """A create found the peering in ARM: refuse it, naming the likely cause, unless it is to be adopted."""
        local_name = vnet_name(spec.virtual_network_id)
        taker = LEDGER.taker(spec.peering_id)
        if taker is not None and taker != resource_name:
            raise PeeringAlreadyExistsError(
                f"resource {taker!r} of this program created or adopted peering {spec.name!r} of {local_name} in "
                f"this run, and resource {resource_name!r} names it too; a peering belongs to one resource. Fix: "
                "give one of them another name, or remove one"
            )
        if not spec.adopt_existing:
            raise PeeringAlreadyExistsError(
                f"(state {existing.properties.peering_state}) " + already_exists_message(spec.name, local_name)
            )
        current = existing.properties.remote_virtual_network
        if current is not None and not same_id(current.id, spec.remote_virtual_network_id):
            raise PeeringAlreadyExistsError(
                f"the existing peering {spec.name!r} links to {current.id}, not to "
                f"{spec.remote_virtual_network_id}; a peering's remote cannot change"
            )

    def _create_new(
        self,
        client: ArmClient,
        spec: PeeringSpec,
        deadline: Deadline,
        aux: list[str],
        label: str,
        resource_name: str | None,
    ) -> VirtualNetworkPeeringResource:
        """Read the peering under the vnets' write locks and PUT it if it is absent; delete it again if the create
        fails after ARM made it. Raises :class:`_Adopting` when it exists and is to be adopted."""
        outcome = WriteOutcome()

        def still_absent() -> None:
            if outcome.created:
                return  # an earlier attempt of this create made it
            found = client.get_peering(spec.peering_id, auxiliary_tenant_ids=aux, deadline=deadline)
            if found is not None:
                self._refuse_unless_adopting(spec, found, resource_name)
                raise _Adopting(found)
            LEDGER.took(spec.peering_id, resource_name)  # being created by this resource, from now on

        try:
            live = self._write(spec, deadline, sync=False, guard=still_absent, outcome=outcome)
        except PeeringError as exc:
            if not outcome.created:
                LEDGER.untake(spec.peering_id, resource_name)
                raise
            if not self._cleanup_failed_create(client, spec, aux, label):
                raise PeeringError(
                    f"{one_line(str(exc))}. The peering this create made could not be deleted again: it is in ARM "
                    "but not in the state. Delete it, or set adopt_existing=true and run `pulumi up` again"
                ) from exc
            LEDGER.untake(spec.peering_id, resource_name)
            if isinstance(exc, OperationTimeoutError):
                raise OperationTimeoutError(
                    f"{one_line(str(exc))} (the peering this create started was deleted again once ARM let go of it: "
                    "nothing is left in ARM)"
                ) from exc
            raise
        if outcome.found_existing and not spec.adopt_existing:
            LEDGER.untake(spec.peering_id, resource_name)
            # another writer (another stack, another process) created it between our read and our PUT: ARM
            # answered 200, not 201. It is that writer's; our PUT has already rewritten its properties.
            raise PeeringAlreadyExistsError(
                f"peering {spec.name!r} was created by another writer while this create was starting (ARM answered "
                "200 to its PUT, not 201 Created): it is not taken. Another stack or process manages it; this "
                "create's properties were written over it, so run `pulumi up` (or refresh) in the stack that owns "
                "it. Fix: give this resource another peering name, or set adopt_existing=true to manage it here"
            )
        return live

    def _cleanup_failed_create(self, client: ArmClient, spec: PeeringSpec, aux: list[str], label: str) -> bool:
        """Delete what a failed create made (a Failed operation, or one still running when the create's own timeout
        ran out: the delete waits for ARM to let go of the vnet, up to CLEANUP_SECONDS). Whether it is gone."""
        try:
            # as long again as the create itself was given (at least a minute, at most CLEANUP_SECONDS): a hung
            # operation must not hold the run for long past the timeout the user chose
            deadline = Deadline(min(CLEANUP_SECONDS, max(60.0, spec.timeouts.seconds("create"))))
            with vnet_write_lock([spec.virtual_network_id, spec.remote_virtual_network_id], deadline):
                client.delete_peering(spec.peering_id, deadline=deadline, auxiliary_tenant_ids=aux)
            return True
        except PeeringError as exc:
            log.warning("%s: could not remove the failed peering: %s", label, one_line(str(exc)))
            return False
        finally:
            VNET_CACHE.forget(spec.virtual_network_id)
            VNET_CACHE.forget(spec.remote_virtual_network_id)

    def _settle(
        self,
        client: ArmClient,
        spec: PeeringSpec,
        live: VirtualNetworkPeeringResource,
        deadline: Deadline,
        aux: list[str],
    ) -> VirtualNetworkPeeringResource:
        """If the final GET still reports a transitional provisioning state, read again until it settles."""
        for _ in range(10):
            if live.properties.provisioning_state in (None, "Succeeded", "Failed") or deadline.expired:
                return live
            client.retry.sleep(min(client.poll_interval, deadline.remaining()))
            again = client.get_peering(spec.peering_id, auxiliary_tenant_ids=aux, deadline=deadline)
            if again is None:
                return live
            live = again
        return live

    def read(self, id_: str, props: dict[str, Any]) -> dyn.ReadResult:
        """Refresh: the peering's full outputs as ARM has them now; an empty id when it is gone."""
        old = _strip_internal(props)
        label = _label(old, id_)
        try:
            client = self.client()
            aux = old.get("auxiliary_tenant_ids") or list(client.settings.auxiliary_tenant_ids)
            # a refresh reads every peering: those of one vnet or landing-zone group come from one listing
            live = PEERING_READS.get(client, id_, auxiliary_tenant_ids=aux, deadline=Deadline(300))
            if live is None:
                # gone: what this process cached of its vnet (a write's answer) must not say otherwise later
                with suppress(KeyError, ValueError, TypeError):  # an id that names no vnet caches none
                    VNET_CACHE.forget(parent_vnet_id(id_))
                return dyn.ReadResult("", {})
            VNET_CACHE.learn(client.settings.fingerprint(), live.to_wire())
            if not old.get("virtual_network_id"):
                old["virtual_network_id"] = parent_vnet_id(live.id or id_)
            return dyn.ReadResult(id_, _outputs(props | old, None, live))
        except (PeeringError, ValidationError) as exc:
            raise PeeringOperationError(describe_failure(f"read {label}", exc), exc) from None

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.UpdateResult:
        """Bring the peering to the new inputs (PUT, with syncRemoteAddressSpace when ARM reports it out of
        sync), wait, and return full outputs. A Disconnected peering is re-established by the same PUT."""
        label = _label(news)
        try:
            spec = self._spec(news)
            deadline = Deadline(spec.timeouts.seconds("update"))
            client = self.client()
            aux = _aux(spec, client.settings)
            live = client.get_peering(spec.peering_id, auxiliary_tenant_ids=aux, deadline=deadline)
            needs_write = (
                live is None
                or bool(arm_differences(spec_inputs(spec), outputs_from({}, live)))
                or drift_reason(outputs_from({}, live), spec.sync_remote_address_space) is not None
                or spec.sync_remote_address_space == "always"
            )
            if needs_write:
                live = self._write(spec, deadline, sync=wants_sync(spec.sync_remote_address_space, live))
                live = self._settle(client, spec, live, deadline, aux)
            if (
                live is not None
                and spec.sync_remote_address_space != "never"
                and live.properties.peering_sync_level in _SELF_NEEDS_REVERSE_SYNC
                and not waiting_for_other_side(live.properties.peering_state, live.properties.peering_sync_level)
            ):
                # Whichever side the engine updates first, the pair ends FullyInSync in this run: sync the reverse
                # peering unless the resource that owns it has just done so (the engine updates both at once), then
                # read this side again.
                with vnet_write_lock([spec.virtual_network_id, spec.remote_virtual_network_id], deadline):
                    try:
                        self._sync_reverse(client, spec, deadline, aux)
                    except (ArmAuthorizationError, ArmAuthenticationError) as exc:
                        # Optional rights (README): without write on the remote vnet the other side's own stack
                        # syncs it; this side then reads FullyInSync on its next refresh.
                        log.warning("%s: cannot sync the reverse peering: %s", label, one_line(str(exc)))
                live = client.get_peering(spec.peering_id, auxiliary_tenant_ids=aux, deadline=deadline) or live
            assert live is not None
            return dyn.UpdateResult(_outputs(news, spec, live))
        except (PeeringError, ValidationError) as exc:
            raise PeeringOperationError(describe_failure(f"update {label}", exc), exc) from None

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the peering and wait; a peering that ARM says is gone is success.

        The engine deletes what this resource's state holds. One exception (docs/ownership.md): when another
        resource of this run names the same peering, or made or adopted it in this run (a resource renamed without
        an alias whose new self adopted the peering, or resumed after a run killed between the two), the peering
        is that resource's, and this delete leaves it, saying so."""
        old = _strip_internal(props)
        label = _label(old, id_)
        try:
            timeouts = old.get("timeouts") or {}
            deadline = Deadline(float(timeouts.get("delete") or DEFAULT_TIMEOUT_SECONDS))
            client = self.client()
            aux = old.get("auxiliary_tenant_ids") or list(client.settings.auxiliary_tenant_ids)
            keeper = LEDGER.keeper(id_, _resource_name(props))
            if keeper is not None:
                # deleting it would cut off what the other resource's state holds after this run
                progress.say(f"{label}: not deleted: resource {keeper!r} of this stack manages it now")
                return
            vnets = [parent_vnet_id(id_), str(old.get("remote_virtual_network_id") or "")]
            with vnet_write_lock(vnets, deadline) as locks:
                try:
                    client.delete_peering(
                        id_, deadline=deadline, auxiliary_tenant_ids=aux, on_accepted=lambda: locks.release(vnets[1])
                    )
                finally:
                    for vnet in vnets:
                        VNET_CACHE.forget(vnet)
        except (PeeringError, ValidationError) as exc:
            raise PeeringOperationError(describe_failure(f"delete {label}", exc), exc) from None


def spec_inputs(spec: PeeringSpec) -> dict[str, Any]:
    """A spec back in the state's snake_case input form."""
    return spec.model_dump()


# ---------------------------------------------------------------------------------------------------------------
# The resource
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class VirtualNetworkPeeringArgs:
    """The inputs of a :class:`VirtualNetworkPeering`. Defaults are Azure's."""

    virtual_network_id: pulumi.Input[str]
    """ARM id of the local virtual network (the peering is created under it). Changing it replaces the peering."""
    remote_virtual_network_id: pulumi.Input[str]
    """ARM id of the remote virtual network. Changing it replaces the peering."""
    name: pulumi.Input[str] | None = None
    """Name of the peering (1-80 characters). Defaults to the resource name. Changing it replaces the peering."""
    allow_virtual_network_access: pulumi.Input[bool] | None = None
    """Whether VMs of the local vnet can reach VMs of the remote vnet. Default true."""
    allow_forwarded_traffic: pulumi.Input[bool] | None = None
    """Whether traffic forwarded by the local vnet's appliances is allowed into the remote vnet. Default false."""
    allow_gateway_transit: pulumi.Input[bool] | None = None
    """Whether the remote vnet may use this vnet's gateway (set on the hub's side). Default false."""
    use_remote_gateways: pulumi.Input[bool] | None = None
    """Whether this vnet uses the remote vnet's gateway (set on the spoke's side; the remote needs a gateway and
    allow_gateway_transit on its peering). Default false."""
    do_not_verify_remote_gateways: pulumi.Input[bool] | None = None
    """Skip ARM's check of the remote gateway's provisioning state. Default false."""
    peer_complete_vnets: pulumi.Input[bool] | None = None
    """Peer the whole address spaces (true) or only chosen subnets (false). Changing it replaces the peering.
    Default true."""
    local_subnet_names: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Local subnets to peer; only with peer_complete_vnets=false. Changed in place."""
    remote_subnet_names: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Remote subnets to peer; only with peer_complete_vnets=false. Changed in place."""
    enable_only_ipv6_peering: pulumi.Input[bool] | None = None
    """Peer only the IPv6 prefixes of dual-stack subnets; only with peer_complete_vnets=false. Default false."""
    local_address_space: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Local prefixes to peer (prefix peering); only with peer_complete_vnets=false."""
    remote_address_space: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Remote prefixes to peer (prefix peering); only with peer_complete_vnets=false."""
    adopt_existing: pulumi.Input[bool] | None = None
    """Take over a peering that already exists in Azure instead of failing (this resource's answer to
    ``pulumi import``, which does not work for dynamic resources). Default false."""
    timeouts: PeeringTimeouts | Mapping[str, pulumi.Input[float]] | None = None
    """Per-resource create/update/delete timeouts in seconds."""
    sync_remote_address_space: pulumi.Input[str] | None = None
    """When to PUT with ``syncRemoteAddressSpace=true``: ``auto`` (when ARM reports the peering out of sync),
    ``always`` or ``never``. Default auto."""
    auxiliary_tenant_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Tenants (up to 3) whose tokens go in ``x-ms-authorization-auxiliary`` for a cross-tenant peering.
    Defaults to azure-peering:auxiliaryTenantIds."""
    preflight: pulumi.Input[bool] | None = None
    """Run read-only checks against ARM during check/preview (remote reachable, no overlap, gateway present).
    Default true."""
    remote_vnet_address_space: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """The remote vnet's current address space (e.g. an azure-native VirtualNetwork's
    ``address_space.address_prefixes``; HubSpokePeering passes what it read). When it differs from the space ARM
    reported for the peering at its last write or refresh, a plain ``pulumi up`` syncs the pair
    (``syncRemoteAddressSpace``): no refresh needed. Whole-vnet peerings only. Never sent to ARM."""

    def to_props(self, resource_name: str) -> dict[str, Any]:
        """The inputs as the provider takes them (snake_case, every input of the schema; the name defaults to the
        resource's)."""
        props = {name: getattr(self, name) for name in INPUTS}
        if props["name"] is None:
            props["name"] = resource_name
        if isinstance(self.timeouts, PeeringTimeouts):
            props["timeouts"] = self.timeouts.as_dict()
        elif isinstance(self.timeouts, Mapping):
            props["timeouts"] = dict(self.timeouts)
        return props


_DEFAULT_PROVIDER = VirtualNetworkPeeringProvider()

# Loading this module in the dynamic-provider process (unpickling the provider) ties that process to the engine,
# shows the user what the provider waits for (provider.progress), and has a failure reach the engine as its message
# without the SDK's Python stack around it.
if watch_engine():
    progress.show_on_stderr()
    errors.report_plainly_to_the_engine(sys.modules["__main__"])


def peering_properties(
    resource_name: str,
    args: VirtualNetworkPeeringArgs,
    *,
    wait_for: pulumi.Input[Any] | None = None,
    preflight_when_creating: bool = False,
    preflight_after: pulumi.Input[Any] | None = None,
) -> dict[str, Any]:
    """A peering resource's registered properties (snake_case): its inputs, its outputs (None until known) and the
    internal keys (see ``VirtualNetworkPeering``). Shared by the dynamic resource and the package's custom one."""
    props: dict[str, Any] = {k: None for k in OUTPUT_ONLY}
    props.update(args.to_props(resource_name))
    props[RESOURCE_NAME_KEY] = resource_name
    if wait_for is not None:
        props[WAIT_FOR_KEY] = wait_for
    if preflight_when_creating:
        props[PREFLIGHT_WHEN_CREATING_KEY] = True
    if preflight_after is not None:
        props[PREFLIGHT_AFTER_KEY] = preflight_after
    return props


def peering_options(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """A peering's resource options: ``delete_before_replace`` is true unless the program says otherwise.

    ARM allows one peering per name and vnet, and one per pair of vnets, so a replacement almost always has to
    delete the old peering first. The provider's diff says so for the replacements it asks for, but the engine
    does not ask the provider about ``pulumi up --replace``: it would create the new peering first, on the id the
    old one still holds. With this option every replacement deletes first (docs/ownership.md); a program that sets
    ``delete_before_replace=False`` gets, for a replacement on the same id, the create's refusal and its reason."""
    if opts is not None and opts.delete_before_replace is not None:
        return opts
    merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))
    return merged


@contextmanager
def _restore_sdk_pickler() -> Iterator[None]:
    """Undo what the SDK's `serialize_provider` leaves behind: it wraps `pickle._Pickler._batch_setitems` in one
    more sorting layer on every call and never restores it, so pickling the ~486th provider of a program dies with
    RecursionError (a 250-spoke hub). Restoring the originals after each resource keeps the wrapping one deep."""
    pickler = pickle._Pickler
    saved = {name: pickler.__dict__[name] for name in ("_batch_setitems", "save_dict") if name in pickler.__dict__}
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(pickler, name, value)


class PeeringOutputs:
    """The outputs of a :class:`VirtualNetworkPeering`, typed (every one a plain JSON value).

    They are declared here, on a base class, rather than on the resource: the Pulumi SDK reads a resource class's
    own annotations again on every registration (``pulumi._types.resource_types``; 1.3 ms per peering for these
    31, a fifth of what registering a peering costs the program) and needs none of them, since no output here is an
    output type of the SDK. Type checkers and editors read inherited annotations as their own."""

    virtual_network_id: pulumi.Output[str]
    """ARM id of the local virtual network."""
    name: pulumi.Output[str]
    """The peering's name."""
    remote_virtual_network_id: pulumi.Output[str]
    """ARM id of the remote virtual network."""
    peering_id: pulumi.Output[str]
    """ARM id of the peering."""
    type: pulumi.Output[str]
    """ARM resource type."""
    etag: pulumi.Output[str]
    """Changes on every write."""
    allow_virtual_network_access: pulumi.Output[bool]
    allow_forwarded_traffic: pulumi.Output[bool]
    allow_gateway_transit: pulumi.Output[bool]
    use_remote_gateways: pulumi.Output[bool]
    do_not_verify_remote_gateways: pulumi.Output[bool]
    peer_complete_vnets: pulumi.Output[bool]
    local_subnet_names: pulumi.Output[list[str] | None]
    remote_subnet_names: pulumi.Output[list[str] | None]
    enable_only_ipv6_peering: pulumi.Output[bool]
    local_address_space: pulumi.Output[list[str] | None]
    """The local prefixes that are peered, as ARM reports them."""
    remote_address_space: pulumi.Output[list[str] | None]
    """The remote prefixes that are peered, as ARM reports them."""
    adopt_existing: pulumi.Output[bool]
    timeouts: pulumi.Output[dict[str, float]]
    sync_remote_address_space: pulumi.Output[str]
    auxiliary_tenant_ids: pulumi.Output[list[str] | None]
    preflight: pulumi.Output[bool]
    remote_vnet_address_space: pulumi.Output[list[str] | None]
    """The remote vnet's address space the program gave, as given."""
    peering_state: pulumi.Output[str]
    """Initiated (only this side exists), Connected (both sides exist) or Disconnected (the other side was
    deleted; the next update re-establishes it)."""
    peering_sync_level: pulumi.Output[str]
    """FullyInSync, LocalNotInSync, RemoteNotInSync or LocalAndRemoteNotInSync (a vnet's address space changed).
    An Initiated peering reads RemoteNotInSync for as long as its other side does not exist: that is the normal
    state of a half-built pair, not drift."""
    provisioning_state: pulumi.Output[str]
    resource_guid: pulumi.Output[str]
    local_virtual_network_address_space: pulumi.Output[list[str] | None]
    """The local vnet's current address space."""
    remote_virtual_network_address_space: pulumi.Output[list[str] | None]
    """The remote vnet's current address space."""
    remote_bgp_communities: pulumi.Output[dict[str, Any] | None]
    remote_virtual_network_encryption: pulumi.Output[dict[str, Any] | None]
    remote_gateways: pulumi.Output[list[str] | None]
    """Ids of the remote gateways used when use_remote_gateways is true."""


class VirtualNetworkPeering(PeeringOutputs, dyn.Resource, module="azure-peering", name="VirtualNetworkPeering"):
    """An Azure virtual network peering (one direction: local vnet -> remote vnet).

    Type token ``pulumi-python:dynamic/azure-peering:VirtualNetworkPeering``. Both directions are needed for the
    link to become Connected; ``pulumi_azure_peering.HubSpokePeering`` creates and orders them for a whole topology.
    """

    def __init__(
        self,
        resource_name: str,
        args: VirtualNetworkPeeringArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        provider_overrides: ProviderOverrides | None = None,
        wait_for: pulumi.Input[Any] | None = None,
        preflight_when_creating: bool = False,
        preflight_after: pulumi.Input[Any] | None = None,
    ) -> None:
        """
        :param resource_name: The Pulumi name of the resource (and the peering's name unless ``args.name``).
        :param args: The peering's inputs.
        :param opts: Resource options. ``custom_timeouts`` has no effect: use ``args.timeouts``.
            ``delete_before_replace`` defaults to true (:func:`peering_options`).
        :param provider_overrides: Explicit, non-secret endpoint settings for this resource's provider (they
            win over stack config and environment; secrets only ever come from config or environment).
        :param wait_for: An output the peering is not sent to the engine before: if it fails, the peering is never
            created (``HubSpokePeering`` passes its plan check). Not an input of the peering: ``check`` drops it, so
            it is neither stored nor compared.
        :param preflight_when_creating: Run the preflight when the peering is about to be created even though
            ``args.preflight`` is false (``HubSpokePeering`` has checked the topology, but only the engine knows
            which peerings are new: a new one must not collide with a peering already in ARM).
        :param preflight_after: The preflight waits for this output: while it is unknown (a preview in which the
            resources it comes from are still to be created), what the preflight would read is not final (a
            gateway created by this program), so it is left to ``up``. Not an input of the peering either.
        """
        provider = VirtualNetworkPeeringProvider(provider_overrides) if provider_overrides else _DEFAULT_PROVIDER
        props = peering_properties(
            resource_name,
            args,
            wait_for=wait_for,
            preflight_when_creating=preflight_when_creating,
            preflight_after=preflight_after,
        )
        with _restore_sdk_pickler():
            super().__init__(provider, resource_name, props, peering_options(opts))


__all__ = [
    "PeeringOutputs",
    "PeeringTimeouts",
    "VirtualNetworkPeering",
    "VirtualNetworkPeeringArgs",
    "VirtualNetworkPeeringProvider",
    "peering_options",
]
