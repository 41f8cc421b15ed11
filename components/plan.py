"""Planning of a hub-and-spoke topology: which peerings, with which flags, in which order, and what is wrong.

:func:`plan_hub_spoke` is a pure, deterministic function of a :class:`~components.topology.HubSpokeSpec` and the
:class:`~components.topology.VnetFacts` the component looked up. It never raises on bad input: every problem
becomes a :class:`PlanError` naming the spoke, the argument path and the fix, so that a topology ARM would refuse
fails before anything is created. The component (``components/hub_spoke.py``) turns :attr:`Plan.peerings` into
resources and must create nothing when :attr:`Plan.errors` is not empty. See docs/planner.md.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal

from pulumi_azure_peering.provider.ids import MAX_NETWORK_CHILD_NAME
from pulumi_azure_peering.provider.schema import PeeringTimeouts

from .topology import (
    LINK_KINDS,
    MAX_AUXILIARY_TENANTS,
    MAX_PEERINGS_PER_VNET,
    MAX_SUBNET_NAMES_PER_SIDE,
    HubSpokeSpec,
    PeeringFact,
    SpokeSpec,
    VnetFacts,
    VnetRef,
    is_valid_guid,
    is_valid_peering_name,
    is_valid_spoke_name,
    is_valid_subnet_name,
    parse_vnet_id,
    vnet_key,
)

__all__ = [
    "DeferredCheck",
    "Direction",
    "Plan",
    "PlanError",
    "PlanValidationError",
    "PlanWarning",
    "PlannedPeering",
    "Timeouts",
    "default_peering_name",
    "plan_hub_spoke",
    "validate_spec",
    "vnet_ids_to_look_up",
]

Direction = Literal["hub_to_spoke", "spoke_to_hub", "mesh"]

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_TIMEOUT_KEYS: Final = ("create", "update", "delete")
_DURATION_RE: Final = re.compile(r"(?:\d+(?:\.\d+)?[hms])+")
_DURATION_PART_RE: Final = re.compile(r"(\d+(?:\.\d+)?)([hms])")
_UNIT_SECONDS: Final = {"h": 3600.0, "m": 60.0, "s": 1.0}


# --- Output types --------------------------------------------------------------------------------------------


Timeouts = PeeringTimeouts
"""A planned peering's timeouts: the peering's own type (``None`` for an operation: the provider's default)."""


@dataclass(frozen=True, kw_only=True)
class PlannedPeering:
    """One ARM peering to create or keep: the input of one ``pulumi_azure_peering.VirtualNetworkPeering``."""

    key: str
    """Stable resource-name suffix, unique in the plan: ``"<spoke>.hub-to-spoke"``, ``"<spoke>.spoke-to-hub"``,
    ``"mesh.<localSpoke>.<remoteSpoke>"``. Derived only from spoke names, never from positions."""

    spoke: str
    """Spoke this peering belongs to (for mesh peerings: the spoke whose vnet holds it)."""

    remote_spoke: str | None
    """For mesh peerings the other spoke; ``None`` otherwise."""

    direction: Direction
    """``hub_to_spoke`` (lives in the hub vnet), ``spoke_to_hub`` (lives in the spoke vnet) or ``mesh``."""

    local_vnet_id: str
    """Canonical id of the vnet that holds the peering."""

    remote_vnet_id: str
    """Canonical id of the vnet it points to."""

    name: str
    """ARM peering name (default derived from the vnet names, or the override)."""

    allow_virtual_network_access: bool
    allow_forwarded_traffic: bool
    allow_gateway_transit: bool
    use_remote_gateways: bool
    peer_complete_vnets: bool
    local_subnet_names: tuple[str, ...]
    remote_subnet_names: tuple[str, ...]
    enable_only_ipv6_peering: bool
    adopt_existing: bool
    timeouts: Timeouts | None
    auxiliary_tenant_ids: tuple[str, ...]
    """Lower-cased tenant GUIDs for ``x-ms-authorization-auxiliary`` (at most 3)."""

    depends_on_keys: tuple[str, ...]
    """Keys of peerings that must be in place first. A peering with ``use_remote_gateways`` depends on its reverse
    (which has ``allow_gateway_transit``): the component makes this a data edge, e.g. by feeding an output of the
    hub side into the spoke side's inputs."""

    remote_vnet_address_space: tuple[str, ...] | None = None
    """The remote vnet's address space as read before planning (whole-vnet links only; None without facts): the
    peering compares it with what ARM last reported, so a plain ``pulumi up`` syncs a resized pair."""


@dataclass(frozen=True, kw_only=True)
class PlanError:
    """Something ARM would refuse, found before anything is created."""

    code: str
    """Stable identifier of the rule, e.g. ``"AddressSpaceOverlap"``."""

    spoke: str | None
    """Spoke concerned, ``None`` for hub-level problems."""

    field: str
    """Argument path, e.g. ``spokes["app1"].use_hub_gateway`` or ``hub_vnet_id``."""

    message: str
    """``"spoke 'app1': <problem>. Fix: <fix>."`` (``"hub: ..."`` for hub-level problems)."""


@dataclass(frozen=True, kw_only=True)
class PlanWarning:
    """Something worth telling the user that does not stop the plan."""

    code: str
    spoke: str | None
    field: str
    message: str


@dataclass(frozen=True, kw_only=True)
class DeferredCheck:
    """A check skipped because facts about a vnet were missing; ARM will still enforce it at apply time."""

    check: str
    """Which check: ``"address_overlap"``, ``"hub_gateway"``, ``"spoke_gateway"``, ``"remote_gateways"``,
    ``"subnets"``, ``"peering_limit"``, ``"peering_names"``."""

    spoke: str | None
    vnet_id: str
    """The vnet whose facts were missing."""

    message: str


class PlanValidationError(ValueError):
    """Raised by :meth:`Plan.raise_for_errors`; carries the errors."""

    def __init__(self, errors: Sequence[PlanError]) -> None:
        self.errors = tuple(errors)
        lines = [f"hub-and-spoke plan has {len(self.errors)} error(s):"]
        lines += [f"  - {e.field}: {e.message}" for e in self.errors]
        super().__init__("\n".join(lines))


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The outcome of planning. With errors, :attr:`peerings` is empty: nothing may be created."""

    hub_vnet_id: str | None
    """Canonical hub id (``None`` when it is invalid)."""

    peerings: tuple[PlannedPeering, ...]
    """Deterministic order: spokes by name, each ``hub_to_spoke`` then ``spoke_to_hub``; then mesh peerings by
    (local spoke, remote spoke)."""

    errors: tuple[PlanError, ...]
    warnings: tuple[PlanWarning, ...]
    deferred_checks: tuple[DeferredCheck, ...]
    wait_for_hub_gateway: bool
    """Some spoke uses the hub gateway and the hub gateway is still provisioning (or its state is unknown): the
    component waits for it to succeed before creating the ``use_remote_gateways`` peerings."""

    @property
    def ok(self) -> bool:
        return not self.errors

    def peering(self, key: str) -> PlannedPeering:
        """The peering with this key (``KeyError`` if none)."""
        for p in self.peerings:
            if p.key == key:
                return p
        raise KeyError(key)

    def for_spoke(self, spoke: str) -> tuple[PlannedPeering, ...]:
        """The spoke's hub pair and the mesh peerings held by its vnet."""
        return tuple(p for p in self.peerings if p.spoke == spoke)

    def raise_for_errors(self) -> None:
        """Raise :class:`PlanValidationError` listing every error, if any."""
        if self.errors:
            raise PlanValidationError(self.errors)


# --- Helpers: paths, messages, names -------------------------------------------------------------------------


def _spoke_path(spoke: object) -> str:
    label = json.dumps(spoke) if isinstance(spoke, str) else repr(spoke)
    return f"spokes[{label}]"


def _field(spoke: str | None, attr: str) -> str:
    if spoke is None:
        return attr
    return f"{_spoke_path(spoke)}.{attr}" if attr else _spoke_path(spoke)


def _message(spoke: str | None, problem: str, fix: str) -> str:
    who = "hub" if spoke is None else f"spoke {spoke!r}"
    return f"{who}: {problem}. Fix: {fix}."


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _fit_name(name: str) -> str:
    """Keep a generated name within ARM's 80 characters, deterministically and still unique in practice."""
    if len(name) <= MAX_NETWORK_CHILD_NAME:
        return name
    return f"{name[: MAX_NETWORK_CHILD_NAME - 9]}-{_short_hash(name)}"


def default_peering_name(local_vnet_name: str, remote_vnet_name: str) -> str:
    """Default ARM name of a hub/spoke peering: ``"<local>-to-<remote>"`` (shortened with a hash past 80)."""
    return _fit_name(f"{local_vnet_name}-to-{remote_vnet_name}")


def _default_mesh_name(local_spoke: str, remote_spoke: str) -> str:
    # Spoke names, not vnet names: they are unique in the spec, so mesh names cannot clash among themselves.
    return _fit_name(f"mesh-{local_spoke}-to-{remote_spoke}")


def _hub_to_spoke_key(spoke: str) -> str:
    return f"{spoke}.hub-to-spoke"


def _spoke_to_hub_key(spoke: str) -> str:
    return f"{spoke}.spoke-to-hub"


def _mesh_key(local_spoke: str, remote_spoke: str) -> str:
    return f"mesh.{local_spoke}.{remote_spoke}"


def _parse_duration(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError("expected seconds or a duration string, got a boolean")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _DURATION_RE.fullmatch(text):
            raise ValueError(f"{value!r} is not a duration like '90s', '30m' or '1h30m'")
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART_RE.findall(text))
    else:
        raise ValueError(f"expected seconds or a duration string, got {type(value).__name__}")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"{value!r} is not a positive, finite duration")
    return seconds


