"""Structural checks of a :class:`~pulumi_azure_peering.components.topology.HubSpokeSpec`: all that needs no facts.

:func:`resolve_spec` checks ids, spoke names, flags, link kinds, subnet lists, timeouts and tenants, reports each
problem through :class:`~pulumi_azure_peering.components.plan_findings.Findings`, and returns the spokes valid
enough to plan. It never raises on bad values.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from pulumi_azure_peering.provider.schema import TIMEOUT_OPERATIONS

from .plan_findings import Findings, spoke_path
from .plan_types import Timeouts
from .topology import (
    LINK_KINDS,
    MAX_AUXILIARY_TENANTS,
    MAX_SUBNET_NAMES_PER_SIDE,
    HubSpokeSpec,
    SpokeSpec,
    VnetRef,
    is_valid_guid,
    is_valid_peering_name,
    is_valid_spoke_name,
    is_valid_subnet_name,
    parse_vnet_id,
)

_DURATION_RE: Final = re.compile(r"(?:\d+(?:\.\d+)?[hms])+")
_DURATION_PART_RE: Final = re.compile(r"(\d+(?:\.\d+)?)([hms])")
_UNIT_SECONDS: Final = {"h": 3600.0, "m": 60.0, "s": 1.0}


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


@dataclass(frozen=True)
class ResolvedSpoke:
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
class ResolvedSpec:
    """The spec as checked: the hub (``None`` when its id is invalid), the spokes valid enough to plan (sorted by
    name), and the spec-wide settings the spokes inherit."""

    hub: VnetRef | None
    spokes: tuple[ResolvedSpoke, ...]
    mesh: bool
    hub_forwarded: bool
    timeouts: Mapping[str, float]
    aux: tuple[str, ...]


def _check_bool(c: Findings, spoke: str | None, attr: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    c.error("InvalidArgument", spoke, attr, f"{attr} must be true or false, got {value!r}", f"set {attr} to a bool")
    return False


def _check_timeouts(c: Findings, spoke: str | None, raw: object) -> dict[str, float]:
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
        if key not in TIMEOUT_OPERATIONS:
            c.error(
                "InvalidTimeouts",
                spoke,
                attr,
                f"unknown timeout {key!r}",
                f"use only {', '.join(TIMEOUT_OPERATIONS)}",
            )
            continue
        try:
            out[key] = _parse_duration(raw[key])
        except ValueError as exc:
            c.error("InvalidTimeouts", spoke, attr, f"invalid timeout: {exc}", "give seconds or e.g. '30m', '1h30m'")
    return out


def _check_tenants(c: Findings, spoke: str | None, raw: object) -> tuple[str, ...]:
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


def merge_tenants(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """The tenants of all groups, each once, in the order first seen."""
    out: list[str] = []
    for group in groups:
        out.extend(t for t in group if t not in out)
    return tuple(out)


def _check_subnet_names(c: Findings, spoke: str, attr: str, raw: object, link: str, side: str) -> tuple[str, ...]:
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


def resolve_spec(spec: HubSpokeSpec, c: Findings) -> ResolvedSpec:
    """Structural validation: everything that can be checked without facts."""
    if not isinstance(spec, HubSpokeSpec):
        c.error("InvalidArgument", None, "spec", f"expected a HubSpokeSpec, got {type(spec).__name__}", "pass one")
        return ResolvedSpec(None, (), False, True, {}, ())

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

    spokes: list[ResolvedSpoke] = []
    first_by_key: dict[str, str] = {}
    for name in sorted(raw_spokes, key=lambda k: (not isinstance(k, str), str(k))):
        sspec = raw_spokes[name]
        if not is_valid_spoke_name(name):
            c.error(
                "InvalidSpokeName",
                None,
                spoke_path(name),
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
    return ResolvedSpec(hub, tuple(spokes), mesh, hub_forwarded, hub_timeouts, hub_aux)


def _resolve_spoke(
    c: Findings,
    name: str,
    s: SpokeSpec,
    hub: VnetRef | None,
    hub_aux: tuple[str, ...],
    hub_timeouts: Mapping[str, float],
    mesh: bool,
) -> ResolvedSpoke | None:
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
    aux = merge_tenants(hub_aux, _check_tenants(c, name, s.auxiliary_tenant_ids))
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
    return ResolvedSpoke(
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
