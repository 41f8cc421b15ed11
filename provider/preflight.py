"""The preflight: checks of one peering against the facts of its two vnets (``vnet_facts.py``).

``pulumi preview`` runs ``check``; when the ids are known, the preflight asks ARM the questions a write would
answer the hard way (does the remote exist and can we see it, do the spaces overlap, is there a gateway, has the
subscription registered the feature subnet peering needs) so that preview fails with the same error apply would
hit, before anything is written.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .arm import Deadline
from .errors import (
    ArmAuthenticationError,
    ArmAuthorizationError,
    CredentialError,
    PeeringError,
    TenantNotConfiguredError,
    one_line,
)
from .facts import VnetFacts
from .features import SUBNET_PEERING_FEATURE, subnet_peering_feature_problem
from .ids import same_id, subscription_and_group
from .validation import Failure
from .vnet_facts import VnetCache

if TYPE_CHECKING:
    from .arm import ArmClient
    from .models import PeeringSpec

PREFLIGHT_TIMEOUT_SECONDS = 120.0

log = logging.getLogger(__name__)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=65536)
def _parsed(prefix: str) -> tuple[IPNetwork, int, int] | None:
    """A prefix parsed once per process, with its first and last address as integers (None: not a prefix).

    A create's preflight compares the new pair's spaces with every peering of both vnets (third vnets must not
    overlap): for a hub, each of its peerings, at every create. Parsing them again each time cost a rollout of N
    spokes O(N^2) parses."""
    try:
        net = ipaddress.ip_network(prefix, strict=False)
    except (ValueError, TypeError):
        return None
    return net, int(net.network_address), int(net.broadcast_address)


def _networks(prefixes: Iterable[str], *, ipv6_only: bool = False) -> list[IPNetwork]:
    return [parsed[0] for parsed in _spans(prefixes, ipv6_only=ipv6_only)]


def _spans(prefixes: Iterable[str], *, ipv6_only: bool = False) -> list[tuple[IPNetwork, int, int]]:
    out = []
    for prefix in prefixes:
        parsed = _parsed(prefix)
        if parsed is None or (ipv6_only and parsed[0].version != 6):
            continue
        out.append(parsed)
    return out


def _inside(prefix: str, space: Iterable[str]) -> bool:
    nets = _networks([prefix])
    if not nets:
        return True  # validation already names malformed prefixes
    inner = nets[0]
    return any(
        outer.version == inner.version and inner.subnet_of(outer)  # type: ignore[arg-type]
        for outer in _networks(space)
    )


def overlaps(a: Iterable[str], b: Iterable[str], *, ipv6_only: bool = False) -> list[tuple[str, str]]:
    """The pairs of prefixes from ``a`` and ``b`` that overlap."""
    pairs: list[tuple[str, str]] = []
    ys = _spans(b, ipv6_only=ipv6_only)
    for x, x_first, x_last in _spans(a, ipv6_only=ipv6_only):
        for y, y_first, y_last in ys:
            if x.version == y.version and x_first <= y_last and y_first <= x_last:
                pairs.append((str(x), str(y)))
    return pairs


def _describe_overlap(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{x} and {y}" for x, y in pairs[:4]) + (" ..." if len(pairs) > 4 else "")


def _peered_space(spec: PeeringSpec, facts: VnetFacts, side: str) -> tuple[str, ...]:
    """The prefixes of one side that the peering will actually connect."""
    if spec.peer_complete_vnets:
        return tuple(facts.address_prefixes)
    names = (spec.local_subnet_names if side == "local" else spec.remote_subnet_names) or []
    if names:  # subnet names win over chosen prefixes, as in ARM
        return facts.subnet_prefixes(names)
    explicit = spec.local_address_space if side == "local" else spec.remote_address_space
    return tuple(explicit or ())


def _lookup_failure(field_name: str, vnet_id: str, exc: PeeringError, remote: bool) -> Failure:
    if isinstance(exc, TenantNotConfiguredError):  # its message names the tenant and the fix
        return Failure(field_name, f"cannot read {vnet_id}: {exc}")
    if isinstance(exc, CredentialError):  # the identity's problem, not this field's: its message names the fix
        return Failure(field_name, one_line(str(exc)))
    if isinstance(exc, ArmAuthenticationError | ArmAuthorizationError):
        reason = f"cannot read {vnet_id} with the configured credentials ({exc.code or exc.status_code}): " + (
            "if it is in another tenant, add that tenant to auxiliary_tenant_ids "
            "(or azure-peering:auxiliaryTenantIds) and grant peer/action on it"
            if remote
            else "grant the identity read and virtualNetworkPeerings/write on it"
        )
    else:
        reason = (
            f"preflight could not read {vnet_id}: {one_line(str(exc))}; "
            "fix the connection or set preflight=false to skip these checks"
        )
    return Failure(field_name, reason)


def _subnet_peering_feature(
    client: ArmClient, vnet_id: str, aux: Sequence[str], deadline: Deadline, cache: VnetCache
) -> str | None:
    """Why the local vnet's subscription cannot hold a subnet peering (it has not registered the feature subnet
    peering needs: ``features.py``), with the fix; None when it can, or when that cannot be told. Not knowing fails
    nothing: an identity that may not read features (403, no ``Microsoft.Features/features/read``), an endpoint
    without the Features API or any other error skips the check, and ARM's own refusal at `up` names the same fix
    (``errors._HINTS``)."""
    try:
        subscription, _ = subscription_and_group(vnet_id)
    except (KeyError, ValueError, TypeError):
        return None
    try:
        state = cache.feature_state(
            client, subscription, SUBNET_PEERING_FEATURE, auxiliary_tenant_ids=aux, deadline=deadline
        )
    except ArmAuthorizationError as exc:
        log.info("subscription %s: features unreadable (%s), %s not checked", subscription, exc.code, "subnet peering")
        return None
    except PeeringError as exc:
        log.warning("could not read %s of subscription %s: %s", SUBNET_PEERING_FEATURE, subscription, exc)
        return None
    return subnet_peering_feature_problem(subscription, state)


def already_exists_message(peering: str, vnet: str) -> str:
    """Why a create collides with a peering already in ARM, and the fix for each likely cause (docs/ownership.md).
    A create never takes a peering it did not make without ``adopt_existing``: the peering may be another stack's
    (a `dev` and a `prod` stack of one project, on one runner, name the same peerings when their config points
    at the same vnets). For a renamed resource the advice is an alias, never adopt_existing (the old resource's
    delete would remove what was just adopted); for a killed run, `azure-peering-recover`, which records the
    peering from the checkpoint (provider/recovery.py). `pulumi up --replace` lands here too: the engine checks a
    replacement target without its old inputs, so its own peering looks like another stack's (docs/ownership.md)."""
    return (
        f"peering {peering} already exists on {vnet}, and this stack's state does not hold it. If a resource of "
        "this stack manages it under an earlier name (you renamed the resource or changed a spoke's key), tell "
        "Pulumi the old name so that nothing is re-created: opts=ResourceOptions(aliases=[Alias(name='<old "
        "resource name>')]), or for a HubSpokePeering spoke SpokeArgs(previous_keys=['<old key>']). If another "
        "stack (of this project or another) manages it, this stack must name its own peerings or vnets: point its "
        "config at its own vnets, or give its peerings other names. If a `pulumi up` of this stack was interrupted "
        "while creating it (the warning about pending operations above), run `azure-peering-recover` first. If "
        "this is `pulumi up --replace` of the resource that holds it: Pulumi checks a replacement target as a new "
        "resource, which cannot be told from another stack's, so it is refused; re-create the peering with `pulumi "
        "destroy --target <urn>` and then `pulumi up`. Only if it was made outside Pulumi, set adopt_existing=true "
        "to manage it from this stack"
    )