# --- Internal working state ------------------------------------------------------------------------------------


@dataclass
class _Collector:
    errors: list[PlanError] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    deferred: list[DeferredCheck] = field(default_factory=list)

    def error(self, code: str, spoke: str | None, attr: str, problem: str, fix: str) -> None:
        self.errors.append(
            PlanError(code=code, spoke=spoke, field=_field(spoke, attr), message=_message(spoke, problem, fix))
        )

    def warn(self, code: str, spoke: str | None, attr: str, text: str) -> None:
        who = "hub" if spoke is None else f"spoke {spoke!r}"
        self.warnings.append(PlanWarning(code=code, spoke=spoke, field=_field(spoke, attr), message=f"{who}: {text}"))

    def defer(self, check: str, spoke: str | None, vnet: VnetRef, why: str) -> None:
        self.deferred.append(
            DeferredCheck(
                check=check,
                spoke=spoke,
                vnet_id=vnet.id,
                message=f"{check} check for vnet {vnet.name!r} skipped: {why}; ARM enforces it at apply time",
            )
        )


@dataclass(frozen=True)
class _Spoke:
    """A spoke whose id, link kind and position in the topology are valid enough to plan."""

    name: str
    spec: SpokeSpec
    vnet: VnetRef
    link: str
    local_subnets: tuple[str, ...]
    hub_subnets: tuple[str, ...]
    timeouts: Timeouts | None
    aux: tuple[str, ...]
    joins_mesh: bool


@dataclass(frozen=True)
class _Resolved:
    hub: VnetRef | None
    spokes: tuple[_Spoke, ...]
    mesh: bool
    hub_forwarded: bool
    timeouts: Mapping[str, float]
    aux: tuple[str, ...]


