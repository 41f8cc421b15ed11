"""``HubSpokePeering``: a hub vnet and its spokes, peered both ways, in the order ARM needs.

The component is a thin shell around :func:`pulumi_azure_peering.components.plan.plan_hub_spoke`: it looks the
vnets up in ARM (read-only, one GET per distinct vnet), plans, refuses to register anything when the plan has errors,
and turns the planned peerings into :class:`pulumi_azure_peering.provider.VirtualNetworkPeering` children. Resource
names derive from the spoke keys only, so adding, removing or reordering spokes touches only the affected pairs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pulumi
import pulumi.runtime

from pulumi_azure_peering.provider import (
    CredentialError,
    PeeringError,
    SettingsError,
    VirtualNetworkPeering,
    VirtualNetworkPeeringArgs,
    read_virtual_networks,
)
from pulumi_azure_peering.provider.facts import vnet_facts_from_lookup
from pulumi_azure_peering.provider.vnet_facts import Lookup
from pulumi_azure_peering.sdk_workarounds import register_before_waiting

from . import program_claims
from .pair_status import pair_fields
from .partial_plan import (
    INPUT_FIELDS,
    PartialPlan,
    all_known,
    partial_plan,
    peering_input,
)
from .peering_names import hub_to_spoke_key, mesh_key, spoke_to_hub_key
from .plan import (
    Plan,
    PlannedPeering,
    PlanValidationError,
    plan_hub_spoke,
    vnet_ids_to_look_up,
)
from .topology import (
    MAX_AUXILIARY_TENANTS,
    HubSpokeSpec,
    LinkKind,
    SpokeSpec,
    VnetFacts,
)
from .topology_picture import hub_spoke_picture, mermaid

TYPE_TOKEN = "azure-peering:index:HubSpokePeering"
#: Hub-side peerings sent to the engine at once when ``chain_hub_writes`` is on: one being written, the next ones
#: waiting for the hub's lock in the provider (so each starts the moment the hub is free, with no engine round trip
#: between two hub writes), the provider's other threads free for the spoke sides. Why 3 and not 2: with 2 the
#: engine's round trip behind a write sometimes outlasted the write and left the hub idle (docs/benchmarks.md,
#: "Hub scale", the gate rows).
HUB_WRITES_IN_FLIGHT = 3


@dataclass
class SpokeArgs:
    """One spoke: its vnet and how it is peered to the hub. The spoke's name is its key in
    :attr:`HubSpokePeeringArgs.spokes`, the stable part of its resources' names."""

    vnet_id: pulumi.Input[str]
    """ARM id of the spoke vnet (a string, or an output of another resource or a StackReference)."""
    allow_forwarded_traffic: bool = True
    """Let traffic forwarded by the hub (a firewall or NVA) into the spoke (spoke-side allowForwardedTraffic)."""
    use_hub_gateway: bool = False
    """Gateway transit: the hub side gets allowGatewayTransit, the spoke side useRemoteGateways (created after)."""
    link: LinkKind = "vnet"
    """``vnet`` (whole address spaces), ``subnets`` (only the named subnets) or ``ipv6`` (IPv6-only subnet peering)."""
    local_subnet_names: Sequence[str] = ()
    """Spoke subnets to peer (``subnets``/``ipv6`` links)."""
    hub_subnet_names: Sequence[str] = ()
    """Hub subnets to peer with this spoke (``subnets``/``ipv6`` links)."""
    hub_peering_name: str | None = None
    """ARM name of the peering in the hub vnet (default ``<hub>-to-<spoke>``)."""
    spoke_peering_name: str | None = None
    """ARM name of the peering in the spoke vnet (default ``<spoke>-to-<hub>``)."""
    adopt_existing: bool = False
    """Take over peerings of these names that already exist instead of failing. Through the ``azure-peering``
    package (YAML, TypeScript) the engine imports each one (read and recorded, then updated only where it differs
    from what is declared); here, where the children are dynamic resources the engine cannot import, each one's
    create adopts it with one write (docs/adopting.md)."""
    timeouts: Mapping[str, str | float] | None = None
    """create/update/delete timeouts for this spoke's peerings (seconds, or ``"30m"``-style durations)."""
    auxiliary_tenant_ids: Sequence[str] = ()
    """Tenants whose tokens ARM needs for this spoke (a spoke in another tenant)."""
    allow_virtual_network_access: bool = True
    """allowVirtualNetworkAccess on both sides."""
    join_mesh: bool = True
    """Take part in the spoke-to-spoke mesh when :attr:`HubSpokePeeringArgs.mesh` is on."""
    previous_keys: Sequence[str] = ()
    """Keys this spoke had before (it was renamed): its peerings keep their state under the new key instead of
    being created again and the old ones deleted (Pulumi aliases). Keep a key here until every stack of the
    program has been updated once after the rename."""