def run_preflight(
    client: ArmClient,
    spec: PeeringSpec,
    *,
    creating: bool,
    cache: VnetCache,
    replacing: Iterable[str] = (),
) -> list[Failure]:
    """Ask ARM (read-only) whether the peering can be written; the failures apply would hit, named by field.

    ``replacing`` holds ids of the peerings this resource's replacement deletes first: they conflict with nothing it
    creates (provider/ownership.py).
    """
    going = {r.lower() for r in replacing}
    aux = list(spec.auxiliary_tenant_ids or client.settings.auxiliary_tenant_ids)
    deadline = Deadline(PREFLIGHT_TIMEOUT_SECONDS)
    try:
        local = cache.get(client, spec.virtual_network_id, auxiliary_tenant_ids=aux, deadline=deadline)
        if local is not None and going:
            local = replace(local, peerings=tuple(p for p in local.peerings if p.id.lower() not in going))
    except PeeringError as exc:
        return [_lookup_failure("virtual_network_id", spec.virtual_network_id, exc, remote=False)]
    if local is None:
        return [
            Failure(
                "virtual_network_id",
                f"virtual network {spec.virtual_network_id} does not exist (check subscription, resource group "
                "and name) or the identity cannot see it",
            )
        ]
    try:
        remote = cache.get(client, spec.remote_virtual_network_id, auxiliary_tenant_ids=aux, deadline=deadline)
    except PeeringError as exc:
        return [_lookup_failure("remote_virtual_network_id", spec.remote_virtual_network_id, exc, remote=True)]
    if remote is None:
        return [
            Failure(
                "remote_virtual_network_id",
                f"remote virtual network {spec.remote_virtual_network_id} does not exist or is not visible to the "
                "identity (in another tenant? add it to auxiliary_tenant_ids)",
            )
        ]

    failures: list[Failure] = []
    if not spec.peer_complete_vnets:
        problem = _subnet_peering_feature(client, local.id, aux, deadline, cache)
        if problem is not None:
            failures.append(Failure("peer_complete_vnets", problem))
        for field_name, facts, names in (
            ("local_subnet_names", local, spec.local_subnet_names or []),
            ("remote_subnet_names", remote, spec.remote_subnet_names or []),
        ):
            known = {s.lower() for s in facts.subnets}
            missing = [n for n in names if n.lower() not in known]
            if missing:
                failures.append(Failure(field_name, f"virtual network {facts.name} has no subnet {', '.join(missing)}"))

        for field_name, facts, chosen in (
            ("local_address_space", local, spec.local_address_space or []),
            ("remote_address_space", remote, spec.remote_address_space or []),
        ):
            outside = [p for p in chosen if not _inside(p, facts.address_prefixes)]
            if outside:
                failures.append(
                    Failure(field_name, f"{', '.join(outside)} not inside the address space of {facts.name}")
                )

    ipv6_only = spec.enable_only_ipv6_peering
    local_space = _peered_space(spec, local, "local")
    remote_space = _peered_space(spec, remote, "remote")
    pairs = overlaps(local_space, remote_space, ipv6_only=ipv6_only)
    if pairs:
        failures.append(
            Failure(
                "remote_virtual_network_id",
                f"VnetAddressSpacesOverlap: {local.name} and {remote.name} overlap ({_describe_overlap(pairs)}); "
                "give them address spaces that do not overlap",
            )
        )
    # a third vnet already peered with either side must not overlap the other side (Disconnected ones count)
    for facts, other_space, other_id in ((remote, local_space, local.id), (local, remote_space, remote.id)):
        for peering in facts.peerings:
            if peering.id.lower() in going:
                continue
            if peering.remote_virtual_network_id is None or same_id(peering.remote_virtual_network_id, other_id):
                continue
            third = overlaps(peering.remote_address_prefixes, other_space, ipv6_only=ipv6_only)
            if third:
                failures.append(
                    Failure(
                        "remote_virtual_network_id",
                        f"VnetAddressSpaceOverlapsWithAlreadyPeeredVnet: {facts.name} is already peered "
                        f"(peering {peering.name}) with a vnet overlapping {_describe_overlap(third)}",
                    )
                )

    if spec.use_remote_gateways:
        if not remote.gateways and not spec.do_not_verify_remote_gateways:
            failures.append(
                Failure(
                    "use_remote_gateways",
                    f"RemoteVnetHasNoGateways: {remote.name} has no virtual network gateway; create one first or "
                    "set use_remote_gateways=false",
                )
            )
        if local.gateways:
            failures.append(
                Failure(
                    "use_remote_gateways",
                    f"{local.name} has its own gateway, so its peerings cannot use remote gateways",
                )
            )
        others = [p for p in local.peerings if p.use_remote_gateways and p.name.lower() != spec.name.lower()]
        if others:
            failures.append(
                Failure(
                    "use_remote_gateways",
                    f"peering {others[0].name} of {local.name} already uses remote gateways; only one may",
                )
            )

    if creating:
        failures.extend(_in_the_way(spec, local, remote.name))
    return failures


