"""The dynamic provider of :class:`~.peering.VirtualNetworkPeering`: the engine's calls (configure, check, diff,
create, read, update, delete) for one peering.

The provider object is pickled (dill) into the state as ``__provider``, by reference to this module: its path,
``pulumi_azure_peering.provider.resource.VirtualNetworkPeeringProvider``, is in every stack's state and must keep
resolving (tests/engine/test_pickled_module_path.py). It holds only :class:`~.settings.ProviderOverrides` (plain,
non-secret values); settings are resolved in the provider process, and everything else the process keeps between
calls (the run's ledger, caches, locks, ARM clients) is its :class:`~.runtime.Runtime`, found at each call.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Mapping
from contextlib import suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pulumi.dynamic as dyn

from . import errors, progress
from .arm import Deadline, WriteOutcome
from .diffing import (
    arm_differences,
    declared_change,
    drift_reason,
    keeps_peering,
    new_peering,
    replaced_fields,
    resized_remote,
    waiting_for_other_side,
    wants_sync,
)
from .errors import (
    ArmAuthenticationError,
    ArmAuthorizationError,
    OperationTimeoutError,
    PeeringAlreadyExistsError,
    PeeringError,
    PeeringOperationError,
    SettingsError,
    describe_failure,
    one_line,
)
from .ids import parent_vnet_id, same_id, vnet_name
from .peering_writes import SELF_NEEDS_REVERSE_SYNC, PeeringWriter, aux_tenants
from .preflight import already_exists_message, run_existing_checks, run_preflight
from .properties import (
    ABSENT_WHEN_CHECKED_KEY,
    PREFLIGHT_AFTER_KEY,
    PREFLIGHT_WHEN_CREATING_KEY,
    RESOURCE_NAME_KEY,
    full_outputs,
    peering_id_of,
    peering_label,
    resource_name_of,
    spec_inputs,
    strip_internal,
)
from .runtime import Runtime, process_runtime
from .schema import CREATE_TIME_FIELDS, DEFAULT_TIMEOUT_SECONDS, INPUT_DEFAULTS, LOCAL_FIELDS, REPLACE_FIELDS
from .settings import CONFIG_NAMESPACE, ProviderOverrides, Settings, resolve_settings
from .validation import is_unknown, validate_inputs

if TYPE_CHECKING:
    import pydantic

    from . import models
    from .arm import ArmClient
    from .models import PeeringSpec, VirtualNetworkPeeringResource
else:  # imported when a preflight, create, read, update or delete first needs them (provider/lazy_exports.py)
    from .lazy_exports import models, pydantic

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


def _known_flag(value: Any) -> bool | None:
    """A flag input as the ledger compares it: None while not known (a preview), else its truth (unset is false)."""
    return None if is_unknown(value) else bool(value)


class _Adopting(Exception):
    """A create found its peering in ARM and is to adopt it (``adopt_existing``)."""

    def __init__(self, existing: VirtualNetworkPeeringResource) -> None:
        super().__init__("adopting")
        self.existing = existing


class VirtualNetworkPeeringProvider(dyn.ResourceProvider):
    """The dynamic provider behind :class:`~.peering.VirtualNetworkPeering` (and the core of the ``azure-peering``
    plugin, which calls the same methods).

    Contract with the engine (pulumi.dynamic): ``configure`` is called before any other method; ``check``
    validates and normalises inputs (and, with known ids, asks ARM read-only questions); ``diff`` gets the *old
    outputs*; ``create`` is transactional (on a definitive failure nothing is left behind); ``update`` and
    ``create`` always return full outputs; ``read`` returns an empty id when the peering is gone; ``delete`` treats
    "already gone" as success. Up to four calls run at once on threads: writes are serialised per vnet in the
    process and 409s from other writers are retried. What the process keeps between calls is its
    :class:`~.runtime.Runtime` (:attr:`runtime`), never an attribute of this object.
    """

    # Nothing secret is ever pickled into the provider (see tests), so state need not hide it.
    serialize_as_secret_always = False

    def __init__(self, overrides: ProviderOverrides | None = None) -> None:
        super().__init__()
        self._overrides = overrides or ProviderOverrides()
        self._init_settings()

    def _init_settings(self) -> None:
        self._settings_lock = threading.Lock()
        self._config: dict[str, Any] | None = None
        self._settings: Settings | None = None
        self._settings_error: SettingsError | None = None

    # Only the overrides are pickled: never settings, secrets, credentials, sessions or locks.
    def __getstate__(self) -> dict[str, Any]:
        return {"_overrides": self._overrides}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._overrides = state["_overrides"]
        self._init_settings()

    @property
    def runtime(self) -> Runtime:
        """What this provider's process keeps between calls (:func:`~.runtime.process_runtime`: looked up at each
        call, so that the pickled provider carries none of it)."""
        return process_runtime()

    # -- settings --------------------------------------------------------------------------------------------

    def configure(self, req: dyn.ConfigureRequest) -> None:
        """Take the endpoint and credential settings from the stack config (``azure-peering:*``). Called by the
        engine before any other method; resolving them waits for the first call that needs ARM, so that a
        settings error fails that call (with the peering's name) rather than the whole provider."""
        # azure-identity logs each failed token request as a warning; our error line already says it, once
        logging.getLogger("azure.identity").setLevel(logging.ERROR)
        config: dict[str, Any] = {}
        for key in CONFIG_KEYS:
            value = req.config.get(f"{CONFIG_NAMESPACE}:{key}")
            if value is not None:
                config[f"{CONFIG_NAMESPACE}:{key}"] = value
        with self._settings_lock:
            self._config = config
            self._settings = None
            self._settings_error = None

    def settings(self) -> Settings:
        """The resolved settings (overrides, then stack config, then environment), resolved once per
        ``configure``; raises :class:`~.errors.SettingsError` every time when they cannot be."""
        with self._settings_lock:
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
        """The process's ARM client for these settings."""
        return self.runtime.client_for(self.settings())

    def writer(self) -> PeeringWriter:
        """Writes through :meth:`client` with the process's locks, caches and notes."""
        return PeeringWriter(self.client(), self.runtime)

    # -- check / diff ----------------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        """Validate ``news`` (the program's inputs; ``olds`` are the stored inputs, empty for a new resource) and
        return them normalised, defaults filled in, with field-named failures. Records in the run's ledger which
        peering the resource names. Then, where every id is known, a read-only preflight against ARM so that
        preview fails with the error apply would hit. What check returns is what ``create`` and ``update`` get,
        and trust.

        Unchanged inputs check to exactly the stored ones: for a resource without changes the engine compares the
        two and, when they differ, writes the whole checkpoint for that one resource (``SnapshotManager``'s
        same-step check), so one differing key costs a no-change ``up`` N snapshot writes of an N-sized stack and a
        preview as many serialisations. That is why the create's recovery evidence stays as it was recorded."""
        result = self._check(olds, news)
        evidence = olds.get(ABSENT_WHEN_CHECKED_KEY)
        if evidence and ABSENT_WHEN_CHECKED_KEY not in result.inputs and keeps_peering(olds, result.inputs):
            result.inputs[ABSENT_WHEN_CHECKED_KEY] = evidence
        return result

    def _check(self, olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        inputs, failures = validate_inputs(strip_internal(news))
        result = [dyn.CheckFailure(f.property, f.reason) for f in failures]
        resource_name = resource_name_of(news)
        if resource_name is not None:
            inputs[RESOURCE_NAME_KEY] = resource_name
        old = strip_internal(olds)
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
        spec = models.PeeringSpec.from_checked(inputs)
        try:
            client = self.client()
        except SettingsError as exc:
            result.append(dyn.CheckFailure("virtual_network_id", one_line(str(exc))))
            return dyn.CheckResult(inputs, result)
        replacing = self.runtime.ledger.replacing(resource_name)
        cache = self.runtime.vnet_facts
        for failure in run_preflight(client, spec, creating=creating, cache=cache, replacing=replacing):
            result.append(dyn.CheckFailure(failure.property, failure.reason))
        if not result and new_peering(old, spec) and self._absent(client, spec):
            inputs[ABSENT_WHEN_CHECKED_KEY] = datetime.now(UTC).isoformat(timespec="seconds")
        return dyn.CheckResult(inputs, result)

    def _in_the_way_now(self, inputs: Mapping[str, Any], resource_name: str | None) -> list[dyn.CheckFailure]:
        """The part of a new peering's preflight whose answer no resource still to be created can change: a peering
        ARM holds now under its name, or to the same remote (``run_existing_checks``). Needs only what names the
        peering and whom it belongs to: skipped while those are not known."""
        needed = ("virtual_network_id", "name", "remote_virtual_network_id", "adopt_existing", "auxiliary_tenant_ids")
        if any(is_unknown(inputs.get(key)) for key in needed):
            return []
        spec = models.PeeringSpec.from_checked({k: v for k, v in inputs.items() if not is_unknown(v)})
        try:
            client = self.client()
        except SettingsError:
            return []  # the full check at `up` says it
        replacing = self.runtime.ledger.replacing(resource_name)
        found = run_existing_checks(client, spec, cache=self.runtime.vnet_facts, replacing=replacing)
        return [dyn.CheckFailure(f.property, f.reason) for f in found]

    def _absent(self, client: ArmClient, spec: PeeringSpec) -> bool:
        """Whether the local vnet, as the preflight just read it (cached), holds no peering of this name."""
        try:
            facts = self.runtime.vnet_facts.get(
                client,
                spec.virtual_network_id,
                auxiliary_tenant_ids=aux_tenants(spec, client.settings),
                deadline=Deadline(60),
            )
        except PeeringError:
            return False
        return facts is not None and all(p.name.lower() != spec.name.lower() for p in facts.peerings)

    def _claim(
        self, resource_name: str | None, old: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        """Record in the run's ledger the peering these checked inputs name (and the one the state holds, when it
        is being replaced); ``(field, problem)`` when another resource of the run names the same peering or link,
        or declares the other direction with gateway flags ARM would refuse together."""
        new_id = peering_id_of(inputs)
        remote = inputs.get("remote_virtual_network_id")
        if resource_name is None or new_id is None or not isinstance(remote, str) or is_unknown(remote):
            return []  # not known yet: the create, under the vnet's lock, still refuses a peering that exists
        return self.runtime.ledger.check(
            resource_name,
            new_id=new_id,
            local_vnet=str(inputs["virtual_network_id"]),
            remote_vnet=remote,
            old_id=peering_id_of(old),
            replaced=bool(peering_id_of(old)) and bool(replaced_fields(old, inputs)),
            allow_gateway_transit=_known_flag(inputs.get("allow_gateway_transit")),
            use_remote_gateways=_known_flag(inputs.get("use_remote_gateways")),
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.DiffResult:
        """Whether and how the peering changes from ``olds`` (the stored *outputs*, as the last write or refresh
        left them) to ``news`` (what ``check`` returned). Replace when the peering's identity or link kind changes,
        deleting first when the replacement would reuse its id or vnet pair; update in place for flags and subnet
        lists; update as well when refreshed outputs show drift (out of sync, Disconnected, Failed). Reads nothing
        from ARM."""
        old = strip_internal(olds)
        new = strip_internal(news)
        changed = arm_differences(new, old)
        replaces = [k for k in changed if k in REPLACE_FIELDS]
        for key in LOCAL_FIELDS:
            # what only check and create read (from the inputs) needs no update of its own: the state records it
            # at the next write (so that the import of a peering as declared shows no update: docs/adopting.md)
            if key in CREATE_TIME_FIELDS or key in changed:
                continue
            if key in new and new.get(key) != old.get(key):
                changed.append(key)
        if resized_remote(new, old) and "remote_vnet_address_space" not in changed:
            changed.append("remote_vnet_address_space")
        policy = new.get("sync_remote_address_space")
        drift = drift_reason(old, policy if isinstance(policy, str) else INPUT_DEFAULTS["sync_remote_address_space"])
        # A resource renamed with an alias keeps its old outputs on a "same" step, and with them the old name its
        # delete would later give (provider/ownership.py): an update (no ARM write) brings them up to date.
        was, now = resource_name_of(olds), resource_name_of(news)
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
        return models.PeeringSpec.model_validate(strip_internal(props))

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        """Create the peering ``props`` (what ``check`` returned) describe (PUT, wait) and return its ARM id and
        full outputs. Transactional: on a failure, what this create made in ARM is deleted again, so nothing is left
        that the state does not know about; the error names the peering and the fix.

        Who may create (docs/ownership.md): a peering that exists is refused, unless ``adopt_existing`` is set (then
        it is taken over and brought to the inputs). The read that decides it is made again under the vnet's write
        lock, just before the PUT, so no other resource of this run can create it in between; and ARM's answer to
        the PUT says whether this create made it (201) or found it (200: another writer, another stack, created it
        at the same moment), in which case it is refused, not taken. Nothing on this machine widens that: a create
        decides the same way on any runner.
        """
        label = peering_label(props)
        resource_name = resource_name_of(props)
        try:
            spec = self._spec(props)
            deadline = Deadline(spec.timeouts.seconds("create"))
            writer = self.writer()
            aux = aux_tenants(spec, writer.client.settings)
            try:
                live = self._create_new(writer, spec, deadline, aux, label, resource_name)
            except _Adopting as adopting:
                log.info("%s: adopting the existing peering", label)
                sync = wants_sync(spec.sync_remote_address_space, adopting.existing)
                live = writer.write(spec, deadline, sync=sync)
            live = writer.settle(spec, live, deadline, aux)
            assert live.id is not None
            self.runtime.ledger.took(spec.peering_id, resource_name)
            return dyn.CreateResult(live.id, full_outputs(props, spec, live))
        except (PeeringError, pydantic.ValidationError) as exc:
            raise PeeringOperationError(describe_failure(f"create {label}", exc, self.runtime.told), exc) from None

    def _refuse_unless_adopting(
        self, spec: PeeringSpec, existing: VirtualNetworkPeeringResource, resource_name: str | None
    ) -> None:
        """A create found the peering in ARM: refuse it, naming the likely cause, unless it is to be adopted."""
        local_name = vnet_name(spec.virtual_network_id)
        taker = self.runtime.ledger.taker(spec.peering_id)
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
        writer: PeeringWriter,
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
            found = writer.client.get_peering(spec.peering_id, auxiliary_tenant_ids=aux, deadline=deadline)
            if found is not None:
                self._refuse_unless_adopting(spec, found, resource_name)
                raise _Adopting(found)
            self.runtime.ledger.took(spec.peering_id, resource_name)  # being created by this resource, from now on

        try:
            live = writer.write(spec, deadline, sync=False, guard=still_absent, outcome=outcome)
        except PeeringError as exc:
            if not outcome.created:
                self.runtime.ledger.untake(spec.peering_id, resource_name)
                raise
            if not writer.cleanup_failed_create(spec, aux, label):
                raise PeeringError(
                    f"{one_line(str(exc))}. The peering this create made could not be deleted again: it is in ARM "
                    "but not in the state. Delete it, or set adopt_existing=true and run `pulumi up` again"
                ) from exc
            self.runtime.ledger.untake(spec.peering_id, resource_name)
            if isinstance(exc, OperationTimeoutError):
                raise OperationTimeoutError(
                    f"{one_line(str(exc))} (the peering this create started was deleted again once ARM let go of it: "
                    "nothing is left in ARM)"
                ) from exc
            raise
        if outcome.found_existing and not spec.adopt_existing:
            self.runtime.ledger.untake(spec.peering_id, resource_name)
            # another writer (another stack, another process) created it between our read and our PUT: ARM
            # answered 200, not 201. It is that writer's; our PUT has already rewritten its properties.
            raise PeeringAlreadyExistsError(
                f"peering {spec.name!r} was created by another writer while this create was starting (ARM answered "
                "200 to its PUT, not 201 Created): it is not taken. Another stack or process manages it; this "
                "create's properties were written over it, so run `pulumi up` (or refresh) in the stack that owns "
                "it. Fix: give this resource another peering name, or set adopt_existing=true to manage it here"
            )
        return live

    def read(self, id_: str, props: dict[str, Any]) -> dyn.ReadResult:
        """Refresh: the peering's full outputs as ARM has them now; an empty id (and no outputs) when ARM itself
        says it is gone, so the engine drops it from the state. Any other failure (a proxy's page, a timeout)
        raises and the state is kept. ``props`` are the stored outputs; an imported peering's may be empty."""
        old = strip_internal(props)
        label = peering_label(old, id_)
        try:
            client = self.client()
            aux = old.get("auxiliary_tenant_ids") or list(client.settings.auxiliary_tenant_ids)
            # a refresh reads every peering: those of one vnet or landing-zone group come from one listing
            live = self.runtime.peering_reads.get(client, id_, auxiliary_tenant_ids=aux, deadline=Deadline(300))
            if live is None:
                # gone: what this process cached of its vnet (a write's answer) must not say otherwise later
                with suppress(KeyError, ValueError, TypeError):  # an id that names no vnet caches none
                    self.runtime.vnet_facts.forget(parent_vnet_id(id_))
                return dyn.ReadResult("", {})
            self.runtime.vnet_facts.learn(client.settings.fingerprint(), live.to_wire())
            if not old.get("virtual_network_id"):
                old["virtual_network_id"] = parent_vnet_id(live.id or id_)
            return dyn.ReadResult(id_, full_outputs(props | old, None, live))
        except (PeeringError, pydantic.ValidationError) as exc:
            raise PeeringOperationError(describe_failure(f"read {label}", exc, self.runtime.told), exc) from None

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.UpdateResult:
        """Bring the peering to the new inputs ``news`` (what ``check`` returned; ``olds`` are the stored outputs):
        PUT, with syncRemoteAddressSpace when ARM reports it out of sync, wait, and return the full outputs (the
        SDK's default would wipe them). Writes nothing when ARM already matches. A Disconnected peering is
        re-established by the same PUT; a pair whose remote vnet was resized ends FullyInSync."""
        label = peering_label(news)
        try:
            spec = self._spec(news)
            deadline = Deadline(spec.timeouts.seconds("update"))
            writer = self.writer()
            client = writer.client
            aux = aux_tenants(spec, client.settings)
            live = client.get_peering(spec.peering_id, auxiliary_tenant_ids=aux, deadline=deadline)
            in_arm = models.outputs_from({}, live) if live is not None else None  # ARM's answer, as outputs
            needs_write = (
                in_arm is None
                or bool(declared_change(olds, news))
                or bool(arm_differences(spec_inputs(spec), in_arm))
                or drift_reason(in_arm, spec.sync_remote_address_space) is not None
                or spec.sync_remote_address_space == "always"
            )
            if needs_write:
                live = writer.write(spec, deadline, sync=wants_sync(spec.sync_remote_address_space, live))
                live = writer.settle(spec, live, deadline, aux)
            if (
                live is not None
                and spec.sync_remote_address_space != "never"
                and live.properties.peering_sync_level in SELF_NEEDS_REVERSE_SYNC
                and not waiting_for_other_side(live.properties.peering_state, live.properties.peering_sync_level)
            ):
                # Whichever side the engine updates first, the pair ends FullyInSync in this run: sync the reverse
                # peering unless the resource that owns it has just done so (the engine updates both at once), then
                # read this side again.
                with self.runtime.vnet_locks.hold([spec.virtual_network_id, spec.remote_virtual_network_id], deadline):
                    try:
                        writer.sync_reverse(spec, deadline, aux)
                    except (ArmAuthorizationError, ArmAuthenticationError) as exc:
                        # Optional rights (README): without write on the remote vnet the other side's own stack
                        # syncs it; this side then reads FullyInSync on its next refresh.
                        log.warning("%s: cannot sync the reverse peering: %s", label, one_line(str(exc)))
                live = client.get_peering(spec.peering_id, auxiliary_tenant_ids=aux, deadline=deadline) or live
            assert live is not None
            return dyn.UpdateResult(full_outputs(news, spec, live))
        except (PeeringError, pydantic.ValidationError) as exc:
            raise PeeringOperationError(describe_failure(f"update {label}", exc, self.runtime.told), exc) from None

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the peering ``id_`` (``props``: its stored outputs) and wait; a peering that ARM says is gone is
        success, any other failure raises and the state keeps it.

        The engine deletes what this resource's state holds. One exception (docs/ownership.md): when another
        resource of this run made or adopted the same peering in this run, or holds it and its new inputs keep it
        (a resource renamed without an alias whose new self adopted the peering, or resumed after a run killed
        between the two), the peering is that resource's, and this delete leaves it, saying so
        (:meth:`~.ownership.RunLedger.keeper`)."""
        old = strip_internal(props)
        label = peering_label(old, id_)
        try:
            timeouts = old.get("timeouts") or {}
            deadline = Deadline(float(timeouts.get("delete") or DEFAULT_TIMEOUT_SECONDS))
            client = self.client()
            aux = old.get("auxiliary_tenant_ids") or list(client.settings.auxiliary_tenant_ids)
            deleting = resource_name_of(props)
            keeper = self.runtime.ledger.keeper(id_, deleting)
            if keeper is not None:
                # deleting it would cut off what the other resource's state holds after this run
                who = f"resource {keeper!r}" + (" (a new resource of the same name)" if keeper == deleting else "")
                progress.say(f"{label}: not deleted: {who} of this stack manages it now")
                return
            vnets = [parent_vnet_id(id_), str(old.get("remote_virtual_network_id") or "")]
            with self.runtime.vnet_locks.hold(vnets, deadline) as locks:
                try:
                    client.delete_peering(
                        id_, deadline=deadline, auxiliary_tenant_ids=aux, on_accepted=lambda: locks.release(vnets[1])
                    )
                finally:
                    for vnet in vnets:
                        self.runtime.vnet_facts.forget(vnet)
        except (PeeringError, pydantic.ValidationError) as exc:
            raise PeeringOperationError(describe_failure(f"delete {label}", exc, self.runtime.told), exc) from None


# Loading this module in the dynamic-provider process (unpickling the provider) ties that process to the engine,
# shows the user what the provider waits for (provider.progress), and has a failure reach the engine as its message
# without the SDK's Python stack around it.
if process_runtime().watch_engine():
    progress.show_on_stderr()
    errors.report_plainly_to_the_engine(sys.modules["__main__"])
