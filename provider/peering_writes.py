"""How a peering is written to ARM: the PUT under the vnets' write locks, the waits for what another resource of
the run or a gateway is about to make possible, the reverse peering's re-arm and sync, and the cleanup of a failed
create. ``create`` and ``update`` (:mod:`.resource`) decide *whether* to write; this module *how*.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import progress
from .arm import Deadline, WriteOutcome
from .errors import ArmError, OperationTimeoutError, PeeringError, one_line, refuses_remote_gateways_without_transit
from .facts import VnetFacts
from .ids import same_id, vnet_name
from .schema import PeeringState
from .settings import Settings
from .vnet_locks import HeldVnetLocks

if TYPE_CHECKING:
    from . import models
    from .arm import ArmClient
    from .models import PeeringSpec, PeeringWriteProperties, VirtualNetworkPeeringResource
    from .runtime import Runtime
else:  # imported when a write first needs them (provider/lazy_exports.py)
    from .lazy_exports import models

log = logging.getLogger("provider")

# How long a write that uses the remote vnet's gateway waits, at least, for that gateway to finish provisioning:
# a real VPN gateway takes 18 to 35 minutes to create (recorded), and Azure documents 45 minutes and more.
GATEWAY_WAIT_SECONDS = 3600.0

# How long a failed create may take to delete what it made: it waits for ARM's operation on the vnet to end first.
CLEANUP_SECONDS = 300.0

# How long a write waits for the reverse peering (another resource) to be re-established or allow transit.
RECONNECT_GRACE_SECONDS = 60.0

# The remote vnet was resized: this side reads RemoteNotInSync and the reverse peering LocalNotInSync; a PUT of the
# reverse peering with syncRemoteAddressSpace=true makes both FullyInSync (recorded traffic: docs/emulator.md, "What
# real Azure does, and where it came from").
SELF_NEEDS_REVERSE_SYNC = frozenset({"RemoteNotInSync", "LocalAndRemoteNotInSync"})
_REVERSE_NEEDS_SYNC = frozenset({"LocalNotInSync", "LocalAndRemoteNotInSync"})


def waits_for_sibling(exc: BaseException) -> bool:
    """Whether ARM refused a write for a reason the other half of the pair, another resource of the same run,
    usually clears: the reverse is Disconnected (``RemotePeeringIsDisconnected``), or does not allow gateway
    transit yet (known by its text: :func:`~.errors.refuses_remote_gateways_without_transit`)."""
    return isinstance(exc, ArmError) and (
        exc.code == "RemotePeeringIsDisconnected" or refuses_remote_gateways_without_transit(exc)
    )


def aux_tenants(spec: PeeringSpec, settings: Settings) -> list[str]:
    """The auxiliary tenants a peering's requests carry: its own, else the provider's."""
    return list(spec.auxiliary_tenant_ids or settings.auxiliary_tenant_ids)


def _gateway_states(facts: VnetFacts) -> str:
    """A vnet's gateways with their provisioning states, for the user (``vgw-hub (Updating)``)."""
    return ", ".join(f"{g.id.rsplit('/', 1)[-1]} ({g.provisioning_state})" for g in facts.gateways)