@dataclass
class HubSpokePeeringArgs:
    """A hub vnet, its spokes keyed by stable names, and topology-wide options."""

    hub_vnet_id: pulumi.Input[str]
    """ARM id of the hub vnet."""
    spokes: Mapping[str, SpokeArgs] = field(default_factory=dict)
    """The spokes, keyed by a stable spoke name (letters, digits, ``-``, ``_``)."""
    mesh: bool = False
    """Also peer every pair of spokes (that have ``join_mesh``) with each other."""
    hub_allow_forwarded_traffic: bool = True
    """Hub-side allowForwardedTraffic."""
    auxiliary_tenant_ids: Sequence[str] = ()
    """Tenants whose tokens ARM needs for every peering (merged with each spoke's)."""
    timeouts: Mapping[str, str | float] | None = None
    """Default create/update/delete timeouts for every peering."""
    chain_hub_writes: bool = True
    """Send the hub side's writes to the engine a few at a time (:data:`HUB_WRITES_IN_FLIGHT`), in spoke order.
    ARM runs one write at a time on the hub anyway; without this all N hub-side creates are in flight at once,
    waiting for the hub, and fill the engine's parallel slots and the dynamic provider's 4 threads, so the spoke
    sides only start once the hub is done (a tail of about N/4 writes). The order is kept by the program, not by
    ``depends_on``: no dependency is declared between hub sides (declaring a chain of N costs O(N^2) in the SDK's
    cycle check), and a hub side that fails lets the next one go (with ``--continue-on-error`` the others are
    still created). Not applied at preview, which writes nothing."""
    look_up_vnets: bool = True
    """Read the vnets from ARM before planning (overlap, gateways, subnets, existing peerings). When off, those
    checks are left to each peering's own preflight and to ARM."""


def _spec(args: HubSpokePeeringArgs, hub_id: str, spoke_ids: Mapping[str, str]) -> HubSpokeSpec:
    # Values go to the planner as given (the spec freezes lists): it reports a value of the wrong type by field,
    # where tuple() here would crash on a number and split a string into letters.
    return HubSpokeSpec(
        hub_vnet_id=hub_id,
        spokes={
            key: SpokeSpec(
                vnet_id=spoke_ids[key],
                allow_forwarded_traffic=s.allow_forwarded_traffic,
                use_hub_gateway=s.use_hub_gateway,
                link=s.link,
                local_subnet_names=s.local_subnet_names,
                hub_subnet_names=s.hub_subnet_names,
                hub_peering_name=s.hub_peering_name,
                spoke_peering_name=s.spoke_peering_name,
                adopt_existing=s.adopt_existing,
                timeouts=s.timeouts,
                auxiliary_tenant_ids=s.auxiliary_tenant_ids,
                allow_virtual_network_access=s.allow_virtual_network_access,
                join_mesh=s.join_mesh,
            )
            for key, s in args.spokes.items()
        },
        mesh=args.mesh,
        hub_allow_forwarded_traffic=args.hub_allow_forwarded_traffic,
        auxiliary_tenant_ids=args.auxiliary_tenant_ids,
        timeouts=args.timeouts,
    )