def run_existing_checks(
    client: ArmClient, spec: PeeringSpec, *, cache: VnetCache, replacing: Iterable[str] = ()
) -> list[Failure]:
    """Only whether a peering that ARM holds now is in the way of creating this one (its name taken, another link
    to the same remote), for a check whose other questions must wait (``preflight_after`` not known: resources the
    program still creates, a gateway, a subnet, may change the answers). What is in the way now stays in the way:
    no resource the program creates removes a peering, so this is said at preview, not after half a rollout.
    A vnet that cannot be read, or does not exist yet, is left to the full check at `up`."""
    going = {r.lower() for r in replacing}
    aux = list(spec.auxiliary_tenant_ids or client.settings.auxiliary_tenant_ids)
    try:
        local = cache.get(client, spec.virtual_network_id, auxiliary_tenant_ids=aux, deadline=Deadline(60))
    except PeeringError:
        return []
    if local is None:
        return []
    if going:
        local = replace(local, peerings=tuple(p for p in local.peerings if p.id.lower() not in going))
    remote_name = spec.remote_virtual_network_id.rstrip("/").rsplit("/", 1)[-1]
    return _in_the_way(spec, local, remote_name)


def _in_the_way(spec: PeeringSpec, local: VnetFacts, remote_name: str) -> list[Failure]:
    """A peering of the local vnet that a create of this one would meet: the same name (not adopted), or another
    link to the same remote (ARM: AnotherPeeringAlreadyReferencesRemoteVnet). The create refuses the same under the
    vnet's lock (resource.py): this says it at preview."""
    failures: list[Failure] = []
    existing = next((p for p in local.peerings if p.name.lower() == spec.name.lower()), None)
    if existing is not None and not spec.adopt_existing:
        failures.append(Failure("name", already_exists_message(existing.name, local.name)))
    elif existing is not None and not same_id(existing.remote_virtual_network_id, spec.remote_virtual_network_id):
        failures.append(
            Failure(
                "remote_virtual_network_id",
                f"the existing peering {existing.name} links {local.name} to "
                f"{existing.remote_virtual_network_id}; a peering's remote cannot change (adopt it with the "
                "same remote, or choose another name)",
            )
        )
    twin = next(
        (
            p
            for p in local.peerings
            if p.name.lower() != spec.name.lower()
            and same_id(p.remote_virtual_network_id, spec.remote_virtual_network_id)
        ),
        None,
    )
    if twin is not None:
        failures.append(
            Failure(
                "remote_virtual_network_id",
                f"AnotherPeeringAlreadyReferencesRemoteVnet: peering {twin.name} of {local.name} already links "
                f"to {remote_name}; remove it, or adopt it (name={twin.name}, adopt_existing=true)",
            )
        )
    return failures