class PeeringWriter:
    """Writes peerings through one ARM client, with the locks, caches and notes of one process's runtime."""

    def __init__(self, client: ArmClient, runtime: Runtime) -> None:
        self.client = client
        self.runtime = runtime

    def write(
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
        aux = aux_tenants(spec, self.client.settings)

        def put(locks: HeldVnetLocks, deadline: Deadline) -> VirtualNetworkPeeringResource:
            return self.client.put_peering(
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
        # A refusal the re-read contradicts (the gateway reached Succeeded between ARM's answer and our read) is
        # retried once: a second refusal with a Succeeded gateway is not about provisioning, and is raised.
        retried_after_success: list[bool] = []

        def attempt() -> VirtualNetworkPeeringResource:
            deadline = current[0]
            with self.runtime.vnet_locks.hold(
                [spec.virtual_network_id, spec.remote_virtual_network_id], deadline
            ) as locks:
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
                        rearmed = self._rearm_reverse(spec, deadline, aux)
                        if rearmed is None:
                            raise
                        again = put(locks, deadline)  # two peerings written: both vnets are read again
                        if rearmed:  # re-armed without its gateway: give it back now that this side exists
                            self._restore_reverse_gateway(spec, again, rearmed, aux)
                        return again
                finally:
                    if written is not None:  # what changed is known: the cached facts need no new read
                        self.runtime.vnet_facts.learn(self.client.settings.fingerprint(), written.to_wire())
                    else:
                        self.runtime.vnet_facts.forget(spec.virtual_network_id)
                        self.runtime.vnet_facts.forget(spec.remote_virtual_network_id)

        grace = Deadline(min(RECONNECT_GRACE_SECONDS, deadline.remaining()))

        def worth_waiting(exc: BaseException) -> bool:
            if isinstance(exc, ArmError) and exc.code == "RemoteVnetHasNoGateways":
                # ARM counts only a Succeeded gateway; one still being provisioned is worth waiting for, as long
                # as a real one takes (GATEWAY_WAIT_SECONDS at least, whatever the create's own timeout)
                if not waiting_for_gateway:
                    current[0] = Deadline(max(GATEWAY_WAIT_SECONDS, deadline.remaining()))
                if current[0].expired:
                    return False
                self.runtime.vnet_facts.forget(spec.remote_virtual_network_id)
                facts = self.runtime.vnet_facts.get(
                    self.client, spec.remote_virtual_network_id, auxiliary_tenant_ids=aux, deadline=current[0]
                )
                if facts is not None and facts.gateway_provisioning:
                    gateways = _gateway_states(facts)
                    self.runtime.notes.waiting(
                        f"peering {spec.name!r}",
                        "gateway",
                        f"the gateway of vnet {facts.name!r} is still provisioning ({gateways}); ARM accepts "
                        f"use_remote_gateways once it has Succeeded (waiting up to {current[0].seconds / 60:.0f} min)",
                    )
                    waiting_for_gateway[:] = [facts]
                    return True
                if facts is not None and facts.has_gateway and not retried_after_success:
                    retried_after_success.append(True)
                    return True
                return False
            if current[0].expired:
                return False
            if waits_for_sibling(exc):
                if grace.expired:
                    return False
                assert isinstance(exc, ArmError)
                self.runtime.notes.waiting(
                    f"peering {spec.name!r} of vnet {vnet_name(spec.virtual_network_id)!r}",
                    str(exc.code),
                    f"ARM refuses it ({exc.code}) until the peering back from vnet "
                    f"{vnet_name(spec.remote_virtual_network_id)!r} "
                    + (
                        "allows gateway transit"
                        if refuses_remote_gateways_without_transit(exc)
                        else "is re-established"
                    )
                    + f", which another resource of this run is usually about to do; retrying for up to "
                    f"{RECONNECT_GRACE_SECONDS:.0f}s",
                )
                return True
            return False

        import tenacity  # only a write waits: a no-change preview's provider never imports it

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(worth_waiting),
            wait=tenacity.wait_exponential(multiplier=1, max=10),
            stop=tenacity.stop_never,
            sleep=self.client.retry.sleep,
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

    def _rearm_reverse(self, spec: PeeringSpec, deadline: Deadline, aux: list[str]) -> str | None:
        """Bring the remote vnet's Disconnected peering back to this vnet to Initiated, as ARM's error asks, by
        writing it again with its own current properties (nothing about it changes). Returns the name of the
        peering it re-armed *without* ``useRemoteGateways`` (see below), "" when it re-armed it as it was, None when
        there was none to re-arm.

        This is what makes replacing one half of a Connected pair work: deleting the old half disconnects the other,
        and ARM refuses the new half until the other is re-armed. A reverse that uses this vnet's gateway cannot be
        re-armed as it was while this side does not exist yet (ARM's transit refusal,
        :data:`~.errors.TRANSIT_REFUSAL_TEXT`), so it is re-armed without useRemoteGateways, and the caller gives it
        back once this side allows transit (:meth:`_restore_reverse_gateway`): the reverse ends as it was. The caller
        holds both vnets' locks.
        """
        disconnected: Callable[[Any], bool] = lambda props: props.peering_state == PeeringState.DISCONNECTED.value  # noqa: E731
        try:
            found = self._rewrite_reverse(
                spec, deadline, aux, wanted=disconnected, sync=False, why="re-arming the Disconnected reverse"
            )
            return "" if found is not None else None
        except ArmError as exc:
            if not refuses_remote_gateways_without_transit(exc):
                raise

            def without_gateway(props: PeeringWriteProperties) -> None:
                props.use_remote_gateways = False

            return self._rewrite_reverse(
                spec,
                deadline,
                aux,
                wanted=lambda props: disconnected(props) and bool(props.use_remote_gateways),
                sync=False,
                why="re-arming the Disconnected reverse without useRemoteGateways (this side does not exist yet)",
                change=without_gateway,
            )

    def _restore_reverse_gateway(
        self, spec: PeeringSpec, written: VirtualNetworkPeeringResource, name: str, aux: list[str]
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

        with self.runtime.vnet_locks.hold([spec.remote_virtual_network_id, spec.virtual_network_id], deadline):
            self._rewrite_reverse(
                spec,
                deadline,
                aux,
                wanted=lambda _props: True,
                sync=False,
                why="giving the re-armed reverse its useRemoteGateways back",
                change=with_gateway,
                only=name,
            )

    def sync_reverse(self, spec: PeeringSpec, deadline: Deadline, aux: list[str]) -> bool:
        """This side reads RemoteNotInSync after the remote vnet's address space changed: only a sync of the
        reverse peering (the remote vnet's, which still has the old space) clears it, for both sides. Write that
        peering again with its own current properties and syncRemoteAddressSpace=true. Returns whether it did."""
        synced = self._rewrite_reverse(
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
        for item in self.client.list_peerings(
            spec.remote_virtual_network_id, auxiliary_tenant_ids=aux, deadline=deadline
        ):
            remote = item.properties.remote_virtual_network
            if (
                item.id is None
                or remote is None
                or not same_id(remote.id, spec.virtual_network_id)
                or (only is not None and (item.name or "").lower() != only.lower())
                or (only is None and not wanted(item.properties))
            ):
                continue
            current = models.PeeringWriteProperties.model_validate(item.properties.model_dump())
            if current.peer_complete_vnets:  # reported, not chosen: leave them to ARM
                current.local_address_space = current.remote_address_space = None
            if change is not None:
                change(current)
            body = {"properties": current.to_wire()}
            log.info("%s %s", why, item.name)
            self.client.put_peering(
                item.id, body, deadline=deadline, auxiliary_tenant_ids=aux, sync_remote_address_space=sync
            )
            return item.name or ""
        return None

    def cleanup_failed_create(self, spec: PeeringSpec, aux: list[str], label: str) -> bool:
        """Delete what a failed create made (a Failed operation, or one still running when the create's own timeout
        ran out: the delete waits for ARM to let go of the vnet, up to CLEANUP_SECONDS). Whether it is gone."""
        try:
            # as long again as the create itself was given (at least a minute, at most CLEANUP_SECONDS): a hung
            # operation must not hold the run for long past the timeout the user chose
            deadline = Deadline(min(CLEANUP_SECONDS, max(60.0, spec.timeouts.seconds("create"))))
            with self.runtime.vnet_locks.hold([spec.virtual_network_id, spec.remote_virtual_network_id], deadline):
                self.client.delete_peering(spec.peering_id, deadline=deadline, auxiliary_tenant_ids=aux)
            return True
        except PeeringError as exc:
            log.warning("%s: could not remove the failed peering: %s", label, one_line(str(exc)))
            return False
        finally:
            self.runtime.vnet_facts.forget(spec.virtual_network_id)
            self.runtime.vnet_facts.forget(spec.remote_virtual_network_id)

    def settle(
        self,
        spec: PeeringSpec,
        live: VirtualNetworkPeeringResource,
        deadline: Deadline,
        aux: list[str],
    ) -> VirtualNetworkPeeringResource:
        """If the final GET still reports a transitional provisioning state, read again until it settles."""
        for _ in range(10):
            if live.properties.provisioning_state in (None, "Succeeded", "Failed") or deadline.expired:
                return live
            self.client.retry.sleep(min(self.client.poll_interval, deadline.remaining()))
            again = self.client.get_peering(spec.peering_id, auxiliary_tenant_ids=aux, deadline=deadline)
            if again is None:
                return live
            live = again
        return live
