"""Read-only lookups of virtual networks, cached per vnet, and the preflight checks built on them.

``pulumi preview`` runs ``check``; when the ids are known, the preflight asks ARM the questions a write would
answer the hard way (does the remote exist and can we see it, do the spaces overlap, is there a gateway) so that
preview fails with the same error apply would hit, before anything is written.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from azure.mgmt.core.tools import parse_resource_id

from .arm import ArmClient, Deadline
from .errors import ArmAuthenticationError, ArmAuthorizationError, MalformedResponseError, PeeringError, one_line
from .intents import INTENTS
from .models import PeeringSpec, same_id
from .validation import Failure

CACHE_TTL_SECONDS = 30.0
PREFLIGHT_TIMEOUT_SECONDS = 120.0
_GATEWAY_SEGMENT = "/providers/microsoft.network/virtualnetworkgateways/"

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class GatewayFact:
    id: str
    provisioning_state: str | None


@dataclass(frozen=True)
class PeeringFact:
    id: str
    name: str
    remote_virtual_network_id: str | None
    peering_state: str | None
    use_remote_gateways: bool
    allow_gateway_transit: bool
    remote_address_prefixes: tuple[str, ...]


@dataclass(frozen=True)
class VnetFacts:
    """What preflight and the HubSpokePeering planner need to know about one virtual network."""

    id: str
    name: str
    location: str | None
    provisioning_state: str | None
    address_prefixes: tuple[str, ...]
    subnets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    gateways: tuple[GatewayFact, ...] = ()
    peerings: tuple[PeeringFact, ...] = ()

    @property
    def has_gateway(self) -> bool:
        """A gateway that has finished provisioning."""
        return any(g.provisioning_state in (None, "Succeeded") for g in self.gateways)

    @property
    def gateway_provisioning(self) -> bool:
        """A gateway that exists but is still being created or updated."""
        return any(g.provisioning_state in ("Creating", "Updating", "Provisioning") for g in self.gateways)

    def subnet_prefixes(self, names: Iterable[str]) -> tuple[str, ...]:
        lowered = {k.lower(): v for k, v in self.subnets.items()}
        out: list[str] = []
        for name in names:
            out.extend(lowered.get(name.lower(), ()))
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["subnets"] = {name: list(prefixes) for name, prefixes in self.subnets.items()}
        data["address_prefixes"] = list(self.address_prefixes)
        data["has_gateway"] = self.has_gateway
        data["gateway_provisioning"] = self.gateway_provisioning
        return data


def _prefixes(space: Any) -> tuple[str, ...]:
    if isinstance(space, dict):
        return tuple(str(p) for p in space.get("addressPrefixes") or [])
    return ()


def _peering_fact(item: dict[str, Any]) -> PeeringFact:
    props = item.get("properties") or {}
    remote = (props.get("remoteVirtualNetwork") or {}).get("id")
    return PeeringFact(
        id=str(item.get("id", "")),
        name=str(item.get("name", "")),
        remote_virtual_network_id=remote,
        peering_state=props.get("peeringState"),
        use_remote_gateways=bool(props.get("useRemoteGateways")),
        allow_gateway_transit=bool(props.get("allowGatewayTransit")),
        remote_address_prefixes=_prefixes(props.get("remoteVirtualNetworkAddressSpace"))
        or _prefixes(props.get("remoteAddressSpace")),
    )


def fetch_vnet_facts(
    client: ArmClient,
    vnet_id: str,
    *,
    auxiliary_tenant_ids: Sequence[str] = (),
    deadline: Deadline | None = None,
) -> VnetFacts | None:
    """Look a virtual network up in ARM (vnet, its gateways, its peerings); None when it does not exist.

    Answers of the wrong shape (a list where ARM has an object, a prefix that is not text...) raise
    :class:`MalformedResponseError` naming the vnet, never a bare Python error.
    """
    vnet = client.get_virtual_network(vnet_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
    if vnet is None:
        return None
    answered = vnet.get("id")
    if answered is not None and not (isinstance(answered, str) and same_id(answered, vnet_id)):
        raise MalformedResponseError(
            status_code=200, code=None, message=f"ARM answered for {answered!r} when asked for {vnet_id}"
        )
    try:
        return _vnet_facts(client, vnet_id, vnet, deadline)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        raise MalformedResponseError(
            status_code=200,
            code=None,
            message=f"ARM's answer for virtual network {vnet_id} has an unexpected shape ({type(exc).__name__})",
        ) from None


def _vnet_facts(client: ArmClient, vnet_id: str, vnet: dict[str, Any], deadline: Deadline | None) -> VnetFacts:
    props = vnet.get("properties") or {}
    canonical_id = str(vnet.get("id") or vnet_id)
    subnets: dict[str, tuple[str, ...]] = {}
    gateway_ids: dict[str, None] = {}
    for subnet in props.get("subnets") or []:
        sprops = subnet.get("properties") or {}
        prefixes = list(sprops.get("addressPrefixes") or [])
        if sprops.get("addressPrefix"):
            prefixes.insert(0, sprops["addressPrefix"])
        subnets[str(subnet.get("name", ""))] = tuple(dict.fromkeys(prefixes))
        for ipconf in sprops.get("ipConfigurations") or []:
            ref = str(ipconf.get("id", ""))
            lowered = ref.lower()
            if _GATEWAY_SEGMENT in lowered:
                end = lowered.index(_GATEWAY_SEGMENT) + len(_GATEWAY_SEGMENT)
                name = ref[end:].split("/")[0]
                gateway_ids[ref[:end] + name] = None

    gateways: dict[str, GatewayFact] = {}
    listed: list[dict[str, Any]] = []
    # A vnet gateway lives in the vnet's GatewaySubnet: no such subnet, no gateway to look for (one read per vnet
    # for spokes). A gateway the subnet already names is read directly below; listing the resource group is only
    # for one whose ipConfigurations ARM does not show on the subnet yet (still provisioning).
    parts = parse_resource_id(canonical_id)
    if not gateway_ids and any(name.lower() == "gatewaysubnet" for name in subnets):
        try:
            listed = client.list_virtual_network_gateways(
                str(parts["subscription"]), str(parts["resource_group"]), deadline=deadline
            )
        except (ArmAuthenticationError, ArmAuthorizationError):
            listed = []
    for gateway in listed:
        gprops = gateway.get("properties") or {}
        subnet_ids = [
            str(((conf.get("properties") or {}).get("subnet") or {}).get("id", ""))
            for conf in gprops.get("ipConfigurations") or []
        ]
        gid = str(gateway.get("id", ""))
        if any(s.lower().startswith(canonical_id.lower() + "/subnets/") for s in subnet_ids) or any(
            same_id(gid, known) for known in gateway_ids
        ):
            gateways[gid.lower()] = GatewayFact(gid, gprops.get("provisioningState"))
    for gid in gateway_ids:
        if gid.lower() not in gateways:
            payload = client.get_json(gid, deadline=deadline)
            if payload is not None:
                gateways[gid.lower()] = GatewayFact(gid, (payload.get("properties") or {}).get("provisioningState"))

    if "virtualNetworkPeerings" in props:
        peering_items = [p for p in props.get("virtualNetworkPeerings") or [] if isinstance(p, dict)]
    else:
        try:
            peering_items = client.list_json(f"{canonical_id}/virtualNetworkPeerings", deadline=deadline)
        except (ArmAuthenticationError, ArmAuthorizationError):
            peering_items = []
    return VnetFacts(
        id=canonical_id,
        name=str(vnet.get("name") or parts["name"]),
        location=vnet.get("location"),
        provisioning_state=props.get("provisioningState"),
        address_prefixes=_prefixes(props.get("addressSpace")),
        subnets=subnets,
        gateways=tuple(gateways.values()),
        peerings=tuple(_peering_fact(p) for p in peering_items),
    )


class VnetCache:
    """Per-process cache of :class:`VnetFacts`, one fetch per vnet at a time, entries kept ``ttl`` seconds."""

    def __init__(self, ttl: float = CACHE_TTL_SECONDS, clock: Any = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[tuple[str, str], tuple[float, VnetFacts | None]] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def get(
        self,
        client: ArmClient,
        vnet_id: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> VnetFacts | None:
        key = (client.settings.fingerprint(), vnet_id.lower())
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            entry = self._entries.get(key)
            if entry is not None and self._clock() - entry[0] < self._ttl:
                return entry[1]
            facts = fetch_vnet_facts(client, vnet_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
            self._entries[key] = (self._clock(), facts)
            return facts

    def forget(self, vnet_id: str) -> None:
        with self._guard:
            for key in [k for k in self._entries if k[1] == vnet_id.lower()]:
                del self._entries[key]

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()


VNET_CACHE = VnetCache()


def _networks(prefixes: Iterable[str], *, ipv6_only: bool = False) -> list[IPNetwork]:
    out: list[IPNetwork] = []
    for prefix in prefixes:
        try:
            net = ipaddress.ip_network(prefix, strict=False)
        except ValueError:
            continue
        if ipv6_only and net.version != 6:
            continue
        out.append(net)
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
    for x in _networks(a, ipv6_only=ipv6_only):
        for y in _networks(b, ipv6_only=ipv6_only):
            if x.version == y.version and x.overlaps(y):
                pairs.append((str(x), str(y)))
    return pairs


def _describe_overlap(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{x} and {y}" for x, y in pairs[:4]) + (" ..." if len(pairs) > 4 else "")


def _peered_space(spec: PeeringSpec, facts: VnetFacts, side: str) -> tuple[str, ...]:
    """The prefixes of one side that the peering will actually connect."""
    if spec.peer_complete_vnets:
        return facts.address_prefixes
    names = (spec.local_subnet_names if side == "local" else spec.remote_subnet_names) or []
    if names:  # subnet names win over chosen prefixes, as in ARM
        return facts.subnet_prefixes(names)
    explicit = spec.local_address_space if side == "local" else spec.remote_address_space
    return tuple(explicit or ())


def _lookup_failure(field_name: str, vnet_id: str, exc: PeeringError, remote: bool) -> Failure:
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


def already_exists_message(peering: str, vnet: str) -> str:
    """Why a create collides with a peering already in ARM, and the fix for each likely cause. The first cause
    is the common one: a resource of this stack renamed (or a spoke key changed) holds that very peering, and the
    same run deletes the old resource. Adopting it then would delete what was just adopted, so the advice for it
    is an alias, never adopt_existing. The second: a killed run's create, which `azure-peering-recover` records
    from the checkpoint (provider/recovery.py)."""
    return (
        f"peering {peering} already exists on {vnet}. If a resource of this stack manages it under an earlier "
        "name (you renamed the resource or changed a spoke's key), tell Pulumi the old name so that nothing is "
        "re-created: opts=ResourceOptions(aliases=[Alias(name='<old resource name>')]), or for a HubSpokePeering "
        "spoke SpokeArgs(previous_keys=['<old key>']); do not set adopt_existing for that, the old resource's "
        "delete would remove the peering. If a `pulumi up` of this stack was interrupted while creating it (the "
        "warning about pending operations above), run `azure-peering-recover` first. If it was made outside this "
        "stack, set adopt_existing=true to manage it (pulumi import does not work for this resource), or choose "
        "another name"
    )


def run_preflight(
    client: ArmClient,
    spec: PeeringSpec,
    *,
    creating: bool,
    replacing: Iterable[str] = (),
    cache: VnetCache = VNET_CACHE,
    resource_name: str | None = None,
) -> list[Failure]:
    """Ask ARM (read-only) whether the peering can be written; the failures apply would hit, named by field.

    ``replacing`` holds ids of peerings this run is replacing: they are about to go, so they conflict with nothing.
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

    existing = next((p for p in local.peerings if p.name.lower() == spec.name.lower()), None)
    if creating:
        # an earlier create of this very peering, cut off after ARM accepted it, is finished rather than refused
        interrupted = existing is not None and INTENTS.find(spec.peering_id, resource_name) is not None
        if existing is not None and not spec.adopt_existing and not interrupted:
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
                    f"to {remote.name}; remove it, or adopt it (name={twin.name}, adopt_existing=true)",
                )
            )
    return failures
