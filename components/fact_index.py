"""The facts the planner was given, indexed: vnets by key, their subnets and existing peerings, their prefixes parsed.

Facts are what ARM holds, not user input: an invalid entry is ignored with one warning, never an error.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .address_overlap import IpNetwork
from .plan_findings import Findings
from .topology import PeeringFact, VnetFacts, VnetRef, parse_vnet_id, vnet_key


@dataclass
class FactIndex:
    """The facts by vnet key, and which invalid prefixes were already warned about."""

    by_key: dict[str, VnetFacts]
    bad_prefix_warned: set[str] = field(default_factory=set)

    def get(self, vnet: VnetRef) -> VnetFacts | None:
        return self.by_key.get(vnet.key)


def index_facts(facts: Mapping[str, VnetFacts] | None, c: Findings) -> FactIndex:
    """Index facts by vnet key; facts under an invalid id, of the wrong type or given twice are warnings."""
    index: dict[str, VnetFacts] = {}
    if facts is None:
        return FactIndex(index)
    if not isinstance(facts, Mapping):
        c.warn("FactsIgnored", None, "facts", f"facts must be a mapping of vnet id to VnetFacts, got {type(facts)}")
        return FactIndex(index)
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
    return FactIndex(index)


def parse_networks(values: object, where: str, idx: FactIndex, c: Findings) -> list[IpNetwork]:
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


def subnet_table(facts: VnetFacts) -> dict[str, tuple[str, Sequence[str]]]:
    """Folded subnet name -> (ARM name, prefixes)."""
    subnets = facts.subnets if isinstance(facts.subnets, Mapping) else {}
    table: dict[str, tuple[str, Sequence[str]]] = {}
    for name in sorted(subnets, key=str):
        prefixes = subnets[name]
        table.setdefault(str(name).lower(), (str(name), prefixes if isinstance(prefixes, Sequence) else ()))
    return table


def existing_remote_prefixes(
    e: PeeringFact, idx: FactIndex, c: Findings, where: str
) -> tuple[str | None, list[IpNetwork] | None]:
    """The remote vnet key of an existing peering and the prefixes it exposes: ARM's ``remote_address_prefixes``,
    else the remote vnet's facts; ``(key, None)`` without either, ``(None, None)`` when the remote is no vnet id."""
    try:
        remote = parse_vnet_id(e.remote_virtual_network_id)
    except ValueError:
        return None, None
    if e.remote_address_prefixes:
        return remote.key, parse_networks(e.remote_address_prefixes, where, idx, c)
    rf = idx.get(remote)
    if rf is None:
        return remote.key, None
    return remote.key, parse_networks(rf.address_prefixes, where, idx, c)


def existing_peerings(facts: VnetFacts | None) -> list[PeeringFact]:
    """The vnet's existing peerings that have a name (none without facts)."""
    if facts is None:
        return []
    items = facts.peerings
    if isinstance(items, str) or not isinstance(items, Iterable):
        return []
    return [e for e in items if isinstance(e, PeeringFact) and isinstance(e.name, str)]


@dataclass(frozen=True)
class ExistingIndex:
    """A vnet's existing peerings, looked up by name and by remote vnet (each planned peering of a hub with 500
    spokes asks both questions of its 500 peerings)."""

    by_name: Mapping[str, PeeringFact]
    """Lower-cased name -> the first peering of that name."""
    by_remote: Mapping[str, Sequence[PeeringFact]]
    """Lower-cased remote vnet id -> the peerings to it, in ARM's order (those whose remote is no vnet id left out)."""

    @classmethod
    def of(cls, facts: VnetFacts) -> ExistingIndex:
        by_name: dict[str, PeeringFact] = {}
        by_remote: dict[str, list[PeeringFact]] = {}
        for e in existing_peerings(facts):
            by_name.setdefault(e.name.lower(), e)
            remote = vnet_key(e.remote_virtual_network_id)
            if remote is not None:
                by_remote.setdefault(remote, []).append(e)
        return cls(by_name, by_remote)