def _check_bool(c: _Collector, spoke: str | None, attr: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    c.error("InvalidArgument", spoke, attr, f"{attr} must be true or false, got {value!r}", f"set {attr} to a bool")
    return False


def _check_timeouts(c: _Collector, spoke: str | None, raw: object) -> dict[str, float]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        c.error(
            "InvalidTimeouts",
            spoke,
            "timeouts",
            f"timeouts must be a mapping, got {type(raw).__name__}",
            "pass e.g. {'create': '30m', 'delete': '10m'}",
        )
        return {}
    out: dict[str, float] = {}
    for key in sorted(raw, key=str):
        attr = f"timeouts[{json.dumps(key) if isinstance(key, str) else repr(key)}]"
        if key not in _TIMEOUT_KEYS:
            c.error(
                "InvalidTimeouts",
                spoke,
                attr,
                f"unknown timeout {key!r}",
                f"use only {', '.join(_TIMEOUT_KEYS)}",
            )
            continue
        try:
            out[key] = _parse_duration(raw[key])
        except ValueError as exc:
            c.error("InvalidTimeouts", spoke, attr, f"invalid timeout: {exc}", "give seconds or e.g. '30m', '1h30m'")
    return out


def _check_tenants(c: _Collector, spoke: str | None, raw: object) -> tuple[str, ...]:
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        c.error(
            "InvalidAuxiliaryTenant",
            spoke,
            "auxiliary_tenant_ids",
            f"auxiliary_tenant_ids must be a list of tenant GUIDs, got {type(raw).__name__}",
            "pass a list such as ['00000000-0000-0000-0000-000000000000']",
        )
        return ()
    out: list[str] = []
    for i, tenant in enumerate(raw):
        if not is_valid_guid(tenant):
            c.error(
                "InvalidAuxiliaryTenant",
                spoke,
                f"auxiliary_tenant_ids[{i}]",
                f"auxiliary tenant {tenant!r} is not a tenant GUID",
                "use the tenant id (8-4-4-4-12 hex digits), not a domain name",
            )
            continue
        tid = str(tenant).lower()
        if tid not in out:
            out.append(tid)
    return tuple(out)


def _merge_tenants(*groups: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        out.extend(t for t in group if t not in out)
    return tuple(out)


def _check_subnet_names(c: _Collector, spoke: str, attr: str, raw: object, link: str, side: str) -> tuple[str, ...]:
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        c.error(
            "InvalidSubnetNames",
            spoke,
            attr,
            f"{attr} must be a list of subnet names, got {type(raw).__name__}",
            f"pass a list such as ['{side}-subnet']",
        )
        return ()
    names = tuple(raw)
    if link == "vnet":
        if names:
            c.error(
                "SubnetNamesWithoutSubnetLink",
                spoke,
                attr,
                f"{attr} is only used with link='subnets' or link='ipv6', but link is 'vnet'",
                f"remove {attr}, or set link='subnets' to peer only those subnets",
            )
        return ()
    if not names:
        c.error(
            "MissingSubnetNames",
            spoke,
            attr,
            f"link={link!r} peers chosen subnets but {attr} is empty",
            f"list the {side} subnets to peer in {attr}, or set link='vnet'",
        )
        return ()
    if len(names) > MAX_SUBNET_NAMES_PER_SIDE:
        c.error(
            "TooManySubnetNames",
            spoke,
            attr,
            f"{attr} lists {len(names)} subnets; ARM accepts at most {MAX_SUBNET_NAMES_PER_SIDE} per peering side",
            "peer fewer subnets, or set link='vnet'",
        )
    seen: set[str] = set()
    valid: list[str] = []
    for i, name in enumerate(names):
        if not is_valid_subnet_name(name):
            c.error(
                "InvalidSubnetNames",
                spoke,
                f"{attr}[{i}]",
                f"{name!r} is not a valid subnet name",
                "use the subnet's ARM name (1-80 letters, digits, '_', '.', '-')",
            )
            continue
        folded = str(name).lower()
        if folded in seen:
            c.error(
                "DuplicateSubnetNames",
                spoke,
                f"{attr}[{i}]",
                f"subnet {name!r} is listed twice in {attr}",
                "list each subnet once",
            )
            continue
        seen.add(folded)
        valid.append(str(name))
    return tuple(valid)


def _resolve(spec: HubSpokeSpec, c: _Collector) -> _Resolved:
    """Structural validation: everything that can be checked without facts."""
    if not isinstance(spec, HubSpokeSpec):
        c.error("InvalidArgument", None, "spec", f"expected a HubSpokeSpec, got {type(spec).__name__}", "pass one")
        return _Resolved(None, (), False, True, {}, ())

    hub: VnetRef | None = None
    try:
        hub = parse_vnet_id(spec.hub_vnet_id)
    except ValueError as exc:
        c.error(
            "InvalidVnetId",
            None,
            "hub_vnet_id",
            f"hub_vnet_id {spec.hub_vnet_id!r} is invalid: {exc}",
            "pass the hub vnet's full ARM id, e.g. vnet.id",
        )
    mesh = _check_bool(c, None, "mesh", spec.mesh)
    hub_forwarded = _check_bool(c, None, "hub_allow_forwarded_traffic", spec.hub_allow_forwarded_traffic)
    hub_aux = _check_tenants(c, None, spec.auxiliary_tenant_ids)
    hub_timeouts = _check_timeouts(c, None, spec.timeouts)

    # Typed loosely on purpose: keys and values come from user programs and are checked one by one below.
    raw_spokes: dict[object, object] = dict(spec.spokes.items()) if isinstance(spec.spokes, Mapping) else {}
    if not isinstance(spec.spokes, Mapping):
        c.error(
            "InvalidArgument",
            None,
            "spokes",
            f"spokes must be a mapping of spoke name to SpokeSpec, got {type(spec.spokes).__name__}",
            "pass a dict such as {'app1': SpokeSpec(vnet_id=...)}",
        )

    spokes: list[_Spoke] = []
    first_by_key: dict[str, str] = {}
    for name in sorted(raw_spokes, key=lambda k: (not isinstance(k, str), str(k))):
        sspec = raw_spokes[name]
        if not is_valid_spoke_name(name):
            c.error(
                "InvalidSpokeName",
                None,
                _spoke_path(name),
                f"spoke name {name!r} is not valid: it becomes part of resource names",
                "use 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit",
            )
            continue
        assert isinstance(name, str)
        if not isinstance(sspec, SpokeSpec):
            c.error(
                "InvalidArgument",
                name,
                "",
                f"expected a SpokeSpec, got {type(sspec).__name__}",
                "pass SpokeSpec(vnet_id=...)",
            )
            continue
        spoke = _resolve_spoke(c, name, sspec, hub, hub_aux, hub_timeouts, mesh)
        if spoke is None:
            continue
        if hub is not None and spoke.vnet.key == hub.key:
            c.error(
                "HubListedAsSpoke",
                name,
                "vnet_id",
                "its vnet is the hub vnet; a vnet cannot be peered with itself",
                f"remove spoke {name!r} or point it at the spoke vnet",
            )
            continue
        first = first_by_key.get(spoke.vnet.key)
        if first is not None:
            c.error(
                "DuplicateSpoke",
                name,
                "vnet_id",
                f"its vnet {spoke.vnet.name!r} is already spoke {first!r}; two vnets have only one link between them",
                f"remove spoke {name!r} (or {first!r}) so each vnet is listed once",
            )
            continue
        first_by_key[spoke.vnet.key] = name
        spokes.append(spoke)
    return _Resolved(hub, tuple(spokes), mesh, hub_forwarded, hub_timeouts, hub_aux)


def _resolve_spoke(
    c: _Collector,
    name: str,
    s: SpokeSpec,
    hub: VnetRef | None,
    hub_aux: tuple[str, ...],
    hub_timeouts: Mapping[str, float],
    mesh: bool,
) -> _Spoke | None:
    vnet: VnetRef | None = None
    try:
        vnet = parse_vnet_id(s.vnet_id)
    except ValueError as exc:
        c.error(
            "InvalidVnetId",
            name,
            "vnet_id",
            f"vnet_id {s.vnet_id!r} is invalid: {exc}",
            "pass the spoke vnet's full ARM id, e.g. vnet.id",
        )
    for attr in (
        "allow_forwarded_traffic",
        "use_hub_gateway",
        "adopt_existing",
        "allow_virtual_network_access",
        "join_mesh",
    ):
        _check_bool(c, name, attr, getattr(s, attr))
    link_ok = s.link in LINK_KINDS
    if not link_ok:
        c.error(
            "InvalidLink",
            name,
            "link",
            f"link {s.link!r} is not one of {', '.join(repr(k) for k in LINK_KINDS)}",
            "use 'vnet' (whole vnets), 'subnets' (chosen subnets) or 'ipv6' (IPv6 prefixes of chosen subnets)",
        )
    link = s.link if link_ok else "vnet"
    local_subnets = _check_subnet_names(c, name, "local_subnet_names", s.local_subnet_names, link, "spoke")
    hub_subnets = _check_subnet_names(c, name, "hub_subnet_names", s.hub_subnet_names, link, "hub")
    for attr in ("hub_peering_name", "spoke_peering_name"):
        value = getattr(s, attr)
        if value is not None and not is_valid_peering_name(value):
            c.error(
                "InvalidPeeringName",
                name,
                attr,
                f"{attr} {value!r} is not a valid ARM peering name",
                "use 1-80 letters, digits, '_', '.', '-', starting with a letter or digit and ending with a "
                "letter, digit or '_' (or leave it unset for the default)",
            )
    timeouts = {**hub_timeouts, **_check_timeouts(c, name, s.timeouts)}
    aux = _merge_tenants(hub_aux, _check_tenants(c, name, s.auxiliary_tenant_ids))
    if len(aux) > MAX_AUXILIARY_TENANTS:
        c.error(
            "TooManyAuxiliaryTenants",
            name,
            "auxiliary_tenant_ids",
            f"its peerings would need {len(aux)} auxiliary tenants; ARM accepts at most {MAX_AUXILIARY_TENANTS}",
            "list only the tenants that hold the hub or spoke vnet",
        )
    if vnet is None or not link_ok:
        return None
    return _Spoke(
        name=name,
        spec=s,
        vnet=vnet,
        link=link,
        local_subnets=local_subnets,
        hub_subnets=hub_subnets,
        timeouts=Timeouts(**timeouts) if timeouts else None,
        aux=aux,
        joins_mesh=mesh and s.join_mesh is True,
    )


# --- Peerings ------------------------------------------------------------------------------------------------


def _chosen_name(value: object, default: str) -> str:
    """The configured peering name, or the default when it is unset or invalid (an invalid one is already an
    error, so the plan is refused; the later checks still need a string to work with)."""
    return value if isinstance(value, str) and is_valid_peering_name(value) else default


def _build_peerings(r: _Resolved, c: _Collector) -> list[PlannedPeering]:
    hub = r.hub
    assert hub is not None
    out: list[PlannedPeering] = []
    for s in r.spokes:
        sub = s.link != "vnet"
        transit = s.spec.use_hub_gateway is True
        access = s.spec.allow_virtual_network_access is not False
        adopt = s.spec.adopt_existing is True
        hub_key = _hub_to_spoke_key(s.name)
        out.append(
            PlannedPeering(
                key=hub_key,
                spoke=s.name,
                remote_spoke=None,
                direction="hub_to_spoke",
                local_vnet_id=hub.id,
                remote_vnet_id=s.vnet.id,
                name=_chosen_name(s.spec.hub_peering_name, default_peering_name(hub.name, s.vnet.name)),
                allow_virtual_network_access=access,
                allow_forwarded_traffic=r.hub_forwarded,
                allow_gateway_transit=transit,
                use_remote_gateways=False,
                peer_complete_vnets=not sub,
                local_subnet_names=s.hub_subnets if sub else (),
                remote_subnet_names=s.local_subnets if sub else (),
                enable_only_ipv6_peering=s.link == "ipv6",
                adopt_existing=adopt,
                timeouts=s.timeouts,
                auxiliary_tenant_ids=s.aux,
                depends_on_keys=(),
            )
        )
        out.append(
            PlannedPeering(
                key=_spoke_to_hub_key(s.name),
                spoke=s.name,
                remote_spoke=None,
                direction="spoke_to_hub",
                local_vnet_id=s.vnet.id,
                remote_vnet_id=hub.id,
                name=_chosen_name(s.spec.spoke_peering_name, default_peering_name(s.vnet.name, hub.name)),
                allow_virtual_network_access=access,
                allow_forwarded_traffic=s.spec.allow_forwarded_traffic is not False,
                allow_gateway_transit=False,
                use_remote_gateways=transit,
                peer_complete_vnets=not sub,
                local_subnet_names=s.local_subnets if sub else (),
                remote_subnet_names=s.hub_subnets if sub else (),
                enable_only_ipv6_peering=s.link == "ipv6",
                adopt_existing=adopt,
                timeouts=s.timeouts,
                auxiliary_tenant_ids=s.aux,
                depends_on_keys=(hub_key,) if transit else (),
            )
        )
    meshed = [s for s in r.spokes if s.joins_mesh]
    for local in meshed:
        for remote in meshed:
            if local is remote:
                continue
            aux = _merge_tenants(local.aux, remote.aux)
            if len(aux) > MAX_AUXILIARY_TENANTS and local.name < remote.name:
                c.error(
                    "TooManyAuxiliaryTenants",
                    remote.name,
                    "auxiliary_tenant_ids",
                    f"the mesh peering between spokes {local.name!r} and {remote.name!r} would need {len(aux)} "
                    f"auxiliary tenants; ARM accepts at most {MAX_AUXILIARY_TENANTS}",
                    f"set join_mesh=False on spoke {remote.name!r} or {local.name!r}, or list fewer tenants",
                )
            out.append(
                PlannedPeering(
                    key=_mesh_key(local.name, remote.name),
                    spoke=local.name,
                    remote_spoke=remote.name,
                    direction="mesh",
                    local_vnet_id=local.vnet.id,
                    remote_vnet_id=remote.vnet.id,
                    name=_default_mesh_name(local.name, remote.name),
                    allow_virtual_network_access=local.spec.allow_virtual_network_access is not False,
                    allow_forwarded_traffic=local.spec.allow_forwarded_traffic is not False,
                    # Mesh peerings never carry gateway flags: a spoke using the hub gateway must not become a
                    # transit target, and a vnet may use only one remote gateway.
                    allow_gateway_transit=False,
                    use_remote_gateways=False,
                    peer_complete_vnets=True,
                    local_subnet_names=(),
                    remote_subnet_names=(),
                    enable_only_ipv6_peering=False,
                    adopt_existing=local.spec.adopt_existing is True,
                    timeouts=local.timeouts,
                    auxiliary_tenant_ids=aux,
                    depends_on_keys=(),
                )
            )
    return out


def _name_attr(p: PlannedPeering) -> str:
    return {"hub_to_spoke": "hub_peering_name", "spoke_to_hub": "spoke_peering_name"}.get(p.direction, "")


def _check_name_clashes(peerings: Sequence[PlannedPeering], c: _Collector) -> None:
    """ARM names are unique per vnet (case-insensitively); a second PUT would update the first peering."""
    seen: dict[tuple[str, str], PlannedPeering] = {}
    for p in peerings:
        slot = (p.local_vnet_id.lower(), p.name.lower())
        other = seen.get(slot)
        if other is None:
            seen[slot] = p
            continue
        # Blame the peering whose name can be overridden (hub/spoke sides); mesh names follow the spoke names.
        owner = p if _name_attr(p) or not _name_attr(other) else other
        attr = _name_attr(owner)
        fix = (
            f"set {_field(owner.spoke, attr)} to a name not used in that vnet"
            if attr
            else f"rename spoke {owner.spoke!r} (mesh peering names are derived from spoke names)"
        )
        c.error(
            "PeeringNameClash",
            owner.spoke,
            attr,
            f"peering name {p.name!r} is used twice in vnet {p.local_vnet_id.rsplit('/', 1)[-1]!r} "
            f"(peerings {other.key!r} and {p.key!r})",
            fix,
        )


# --- Checks that need facts ------------------------------------------------------------------------------------


@dataclass
class _FactIndex:
    by_key: dict[str, VnetFacts]
    bad_prefix_warned: set[str] = field(default_factory=set)

    def get(self, vnet: VnetRef) -> VnetFacts | None:
        return self.by_key.get(vnet.key)


def _index_facts(facts: Mapping[str, VnetFacts] | None, c: _Collector) -> _FactIndex:
    index: dict[str, VnetFacts] = {}
    if facts is None:
        return _FactIndex(index)
    if not isinstance(facts, Mapping):
        c.warn("FactsIgnored", None, "facts", f"facts must be a mapping of vnet id to VnetFacts, got {type(facts)}")
        return _FactIndex(index)
    for raw_key in sorted(facts, key=str):
        value = facts[raw_key]
        try:
            ref = parse_vnet_id(raw_key)
        except ValueError:
            c.warn("FactsIgnored", None, "facts", f"facts filed under invalid vnet id {raw_key!r} were ignored")
            continue
        if not isinstance(value, VnetFacts):
            c.warn("FactsIgnored", None, "facts", f"facts for {ref.name!r} are not VnetFacts and were ignored")
            continue
        try:
            described = parse_vnet_id(value.id).key
        except ValueError:
            described = None
        if described != ref.key:
            c.warn(
                "FactsIdMismatch",
                None,
                "facts",
                f"facts filed under {ref.id!r} describe vnet {value.id!r}; used for the former",
            )
        if ref.key in index:
            c.warn("FactsIgnored", None, "facts", f"facts for {ref.id!r} were given twice; the last key was used")
        index[ref.key] = value
    return _FactIndex(index)


def _networks(values: object, where: str, idx: _FactIndex, c: _Collector) -> list[IpNetwork]:
    """Parse CIDRs from facts; invalid entries are ignored with one warning each (facts are not user input)."""
    out: list[IpNetwork] = []
    if isinstance(values, str) or not isinstance(values, Iterable):
        return out
    for v in values:
        try:
            if not isinstance(v, str):
                raise ValueError(repr(v))
            out.append(ipaddress.ip_network(v, strict=False))
        except ValueError:
            token = f"{where}|{v!r}"
            if token not in idx.bad_prefix_warned:
                idx.bad_prefix_warned.add(token)
                c.warn("InvalidPrefixInFacts", None, "facts", f"ignored invalid address prefix {v!r} of {where}")
    return out


def _subnet_table(facts: VnetFacts) -> dict[str, tuple[str, Sequence[str]]]:
    """Folded subnet name -> (ARM name, prefixes)."""
    subnets = facts.subnets if isinstance(facts.subnets, Mapping) else {}
    table: dict[str, tuple[str, Sequence[str]]] = {}
    for name in sorted(subnets, key=str):
        prefixes = subnets[name]
        table.setdefault(str(name).lower(), (str(name), prefixes if isinstance(prefixes, Sequence) else ()))
    return table


def _side_prefixes(
    s: _Spoke,
    vnet: VnetRef,
    facts: VnetFacts | None,
    names: tuple[str, ...],
    side: Literal["hub", "spoke"],
    idx: _FactIndex,
    c: _Collector,
) -> list[IpNetwork] | None:
    """Prefixes one side of a hub/spoke link exposes: the vnet's space, or the chosen subnets' prefixes.

    Reports unknown subnet names (and, for IPv6-only links, subnets without IPv6) as errors. ``None`` when the
    vnet's facts are missing.
    """
    if facts is None:
        return None
    if s.link == "vnet":
        return _networks(facts.address_prefixes, f"vnet {vnet.name!r}", idx, c)
    attr = "hub_subnet_names" if side == "hub" else "local_subnet_names"
    table = _subnet_table(facts)
    out: list[IpNetwork] = []
    for name in names:
        found = table.get(name.lower())
        if found is None:
            known = ", ".join(sorted(arm for arm, _ in table.values()))
            c.error(
                "UnknownSubnet",
                s.name,
                attr,
                f"subnet {name!r} does not exist in the {side} vnet {vnet.name!r} "
                + (f"(its subnets: {known})" if known else "(it has no subnets)"),
                f"use one of those names in {_field(s.name, attr)}"
                if known
                else f"create the subnet first, or set {_field(s.name, 'link')}='vnet'",
            )
            continue
        nets = _networks(found[1], f"subnet {found[0]!r} of vnet {vnet.name!r}", idx, c)
        if s.link == "ipv6":
            nets = [n for n in nets if n.version == 6]
            if not nets:
                c.error(
                    "SubnetHasNoIpv6",
                    s.name,
                    attr,
                    f"subnet {found[0]!r} of the {side} vnet {vnet.name!r} has no IPv6 prefix, so link='ipv6' "
                    "would peer nothing there",
                    "add an IPv6 prefix to the subnet (dual stack), pick dual-stack subnets, or use link='subnets'",
                )
        out.extend(nets)
    return out


def _overlaps(a: Sequence[IpNetwork], b: Sequence[IpNetwork]) -> list[tuple[IpNetwork, IpNetwork]]:
    pairs: list[tuple[IpNetwork, IpNetwork]] = []
    for x in a:
        for y in b:
            if x.version == y.version and x.overlaps(y):
                pairs.append((x, y))
    return pairs


def _overlapping_pairs(prefix_lists: Sequence[Sequence[IpNetwork] | None]) -> list[tuple[int, int]]:
    """The pairs ``(i, j)``, ``i < j``, of lists sharing an overlapping network (same IP version), sorted. A sweep
    over the networks sorted by first address: each one overlaps exactly those still open when it starts, so the
    cost is O(M log M) in the networks plus the overlaps found, not one comparison per pair of lists."""
    found: set[tuple[int, int]] = set()
    entries = sorted(
        (net.version, int(net.network_address), -int(net.broadcast_address), owner)
        for owner, nets in enumerate(prefix_lists)
        for net in nets or ()
    )
    open_nets: list[tuple[int, int, int]] = []  # (version, last address, owner)
    for version, first, negated_last, owner in entries:
        open_nets = [o for o in open_nets if o[0] == version and o[1] >= first]
        for _, _, other in open_nets:
            if other != owner:
                found.add((min(owner, other), max(owner, other)))
        open_nets.append((version, -negated_last, owner))
    return sorted(found)


def _describe_overlap(pairs: Sequence[tuple[IpNetwork, IpNetwork]]) -> str:
    shown = "; ".join(f"{x} overlaps {y}" for x, y in pairs[:3])
    return shown + (f" (and {len(pairs) - 3} more)" if len(pairs) > 3 else "")


@dataclass(frozen=True)
class _Peer:
    """A vnet peered (or about to be) with some vnet V, and the prefixes it exposes to V."""

    vnet_key: str
    label: str
    spoke: str | None
    prefixes: list[IpNetwork] | None
    mesh_spoke: str | None = None
    """Set when the peering with V is a mesh peering (of this spoke): leaving the mesh is then a fix."""


def _existing_remote_prefixes(
    e: PeeringFact, idx: _FactIndex, c: _Collector, where: str
) -> tuple[str | None, list[IpNetwork] | None]:
    try:
        remote = parse_vnet_id(e.remote_virtual_network_id)
    except ValueError:
        return None, None
    if e.remote_address_prefixes:
        return remote.key, _networks(e.remote_address_prefixes, where, idx, c)
    rf = idx.get(remote)
    if rf is None:
        return remote.key, None
    return remote.key, _networks(rf.address_prefixes, where, idx, c)


def _existing_list(facts: VnetFacts | None) -> list[PeeringFact]:
    if facts is None:
        return []
    items = facts.peerings
    if isinstance(items, str) or not isinstance(items, Iterable):
        return []
    return [e for e in items if isinstance(e, PeeringFact) and isinstance(e.name, str)]


@dataclass(frozen=True)
class _ExistingIndex:
    """A vnet's existing peerings, looked up by name and by remote vnet (each planned peering of a hub with 500
    spokes asks both questions of its 500 peerings)."""

    by_name: Mapping[str, PeeringFact]
    """Lower-cased name -> the first peering of that name."""
    by_remote: Mapping[str, Sequence[PeeringFact]]
    """Lower-cased remote vnet id -> the peerings to it, in ARM's order (those whose remote is no vnet id left out)."""

    @classmethod
    def of(cls, facts: VnetFacts) -> _ExistingIndex:
        by_name: dict[str, PeeringFact] = {}
        by_remote: dict[str, list[PeeringFact]] = {}
        for e in _existing_list(facts):
            by_name.setdefault(e.name.lower(), e)
            remote = vnet_key(e.remote_virtual_network_id)
            if remote is not None:
                by_remote.setdefault(remote, []).append(e)
        return cls(by_name, by_remote)


class _Planner:
    def __init__(self, r: _Resolved, peerings: list[PlannedPeering], idx: _FactIndex, c: _Collector) -> None:
        assert r.hub is not None
        self.r = r
        self.hub: VnetRef = r.hub
        self.peerings = peerings
        self.idx = idx
        self.c = c
        self.hub_facts = idx.get(self.hub)
        self.wait_for_hub_gateway = False
        self.waiting_for_gateway: list[str] = []
        """Spokes whose side waits for the hub's gateway, still provisioning (one warning names them all)."""
        self.reported_pairs: set[frozenset[str]] = set()
        self.spoke_by_key = {s.vnet.key: s for s in r.spokes}
        self.deferred_seen: set[tuple[str, str]] = set()

    def defer(self, check: str, spoke: str | None, vnet: VnetRef, why: str = "no facts for it") -> None:
        if (check, vnet.key) in self.deferred_seen:
            return
        self.deferred_seen.add((check, vnet.key))
        # One entry per (check, vnet); a hub-level entry concerns every spoke, so it names none.
        self.c.defer(check, None if vnet.key == self.hub.key else spoke, vnet, why)

    def run(self) -> None:
        hub_sides: dict[str, list[IpNetwork] | None] = {}
        spoke_sides: dict[str, list[IpNetwork] | None] = {}
        for s in self.r.spokes:
            sf = self.idx.get(s.vnet)
            hub_sides[s.name] = _side_prefixes(s, self.hub, self.hub_facts, s.hub_subnets, "hub", self.idx, self.c)
            spoke_sides[s.name] = _side_prefixes(s, s.vnet, sf, s.local_subnets, "spoke", self.idx, self.c)
            if s.link != "vnet":
                if self.hub_facts is None:
                    self.defer("subnets", s.name, self.hub)
                if sf is None:
                    self.defer("subnets", s.name, s.vnet)
            self.check_gateways(s, sf)
        self.warn_waiting_for_hub_gateway()
        # Order matters only for which message a pair of vnets gets (each pair is reported once): the most
        # fundamental one first, so that following a fix never reveals a second error about the same pair.
        self.check_hub_spoke_overlaps(hub_sides, spoke_sides)
        self.check_peers_of_hub(spoke_sides)
        self.check_mesh_overlaps()
        self.check_peers_of_spokes(hub_sides)
        self.check_existing_peerings()
        self.check_peering_limits()

    # Gateways ----------------------------------------------------------------------------------------------

    def warn_waiting_for_hub_gateway(self) -> None:
        """One warning, on the first spoke, naming every spoke whose side waits for the hub's gateway."""
        if not self.waiting_for_gateway:
            return
        names = ", ".join(repr(name) for name in self.waiting_for_gateway)
        self.c.warn(
            "WaitingForHubGateway",
            self.waiting_for_gateway[0],
            "use_hub_gateway",
            f"the hub vnet {self.hub.name!r} gateway is still provisioning; the spoke side"
            f"{'s' if len(self.waiting_for_gateway) > 1 else ''} of {names} that use"
            f"{'' if len(self.waiting_for_gateway) > 1 else 's'} it "
            f"{'are' if len(self.waiting_for_gateway) > 1 else 'is'} created once it has succeeded",
        )

    def check_gateways(self, s: _Spoke, sf: VnetFacts | None) -> None:
        if s.spec.use_hub_gateway is not True:
            return
        hub_state = self.hub_facts.gateway if self.hub_facts is not None else None
        if hub_state is None:
            self.defer("hub_gateway", s.name, self.hub, "no facts for it")
            self.wait_for_hub_gateway = True
        elif hub_state == "provisioning":
            self.waiting_for_gateway.append(s.name)
            self.wait_for_hub_gateway = True
        elif hub_state in ("none", "failed"):
            problem = (
                f"use_hub_gateway is set but the hub vnet {self.hub.name!r} has no virtual network gateway "
                "(ARM: RemoteVnetHasNoGateways)"
                if hub_state == "none"
                else f"use_hub_gateway is set but the hub vnet {self.hub.name!r} gateway is in Failed state"
            )
            fix = (
                "deploy a VPN or ExpressRoute gateway in the hub first"
                if hub_state == "none"
                else "repair (reset or redeploy) the hub gateway"
            )
            self.c.error(
                "HubHasNoGateway",
                s.name,
                "use_hub_gateway",
                problem,
                f"{fix}, or set {_field(s.name, 'use_hub_gateway')}=False",
            )

        if sf is None:
            self.defer("spoke_gateway", s.name, s.vnet)
            self.defer("remote_gateways", s.name, s.vnet)
            return
        if sf.gateway != "none":
            state = sf.gateway
            self.c.error(
                "SpokeHasOwnGateway",
                s.name,
                "use_hub_gateway",
                f"use_hub_gateway is set but the spoke vnet {s.vnet.name!r} has its own gateway (state {state}); "
                "ARM refuses useRemoteGateways on a vnet with a gateway",
                f"set {_field(s.name, 'use_hub_gateway')}=False, or remove the spoke's gateway",
            )
        planned_name = self.planned(_spoke_to_hub_key(s.name)).name.lower()
        for e in _existing_list(sf):
            if e.use_remote_gateways is not True:
                continue
            same = e.name.lower() == planned_name
            if same:
                continue
            if vnet_key(e.remote_virtual_network_id) == self.hub.key:
                # Another peering of the same pair (this spoke's own peering under its previous name, replaced
                # delete-first): ARM keeps one link between two vnets, so it goes before the planned one exists,
                # gateway and all. Someone else's is AnotherPeeringToSameVnet, refused by the peering's own check.
                continue
            other_hub = (e.remote_virtual_network_id or "").rstrip("/").rsplit("/", 1)[-1]
            flag = _field(s.name, "use_hub_gateway")
            self.c.error(
                "RemoteGatewayAlreadyUsed",
                s.name,
                "use_hub_gateway",
                f"the spoke vnet {s.vnet.name!r} already uses the gateway of vnet {other_hub!r} through its peering "
                f"{e.name!r}, and ARM lets only one peering per vnet use remote gateways "
                "(OnlyOnePeeringCanUseRemoteGateways)",
                f"to move the spoke's gateway transit to hub {self.hub.name!r}, take two updates: first apply with "
                f"{flag}=False while {e.name!r} loses useRemoteGateways (its own hub's use_hub_gateway=False, or the "
                f"spoke removed from that hub: both can be in the same update), then set {flag}=True and apply "
                f"again. Or keep {flag}=False",
            )

    def planned(self, key: str) -> PlannedPeering:
        for p in self.peerings:
            if p.key == key:
                return p
        raise KeyError(key)

    # Address overlap -----------------------------------------------------------------------------------------

    def report_overlap(self, a_key: str, b_key: str, code: str, spoke: str, attr: str, problem: str, fix: str) -> None:
        pair = frozenset((a_key, b_key))
        if pair in self.reported_pairs:
            return
        self.reported_pairs.add(pair)
        self.c.error(code, spoke, attr, problem, fix)

    def check_hub_spoke_overlaps(
        self, hub_sides: Mapping[str, list[IpNetwork] | None], spoke_sides: Mapping[str, list[IpNetwork] | None]
    ) -> None:
        for s in self.r.spokes:
            h, p = hub_sides[s.name], spoke_sides[s.name]
            if h is None or p is None:
                if h is None:
                    self.defer("address_overlap", s.name, self.hub)
                if p is None:
                    self.defer("address_overlap", s.name, s.vnet)
                continue
            pairs = _overlaps(p, h)
            if pairs:
                attr = "vnet_id" if s.link == "vnet" else "local_subnet_names"
                fix = (
                    "give the spoke an address space disjoint from the hub's, or set link='subnets' and peer only "
                    "subnets that do not overlap"
                    if s.link == "vnet"
                    else "choose subnets whose prefixes do not overlap"
                )
                self.report_overlap(
                    s.vnet.key,
                    self.hub.key,
                    "AddressSpaceOverlap",
                    s.name,
                    attr,
                    f"spoke vnet {s.vnet.name!r} and hub vnet {self.hub.name!r} overlap ({_describe_overlap(pairs)}); "
                    "ARM refuses to peer them (VnetAddressSpacesOverlap)",
                    fix,
                )

    def check_mesh_overlaps(self) -> None:
        meshed = [s for s in self.r.spokes if s.joins_mesh]
        for i, a in enumerate(meshed):
            for b in meshed[i + 1 :]:
                af, bf = self.idx.get(a.vnet), self.idx.get(b.vnet)
                if af is None or bf is None:
                    for missing, mf in ((a, af), (b, bf)):
                        if mf is None:
                            self.defer("address_overlap", missing.name, missing.vnet)
                    continue
                an = _networks(af.address_prefixes, f"vnet {a.vnet.name!r}", self.idx, self.c)
                bn = _networks(bf.address_prefixes, f"vnet {b.vnet.name!r}", self.idx, self.c)
                pairs = _overlaps(bn, an)
                if pairs:
                    self.report_overlap(
                        a.vnet.key,
                        b.vnet.key,
                        "MeshAddressSpaceOverlap",
                        b.name,
                        "vnet_id",
                        f"spokes {a.name!r} and {b.name!r} are to be meshed but their address spaces overlap "
                        f"({_describe_overlap(pairs)}); ARM refuses to peer them (VnetAddressSpacesOverlap)",
                        f"give them disjoint address spaces, or set join_mesh=False on spoke {b.name!r} or {a.name!r}",
                    )

    def check_peer_set(self, owner: VnetRef, owner_label: str, peers: Sequence[_Peer]) -> None:
        """All vnets peered with ``owner`` must be pairwise disjoint (VnetAddressSpaceOverlapsWithAlreadyPeeredVnet).
        Only the pairs that do overlap are visited (:func:`_overlapping_pairs`): a hub's 500 spokes are not 125,000
        comparisons. Reported in the order of ``peers``, as a pairwise loop would."""
        for i, j in _overlapping_pairs([p.prefixes for p in peers]):
            a, b = peers[i], peers[j]
            if a.spoke is None and b.spoke is None:
                continue  # both already peered outside this plan: not ours to judge
            pairs = _overlaps(b.prefixes or [], a.prefixes or [])
            if pairs:
                blamed = b if b.spoke is not None else a
                other = a if blamed is b else b
                assert blamed.spoke is not None
                fix = (
                    f"make the address spaces of {blamed.label} and {other.label} disjoint, or peer only "
                    "non-overlapping subnets (link='subnets')"
                )
                if other.spoke is None:
                    fix += f", or remove the existing peering to {other.label}"
                mesh_spokes = sorted(x.mesh_spoke for x in (a, b) if x.mesh_spoke is not None)
                if mesh_spokes:
                    fix += f", or set join_mesh=False on spoke {mesh_spokes[0]!r}"
                self.report_overlap(
                    a.vnet_key,
                    b.vnet_key,
                    "OverlapsWithPeeredVnet",
                    blamed.spoke,
                    "vnet_id",
                    f"{blamed.label} and {other.label} overlap ({_describe_overlap(pairs)}) and both are (to be) "
                    f"peered with {owner_label}; ARM refuses the second peering "
                    "(VnetAddressSpaceOverlapsWithAlreadyPeeredVnet)",
                    fix,
                )

    def external_peers(self, vnet: VnetRef, facts: VnetFacts | None, partners: set[str]) -> list[_Peer]:
        out: list[_Peer] = []
        for e in _existing_list(facts):
            where = f"the vnet peered with {vnet.name!r} through {e.name!r}"
            key, prefixes = _existing_remote_prefixes(e, self.idx, self.c, where)
            if key is None or key in partners:
                continue
            if prefixes is None:
                remote = parse_vnet_id(e.remote_virtual_network_id)
                self.defer("address_overlap", None, remote, f"no facts for the vnet peered with {vnet.name!r}")
            out.append(_Peer(key, f"vnet {key.rsplit('/', 1)[-1]!r} (peering {e.name!r})", None, prefixes))
        return out

    def check_peers_of_hub(self, spoke_sides: Mapping[str, list[IpNetwork] | None]) -> None:
        peers = [_Peer(s.vnet.key, f"spoke {s.name!r}", s.name, spoke_sides[s.name]) for s in self.r.spokes]
        peers += self.external_peers(self.hub, self.hub_facts, set(self.spoke_by_key))
        self.check_peer_set(self.hub, f"the hub vnet {self.hub.name!r}", peers)

    def check_peers_of_spokes(self, hub_sides: Mapping[str, list[IpNetwork] | None]) -> None:
        meshed = [s for s in self.r.spokes if s.joins_mesh]
        for s in self.r.spokes:
            sf = self.idx.get(s.vnet)
            peers = [_Peer(self.hub.key, f"the hub vnet {self.hub.name!r}", s.name, hub_sides[s.name])]
            partners = {self.hub.key}
            if s.joins_mesh:
                for m in meshed:
                    if m is s:
                        continue
                    mf = self.idx.get(m.vnet)
                    nets = (
                        None
                        if mf is None
                        else _networks(mf.address_prefixes, f"vnet {m.vnet.name!r}", self.idx, self.c)
                    )
                    peers.append(_Peer(m.vnet.key, f"spoke {m.name!r}", m.name, nets, mesh_spoke=m.name))
                    partners.add(m.vnet.key)
            peers += self.external_peers(s.vnet, sf, partners)
            self.check_peer_set(s.vnet, f"spoke {s.name!r}", peers)

    # Existing peerings and limits ----------------------------------------------------------------------------

    def check_existing_peerings(self) -> None:
        by_key = {p.key: p for p in self.peerings}
        existing: dict[str, _ExistingIndex] = {}
        disconnected: list[PlannedPeering] = []
        for p in self.peerings:
            local = parse_vnet_id(p.local_vnet_id)
            facts = self.idx.get(local)
            if facts is None:
                self.defer("peering_names", p.spoke, local)
                continue
            index = existing.get(local.key)
            if index is None:
                index = existing[local.key] = _ExistingIndex.of(facts)
            remote_key = p.remote_vnet_id.lower()
            by_name = index.by_name.get(p.name.lower())
            attr = _name_attr(p)
            if by_name is not None:
                e_remote = vnet_key(by_name.remote_virtual_network_id)
                if e_remote != remote_key:
                    self.c.error(
                        "PeeringNameTaken",
                        p.spoke,
                        attr,
                        f"vnet {local.name!r} already has a peering named {p.name!r} pointing to another vnet "
                        f"({by_name.remote_virtual_network_id!r}); ARM cannot change a peering's remote vnet "
                        "(ChangingRemoteVirtualNetworkNotAllowed)",
                        f"set {_field(p.spoke, attr)} to another name (or delete that peering)"
                        if attr
                        else f"rename spoke {p.spoke!r} or delete the existing peering {p.name!r}",
                    )
                    continue
                if str(by_name.peering_state or "").lower() == "disconnected":
                    disconnected.append(p)
                    self.c.warn(
                        "DisconnectedPeering",
                        p.spoke,
                        attr,
                        f"peering {p.name!r} of vnet {local.name!r} is Disconnected; it is written again before "
                        "its reverse so that ARM accepts the pair (RemotePeeringIsDisconnected)",
                    )
            elif p.adopt_existing:
                self.c.warn(
                    "NothingToAdopt",
                    p.spoke,
                    "adopt_existing",
                    f"adopt_existing is set but vnet {local.name!r} has no peering named {p.name!r}; it is created",
                )
            for e in index.by_remote.get(remote_key, ()):
                if e.name.lower() != p.name.lower():
                    self.c.warn(
                        "AnotherPeeringToSameVnet",
                        p.spoke,
                        attr or "",
                        f"vnet {local.name!r} already has peering {e.name!r} to the same remote vnet; ARM allows one "
                        f"link between two vnets (AnotherPeeringAlreadyReferencesRemoteVnet), so creating {p.name!r} "
                        f"fails unless {e.name!r} is removed first; to keep it, set "
                        f"{_field(p.spoke, attr or 'hub_peering_name')}={e.name!r} and adopt_existing=True",
                    )
        # A Disconnected peering must be written again before its reverse is created or updated.
        disconnected_keys = {p.key for p in disconnected}
        updated: dict[str, PlannedPeering] = {}
        for p in disconnected:
            reverse = self.reverse_of(p)
            if reverse is None:
                continue
            if reverse.key in disconnected_keys:
                # Neither side can be written while the other is Disconnected: one has to be re-created.
                if p.key < reverse.key:
                    self.c.warn(
                        "BothSidesDisconnected",
                        p.spoke,
                        _name_attr(p),
                        f"peerings {p.name!r} and {reverse.name!r} are both Disconnected; ARM refuses to update "
                        "either (RemotePeeringIsDisconnected) until one of them is deleted and created again",
                    )
                continue
            if reverse.key in by_key[p.key].depends_on_keys:
                continue  # would be a cycle (a gateway-transit edge already points the other way)
            current = updated.get(reverse.key, reverse)
            if p.key in current.depends_on_keys:
                continue  # the gateway-transit edge already orders them this way
            updated[reverse.key] = _with_dependency(current, p.key)
        if updated:
            self.peerings[:] = [updated.get(p.key, p) for p in self.peerings]

    def reverse_of(self, p: PlannedPeering) -> PlannedPeering | None:
        for q in self.peerings:
            if q.local_vnet_id == p.remote_vnet_id and q.remote_vnet_id == p.local_vnet_id:
                return q
        return None

    def check_peering_limits(self) -> None:
        vnets: dict[str, tuple[VnetRef, str | None]] = {self.hub.key: (self.hub, None)}
        for s in self.r.spokes:
            vnets[s.vnet.key] = (s.vnet, s.name)
        planned_by_vnet: dict[str, list[PlannedPeering]] = {}
        for p in self.peerings:
            planned_by_vnet.setdefault(p.local_vnet_id.lower(), []).append(p)
        for key, (vnet, spoke) in vnets.items():
            planned = planned_by_vnet.get(key, [])
            names = {p.name.lower() for p in planned}
            facts = self.idx.get(vnet)
            if facts is None:
                self.defer("peering_limit", spoke, vnet)
                unmanaged = 0
            else:
                listed = _existing_list(facts)
                unmanaged = sum(1 for e in listed if e.name.lower() not in names)
                total = facts.peering_count
                if isinstance(total, int) and not isinstance(total, bool) and total > len(listed):
                    unmanaged += total - len(listed)
            count = len(planned) + unmanaged
            if count <= MAX_PEERINGS_PER_VNET:
                continue
            where = f"the hub vnet {vnet.name!r}" if spoke is None else f"the spoke vnet {vnet.name!r}"
            self.c.error(
                "TooManyPeerings",
                spoke,
                "spokes" if spoke is None else "",
                f"{where} would have {count} peerings ({len(planned)} planned, {unmanaged} others); ARM allows "
                f"{MAX_PEERINGS_PER_VNET} per vnet",
                "split the spokes across hubs or remove unused peerings"
                if spoke is None
                else f"set join_mesh=False on spoke {spoke!r} or remove unused peerings of its vnet",
            )


def _with_dependency(p: PlannedPeering, key: str) -> PlannedPeering:
    return replace(p, depends_on_keys=(*p.depends_on_keys, key))


def _sorted_errors(errors: Iterable[PlanError]) -> tuple[PlanError, ...]:
    unique = {(e.code, e.spoke, e.field, e.message): e for e in errors}
    return tuple(unique[k] for k in sorted(unique, key=lambda k: (k[1] is not None, k[1] or "", k[2], k[0], k[3])))


def _dedupe(items: Iterable[PlanWarning]) -> tuple[PlanWarning, ...]:
    seen: dict[tuple[str, str | None, str, str], PlanWarning] = {}
    for w in items:
        seen.setdefault((w.code, w.spoke, w.field, w.message), w)
    return tuple(seen.values())


# --- Public entry points ---------------------------------------------------------------------------------------


def validate_spec(spec: HubSpokeSpec) -> tuple[PlanError, ...]:
    """Structural errors that need no facts: ids, names, link kinds, subnet lists, timeouts, tenants, duplicate
    spokes, the hub listed as a spoke, and peering-name clashes inside the plan. Never raises."""
    c = _Collector()
    r = _resolve(spec, c)
    if r.hub is not None:
        _check_name_clashes(_build_peerings(r, c), c)
    return _sorted_errors(c.errors)


def vnet_ids_to_look_up(spec: HubSpokeSpec) -> tuple[str, ...]:
    """Canonical ids of the valid hub and spoke vnets, for the component to fetch :class:`VnetFacts` of (sorted,
    without duplicates). Vnets peered outside the plan can be added by the caller for overlap checks."""
    c = _Collector()
    r = _resolve(spec, c)
    ids = {s.vnet.key: s.vnet.id for s in r.spokes}
    if r.hub is not None:
        ids[r.hub.key] = r.hub.id
    return tuple(ids[k] for k in sorted(ids))


def _with_remote_spaces(peerings: Iterable[PlannedPeering], idx: _FactIndex) -> list[PlannedPeering]:
    """Each whole-vnet peering with the address space its remote vnet has now, when the facts say."""
    out = []
    for p in peerings:
        remote = idx.get(parse_vnet_id(p.remote_vnet_id)) if p.peer_complete_vnets else None
        space = tuple(remote.address_prefixes) if remote is not None and remote.address_prefixes else None
        out.append(replace(p, remote_vnet_address_space=space) if space else p)
    return out


def plan_hub_spoke(spec: HubSpokeSpec, facts: Mapping[str, VnetFacts] | None = None) -> Plan:
    """Plan the peerings of a hub-and-spoke topology.

    Pure and deterministic: the same spec and facts give the same plan whatever the order of the spokes mapping;
    vnet ids are compared case-insensitively. ``facts`` maps vnet ids (any casing) to what ARM holds; a vnet
    without facts has its fact-based checks listed in :attr:`Plan.deferred_checks` instead of failing.
    Never raises: problems are returned as :attr:`Plan.errors`, and then :attr:`Plan.peerings` is empty.
    """
    c = _Collector()
    r = _resolve(spec, c)
    if r.hub is None:
        return Plan(
            hub_vnet_id=None,
            peerings=(),
            errors=_sorted_errors(c.errors),
            warnings=_dedupe(c.warnings),
            deferred_checks=(),
            wait_for_hub_gateway=False,
        )
    peerings = _build_peerings(r, c)
    _check_name_clashes(peerings, c)
    idx = _index_facts(facts, c)
    planner = _Planner(r, peerings, idx, c)
    planner.run()
    errors = _sorted_errors(c.errors)
    return Plan(
        hub_vnet_id=r.hub.id,
        peerings=() if errors else tuple(_with_remote_spaces(planner.peerings, idx)),
        errors=errors,
        warnings=_dedupe(c.warnings),
        deferred_checks=tuple(c.deferred),
        wait_for_hub_gateway=planner.wait_for_hub_gateway and not errors,
    )