def _aux_by_vnet(spec: HubSpokeSpec) -> dict[str, tuple[str, ...]]:
    """Tenants whose tokens reading each vnet (lower-cased id) may need: the topology's, plus the spoke's own for a
    spoke vnet. The hub is read with the topology's tenants only: every spoke's tenants would add token fetches for a
    read that does not need them (and could not all fit in ARM's limit of 3)."""
    tenants: dict[str, list[str]] = {}
    for spoke in spec.spokes.values():
        own = tenants.setdefault(spoke.vnet_id.lower(), list(spec.auxiliary_tenant_ids))
        own += [t for t in spoke.auxiliary_tenant_ids if t not in own]
    return {vnet: tuple(ids[:MAX_AUXILIARY_TENANTS]) for vnet, ids in tenants.items()}


#: Reads many vnets at once: vnet id -> the auxiliary tenants reading it needs, to vnet id -> its facts (a
#: :class:`VnetFacts`, as ``read_virtual_networks`` answers, or the dict ``get_virtual_networks`` answers), None when
#: it does not exist, or the error that kept it from being read.
VnetLookup = Callable[[Mapping[str, Sequence[str]]], Mapping[str, Lookup | Mapping[str, Any]]]


def look_up_facts(
    spec: HubSpokeSpec, lookup: VnetLookup = read_virtual_networks
) -> tuple[dict[str, VnetFacts], list[str]]:
    """Read every distinct vnet of the spec once (a resource group holding several in one listing, the others in
    parallel). Returns the facts and, for vnets that do not exist or cannot be read, one line each naming the
    argument and the fix. A credential that fails, or settings that cannot be resolved, fail every read alike: that
    is one line, naming every argument it stopped, not one per vnet."""
    ids = vnet_ids_to_look_up(spec)
    facts: dict[str, VnetFacts] = {}
    problems: list[str] = []
    credential_problems: dict[str, list[str]] = {}

    aux = _aux_by_vnet(spec)
    topology_tenants = tuple(spec.auxiliary_tenant_ids[:MAX_AUXILIARY_TENANTS])
    try:
        wanted = {vnet_id: aux.get(vnet_id.lower(), topology_tenants) for vnet_id in ids}
        answers: Mapping[str, Lookup | Mapping[str, Any]] = lookup(wanted)
    except PeeringError as exc:  # settings that cannot be resolved stop every read alike
        answers = dict.fromkeys(ids, exc)
    arguments: dict[str, str] = {}  # which argument names each vnet: made when a first problem needs it

    def where(vnet_id: str) -> str:
        if not arguments:
            arguments.update(_arguments_by_vnet(spec))
        return arguments.get(vnet_id.lower(), vnet_id)

    for vnet_id in ids:
        data = answers.get(vnet_id)
        if isinstance(data, CredentialError | SettingsError):  # stops every read alike: said once
            credential_problems.setdefault(str(data), []).append(where(vnet_id))
        elif isinstance(data, PeeringError):
            problems.append(f"{where(vnet_id)}: cannot read virtual network {vnet_id}: {data}")
        elif data is None:
            problems.append(
                f"{where(vnet_id)}: virtual network {vnet_id} does not exist or is not visible to these "
                "credentials. "
                "Fix: create it first, correct the id, or grant the deployment identity Reader on it "
                "(and add its tenant to auxiliary_tenant_ids when it lives in another tenant)."
            )
        elif isinstance(data, VnetFacts):
            facts[vnet_id] = data
        else:  # a lookup of one's own that answers as get_virtual_networks does
            facts[vnet_id] = vnet_facts_from_lookup(data)
    problems[:0] = [f"{', '.join(wheres)}: {error}" for error, wheres in credential_problems.items()]
    return facts, problems


def _arguments_by_vnet(spec: HubSpokeSpec) -> dict[str, str]:
    """Which argument names each vnet of the spec (by lower-cased id): the hub's, else the first spoke's by key."""
    arguments = {spec.hub_vnet_id.lower(): "hub_vnet_id"}
    for key, spoke in sorted(spec.spokes.items()):
        arguments.setdefault(spoke.vnet_id.lower(), f'spokes["{key}"].vnet_id')
    return arguments


def plan_for(
    args: HubSpokePeeringArgs,
    hub_id: str,
    spoke_ids: Mapping[str, str],
    lookup: VnetLookup = read_virtual_networks,
) -> Plan:
    """Look up facts (unless disabled) and plan; raise :class:`HubSpokeError` on any problem."""
    spec = _spec(args, hub_id, spoke_ids)
    facts: dict[str, VnetFacts] = {}
    problems: list[str] = []
    if args.look_up_vnets:
        facts, problems = look_up_facts(spec, lookup)
    plan = plan_hub_spoke(spec, facts)
    lines = [f"{e.field}: {e.message}" for e in plan.errors] + problems
    if lines:
        raise HubSpokeError(lines)
    return plan


class HubSpokeError(pulumi.RunError):
    """The topology cannot be deployed as declared; nothing was registered. One line per problem."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__(
            f"HubSpokePeering: {len(self.lines)} problem(s), nothing was changed:\n"
            + "\n".join(f"  - {line}" for line in self.lines)
        )


def _dependency_outputs(opts: pulumi.ResourceOptions | None) -> list[pulumi.Output[Any]]:
    """An output per resource the component was told to depend on, known once that resource exists (its id for a
    custom resource, which the engine resolves when the create is done)."""
    raw: Any = opts.depends_on if opts is not None else None
    if raw is None:
        return []
    if isinstance(raw, pulumi.Output):
        # An apply that returns an output is flattened: this one resolves once every listed resource is done.
        return [raw.apply(lambda deps: pulumi.Output.all(*map(_done, deps or [])))]
    return [_done(dep) for dep in (raw if isinstance(raw, list | tuple) else [raw])]


def _done(dep: Any) -> pulumi.Output[Any]:
    """An output known once ``dep`` exists: a custom resource's id, a component's urn."""
    if isinstance(dep, pulumi.CustomResource):
        return dep.id
    if isinstance(dep, pulumi.Resource):
        return dep.urn
    return pulumi.Output.from_input(dep)


def _settled(resource: pulumi.Resource) -> pulumi.Output[bool]:
    """An output that resolves (to True) once the engine has answered ``resource``'s registration, whether its
    create succeeded or failed. It carries no resource: whatever waits for it declares no dependency on
    ``resource`` (no edge in the engine's graph, no step in the SDK's cycle check)."""

    async def settled() -> bool:
        # a failed create must not hold back the writes queued behind it
        with contextlib.suppress(Exception):
            await resource.urn.future()
        return True

    done = asyncio.ensure_future(settled())

    async def known() -> bool:
        await done
        return True

    return pulumi.Output(set(), done, asyncio.ensure_future(known()))


def _and(wanted: bool) -> Callable[[Any], bool]:
    return lambda other: wanted and bool(other)


def _wait_for(*outputs: pulumi.Output[Any] | None) -> pulumi.Output[Any] | None:
    waits = [o for o in outputs if o is not None]
    if len(waits) > 1:
        return pulumi.Output.all(*waits)
    return waits[0] if waits else None


def _renamed_spokes(args: HubSpokePeeringArgs) -> dict[str, tuple[str, ...]]:
    """Each spoke's earlier keys (``SpokeArgs.previous_keys``), checked: an earlier key that is a spoke's key
    today would make two resources claim one peering."""
    renamed: dict[str, tuple[str, ...]] = {}
    problems: list[str] = []
    for key, spoke in sorted(args.spokes.items()):
        raw = spoke.previous_keys
        olds = (raw,) if isinstance(raw, str) else tuple(raw)
        for old in olds:
            if not isinstance(old, str) or not old:
                problems.append(f'spokes["{key}"].previous_keys: {old!r} is not a spoke key')
            elif old in args.spokes:
                problems.append(
                    f'spokes["{key}"].previous_keys: {old!r} is the key of a spoke of this topology; list only '
                    "keys that no spoke has any more"
                )
        renamed[key] = tuple(o for o in olds if isinstance(o, str) and o)
    if problems:
        raise HubSpokeError(problems)
    return renamed


def _previous_keys(p: PlannedPeering, renamed: Mapping[str, Sequence[str]]) -> list[str]:
    """The plan keys this peering had under its spokes' earlier keys (Pulumi aliases of its resource)."""
    if p.direction != "mesh":
        key_of = hub_to_spoke_key if p.direction == "hub_to_spoke" else spoke_to_hub_key
        return [key_of(old) for old in renamed.get(p.spoke, ())]
    assert p.remote_spoke is not None
    locals_ = [p.spoke, *renamed.get(p.spoke, ())]
    remotes = [p.remote_spoke, *renamed.get(p.remote_spoke, ())]
    return [mesh_key(a, b) for a in locals_ for b in remotes if (a, b) != (p.spoke, p.remote_spoke)]


class HubSpokePeering(pulumi.ComponentResource):
    """A hub vnet and its spokes, peered both ways (plus an optional spoke mesh).

    Guarantees, checked before anything is registered: at most one useRemoteGateways per spoke vnet, none when
    the spoke has its own gateway, a hub gateway when transit is asked for (a gateway still provisioning is waited
    for), no overlapping address spaces (hub/spokes, meshed spokes, vnets already peered to the hub), no duplicate
    spokes, at most 500 peerings per vnet. The spoke side that uses the hub's gateway takes an input from the hub
    side's outputs, so the engine creates it only once the hub side (with allowGatewayTransit) exists.
    """

    peerings: pulumi.Output[dict[str, dict[str, Any]]]
    """Per spoke: ``hub_to_spoke_id``, ``spoke_to_hub_id``, ``hub_to_spoke_state``, ``spoke_to_hub_state``,
    ``hub_to_spoke_sync_level``, ``spoke_to_hub_sync_level`` and ``status`` (see
    :func:`~.pair_status.pair_status`: a pair whose other side is not created yet says ``WaitingForSpokeSide`` /
    ``WaitingForHubSide``, not out of sync)."""
    mesh_peerings: pulumi.Output[dict[str, dict[str, Any]]]
    """Per mesh key (``mesh.<a>.<b>``): ``id``, ``state``, ``sync_level``."""
    topology_mermaid: pulumi.Output[str]
    """The topology as a Mermaid flowchart, to paste into a pull request (GitHub and Azure DevOps render it): the
    hub as a hexagon, each spoke labelled ``<key>: <vnet name>``, each pair one line labelled and colored by its
    status (as in :attr:`peerings`; a meshed pair by both sides' states), dashed while a side is missing."""
    resources: dict[str, VirtualNetworkPeering]
    """The child peerings by plan key (``<spoke>.hub-to-spoke``, ``<spoke>.spoke-to-hub``, ``mesh.<a>.<b>``)."""
    peering_resource: Callable[..., VirtualNetworkPeering] = VirtualNetworkPeering
    """What each child peering is made with: the dynamic resource here; the ``azure-peering`` package's provider
    plugin sets its own custom resource (same arguments, same outputs: ``pulumi_azure_peering.plugin.children``)."""
    imports_adopted_peerings: bool = False
    """Whether a child that adopts an existing peering (:attr:`PlannedPeering.existing_id`) is registered with
    Pulumi's ``import`` option: the engine then reads it and records it without a write, and updates it only where
    it differs. Off here: the engine cannot import a dynamic resource (pulumi/pulumi#16175), so its create adopts
    it; on for the ``azure-peering`` package's component."""
    vnet_lookup: VnetLookup = staticmethod(read_virtual_networks)
    """How the vnets are read before planning (``read_virtual_networks``'s signature): with the program's settings
    here; with the configured provider's in the plugin, where construct has no program config of its own."""

    def __init__(self, name: str, args: HubSpokePeeringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._component_name = name
        ids: list[Any] = [args.hub_vnet_id, *(args.spokes[k].vnet_id for k in args.spokes)]
        keys = list(args.spokes)
        # The plan, when it can only be computed once outputs resolve (else None: planned now, every input known).
        deferred: pulumi.Output[Plan] | None = None
        # What the plan reads (the vnets, their gateways and peerings) may be made by resources this component
        # depends on (a hub's gateway created in the same program): then it is read once they exist.
        waits_for = _dependency_outputs(opts)
        if all(isinstance(i, str) for i in ids) and not waits_for:
            # Known ids: plan now, so a bad topology fails `pulumi preview` before anything is registered.
            spoke_ids = {k: str(args.spokes[k].vnet_id) for k in keys}
            plan = self._accept(plan_for(args, str(args.hub_vnet_id), spoke_ids, self.vnet_lookup))
            view = all_known(plan)
        else:
            # Some ids are outputs (vnets created by this program), or the facts are: the plan needs them all,
            # so it is computed once they resolve. Whatever does not depend on them is known now and shown at
            # preview; problems that do not depend on them fail the preview already.
            view, problems = partial_plan(
                lambda hub, spokes: _spec(args, hub, spokes),
                args.hub_vnet_id if isinstance(args.hub_vnet_id, str) else None,
                {k: (v if isinstance(v, str) else None) for k, v in ((k, args.spokes[k].vnet_id) for k in keys)},
            )
            if problems:
                raise HubSpokeError(problems)
            deferred = pulumi.Output.all(*ids, *waits_for).apply(
                lambda resolved: self._accept(
                    plan_for(
                        args,
                        str(resolved[0]),
                        dict(zip(keys, map(str, resolved[1 : 1 + len(keys)]), strict=True)),
                        self.vnet_lookup,
                    )
                )
            )
        looked_up = args.look_up_vnets
        # A child's own preflight reads the facts only once the resources the component depends on exist.
        facts_ready = pulumi.Output.all(*waits_for).apply(lambda _: True) if waits_for else None
        shape = view.shape

        self._renamed = _renamed_spokes(args)
        self.resources = {}
        # A preview writes nothing: its registrations are not held back.
        gated = args.chain_hub_writes and not pulumi.runtime.is_dry_run()
        hub_sides: list[VirtualNetworkPeering] = []
        for p in shape.peerings:  # hub side before the spoke side that depends on it
            turn = None
            if gated and p.direction == "hub_to_spoke" and len(hub_sides) >= HUB_WRITES_IN_FLIGHT:
                turn = _settled(hub_sides[-HUB_WRITES_IN_FLIGHT])
            self.resources[p.key] = self._peering(name, p, view, deferred, facts_ready, looked_up, turn)
            if p.direction == "hub_to_spoke":
                hub_sides.append(self.resources[p.key])

        spoke_vnet_ids = {key: args.spokes[key].vnet_id for key in keys}
        self.peerings = self._pairs_output(sorted({p.spoke for p in shape.peerings if p.direction != "mesh"}))
        self.mesh_peerings = pulumi.Output.from_input(
            {
                p.key: {
                    "id": self.resources[p.key].peering_id,
                    "state": self.resources[p.key].peering_state,
                    "sync_level": self.resources[p.key].peering_sync_level,
                }
                for p in shape.peerings
                if p.direction == "mesh"
            }
        )
        self.topology_mermaid = pulumi.Output.all(
            args.hub_vnet_id, pulumi.Output.from_input(spoke_vnet_ids), self.peerings, self.mesh_peerings
        ).apply(lambda values: mermaid(hub_spoke_picture(*values)))
        self.register_outputs(
            {"peerings": self.peerings, "mesh_peerings": self.mesh_peerings, "topology_mermaid": self.topology_mermaid}
        )
        register_before_waiting(list(self.resources.values()))

    def _accept(self, plan: Plan) -> Plan:
        """Refuse a plan that claims what another component of this program already claimed (a spoke routed
        through two hubs' gateways, one pair of vnets peered twice: :mod:`.program_claims`), then say the plan's
        warnings about the estate (docs/planner.md) on this component, once per run: a peering to the same remote
        under another name, a hub gateway still provisioning, nothing to adopt, ..."""
        problems = program_claims.claim(self._component_name, plan)
        if problems:
            raise HubSpokeError(problems)
        for warning in plan.warnings:
            pulumi.log.warn(f"{warning.field or 'topology'}: {warning.message} ({warning.code})", resource=self)
        return plan

    def _pairs_output(self, spokes: Sequence[str]) -> pulumi.Output[dict[str, dict[str, Any]]]:
        """:attr:`peerings`: one output over both sides' id, state and sync level of every spoke, computed by one
        apply (an output per field per spoke would cost a dozen applies per pair)."""
        fields = ("peering_id", "peering_state", "peering_sync_level")
        sides = [(self.resources[f"{s}.hub-to-spoke"], self.resources[f"{s}.spoke-to-hub"]) for s in spokes]
        flat = [getattr(side, f) for pair in sides for side in pair for f in fields]

        def build(values: list[Any]) -> dict[str, dict[str, Any]]:
            out: dict[str, dict[str, Any]] = {}
            for i, spoke in enumerate(spokes):
                hub_id, hub_state, hub_sync, spoke_id, spoke_state, spoke_sync = values[6 * i : 6 * i + 6]
                out[spoke] = pair_fields(hub_id, (hub_state, hub_sync), spoke_id, (spoke_state, spoke_sync))
            return out

        return pulumi.Output.all(*flat).apply(build)

    def _peering(
        self,
        name: str,
        shape_p: PlannedPeering,
        view: PartialPlan,
        deferred: pulumi.Output[Plan] | None,
        facts_ready: pulumi.Output[bool] | None,
        looked_up: bool,
        turn: pulumi.Output[bool] | None,
    ) -> VirtualNetworkPeering:
        key = shape_p.key

        def pick(field: str, convert: Callable[[Any], Any] = lambda v: v) -> Any:
            """The field's value: plain when known now, else an output of the plan."""
            known, value = view.value(key, field)
            if known:
                return convert(value)
            assert deferred is not None, "every field of a plan computed now is known"
            return deferred.apply(lambda plan: convert(getattr(plan.peering(key), field)))

        use_remote_gateways: pulumi.Input[bool] = pick("use_remote_gateways")
        depends_on: list[pulumi.Resource] = []
        for dep_key in shape_p.depends_on_keys:
            dep = self.resources[dep_key]
            depends_on.append(dep)
            # A data edge: the spoke side's flag is computed from the hub side's outputs, so it cannot be sent
            # to ARM before the hub side exists with allowGatewayTransit. (One apply when the flag is known.)
            if isinstance(use_remote_gateways, pulumi.Output):
                use_remote_gateways = pulumi.Output.all(use_remote_gateways, dep.allow_gateway_transit).apply(
                    lambda v: bool(v[0]) and bool(v[1])
                )
            else:
                use_remote_gateways = dep.allow_gateway_transit.apply(_and(bool(use_remote_gateways)))

        def timeouts(value: Any) -> dict[str, float]:
            return cast(dict[str, float], value.as_dict()) if value else {}

        def names(values: tuple[str, ...]) -> Any:
            # None rather than [] so that ARM's default (no subnet list) is what reaches it.
            return list(values) or None

        convert: dict[str, Callable[[Any], Any]] = {
            "local_subnet_names": names,
            "remote_subnet_names": names,
            "auxiliary_tenant_ids": names,
            "timeouts": timeouts,
            "remote_vnet_address_space": lambda v: list(v) if v else None,
        }
        inputs = {
            peering_input(planned): pick(planned, convert.get(planned, lambda v: v))
            for planned in INPUT_FIELDS
            if planned != "use_remote_gateways" and (planned != "timeouts" or shape_p.timeouts)
        }
        # The vnets were read and checked above; the children need not read them again.
        args = VirtualNetworkPeeringArgs(**inputs, use_remote_gateways=use_remote_gateways, preflight=not looked_up)
        # Only a plan made now, from the facts, knows what exists; Pulumi's import option takes no output.
        import_id = view.shape.peering(key).existing_id if deferred is None and self.imports_adopted_peerings else None
        return self.peering_resource(
            f"{name}-{key}",
            args,
            pulumi.ResourceOptions(
                parent=self,
                depends_on=depends_on or None,
                aliases=[pulumi.Alias(name=f"{name}-{old}") for old in _previous_keys(shape_p, self._renamed)] or None,
                import_=import_id,
            ),
            # Every child of a deferred plan waits for it, even one whose inputs are all known: nothing is created
            # when the plan, with every id and fact, finds a problem. A hub side also waits for its turn.
            wait_for=_wait_for(deferred.apply(lambda _: True) if deferred is not None else None, turn),
            # The vnets were read and checked; whether this peering is new only the engine knows: a new one must
            # still be checked against the peerings ARM has (one named like it, or one to the same remote).
            preflight_when_creating=looked_up,
            preflight_after=facts_ready,
        )


__all__ = ["HubSpokeError", "HubSpokePeering", "HubSpokePeeringArgs", "PlanValidationError", "SpokeArgs"]
