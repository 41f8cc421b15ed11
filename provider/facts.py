"""What ARM says about one virtual network: the one type the provider's preflight and the hub-and-spoke planner
both read (``vnet_facts.py`` reads it from ARM and caches it; ``components/plan.py`` plans with it).

Plain frozen data, no I/O. Sequences given to the constructors are kept as tuples and the subnets as a read-only
mapping, so facts compare by value and cannot change under a reader. :meth:`VnetFacts.to_dict` is the plain form
``get_virtual_network`` returns; :func:`vnet_facts_from_lookup` reads that form back, leniently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

__all__ = [
    "GATEWAY_STATES",
    "GatewayFact",
    "GatewayState",
    "PeeringFact",
    "VnetFacts",
    "vnet_facts_from_lookup",
]

GatewayState = Literal["none", "provisioning", "succeeded", "failed"]
"""A vnet's gateways in one word: a usable one wins, then one on its way, then a broken one (Failed, Deleting)."""
GATEWAY_STATES: Final[tuple[str, ...]] = ("none", "provisioning", "succeeded", "failed")

# ARM's provisioning states of a gateway that is still being made ready (case-insensitive).
_PROVISIONING: Final = frozenset({"creating", "updating", "provisioning"})


def _tuple(value: object) -> object:
    """Lists become tuples, so that facts compare and hash by value; anything else is left for the readers."""
    return tuple(value) if isinstance(value, list | tuple) else value


@dataclass(frozen=True)
class GatewayFact:
    """A virtual network gateway in the vnet's GatewaySubnet."""

    id: str
    provisioning_state: str | None
    """ARM's ``provisioningState`` (None: not reported, which ARM does for a gateway that is ready)."""


@dataclass(frozen=True, kw_only=True)
class PeeringFact:
    """A peering ARM holds on the vnet (whether or not this program manages it)."""

    name: str
    remote_virtual_network_id: str | None
    """``remoteVirtualNetwork.id``."""
    id: str = ""
    peering_state: str | None = None
    """``Initiated``, ``Connected`` or ``Disconnected``, if reported."""
    use_remote_gateways: bool = False
    allow_gateway_transit: bool = False
    remote_address_prefixes: Sequence[str] = ()
    """What the peering actually peers of the remote vnet (``remoteVirtualNetworkAddressSpace``, else
    ``remoteAddressSpace``); empty when ARM reports neither."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "remote_address_prefixes", _tuple(self.remote_address_prefixes))


@dataclass(frozen=True, kw_only=True)
class VnetFacts:
    """What ARM says about one virtual network. Missing facts are normal (a vnet the same program creates is not
    known at preview): readers skip the checks that need them."""

    id: str
    """ARM id of the vnet, as ARM spells it."""
    name: str = ""
    location: str | None = None
    provisioning_state: str | None = None
    address_prefixes: Sequence[str] = ()
    """``addressSpace.addressPrefixes`` (IPv4 and IPv6 CIDRs)."""
    subnets: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Subnet name -> its address prefixes (``addressPrefix`` / ``addressPrefixes``)."""
    gateways: Sequence[GatewayFact] = ()
    peerings: Sequence[PeeringFact] = ()
    """Every peering ARM lists on the vnet."""
    peering_count: int | None = None
    """How many peerings the vnet has when :attr:`peerings` lists only some; None: it lists them all."""

    def __post_init__(self) -> None:
        for name in ("address_prefixes", "gateways", "peerings"):
            object.__setattr__(self, name, _tuple(getattr(self, name)))
        if isinstance(self.subnets, Mapping):
            object.__setattr__(self, "subnets", MappingProxyType({k: _tuple(v) for k, v in self.subnets.items()}))

    @property
    def has_gateway(self) -> bool:
        """A gateway that has finished provisioning (ARM's state ``Succeeded`` in any case, or none reported)."""
        return any(str(g.provisioning_state or "succeeded").lower() == "succeeded" for g in self.gateways)

    @property
    def gateway_provisioning(self) -> bool:
        """A gateway that exists but is still being created or updated (in any case, as :attr:`gateway` reads it)."""
        return any(str(g.provisioning_state or "").lower() in _PROVISIONING for g in self.gateways)

    @property
    def gateway(self) -> GatewayState:
        """The gateways in one word: ``succeeded`` if one is usable, else ``provisioning`` if one is on its way,
        else ``failed`` (Failed, Deleting); ``none`` without a gateway."""
        states = [str(g.provisioning_state or "succeeded").lower() for g in self.gateways]
        if not states:
            return "none"
        if "succeeded" in states:
            return "succeeded"
        if any(state in _PROVISIONING for state in states):
            return "provisioning"
        return "failed"

    def subnet_prefixes(self, names: Iterable[str]) -> tuple[str, ...]:
        """The prefixes of the subnets ``names`` (case-insensitive), in that order."""
        lowered = {k.lower(): v for k, v in self.subnets.items()}
        out: list[str] = []
        for name in names:
            out.extend(lowered.get(name.lower(), ()))
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """The plain form ``get_virtual_network`` returns (JSON values; ``has_gateway`` and
        ``gateway_provisioning`` included)."""
        return {
            "id": self.id,
            "name": self.name,
            "location": self.location,
            "provisioning_state": self.provisioning_state,
            "address_prefixes": list(self.address_prefixes),
            "subnets": {name: list(prefixes) for name, prefixes in self.subnets.items()},
            "gateways": tuple({"id": g.id, "provisioning_state": g.provisioning_state} for g in self.gateways),
            "peerings": tuple(
                {
                    "id": p.id,
                    "name": p.name,
                    "remote_virtual_network_id": p.remote_virtual_network_id,
                    "peering_state": p.peering_state,
                    "use_remote_gateways": p.use_remote_gateways,
                    "allow_gateway_transit": p.allow_gateway_transit,
                    "remote_address_prefixes": p.remote_address_prefixes,
                }
                for p in self.peerings
            ),
            "has_gateway": self.has_gateway,
            "gateway_provisioning": self.gateway_provisioning,
        }


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        return ()
    return tuple(str(v) for v in value)


def vnet_facts_from_lookup(data: Mapping[str, Any]) -> VnetFacts:
    """:class:`VnetFacts` from the plain form ``get_virtual_network`` returns (:meth:`VnetFacts.to_dict`).
    Lenient: missing or odd entries are skipped, never raised on (a gateway that is no object counts as one that
    is ready, a peering without a name is left out)."""
    subnets_raw = data.get("subnets")
    subnets = {str(k): _strings(v) for k, v in subnets_raw.items()} if isinstance(subnets_raw, Mapping) else {}
    gateways: list[GatewayFact] = []
    raw_gateways = data.get("gateways")
    if isinstance(raw_gateways, Sequence) and not isinstance(raw_gateways, str):
        for item in raw_gateways:
            if isinstance(item, Mapping):
                state = item.get("provisioning_state")
                gateways.append(GatewayFact(str(item.get("id") or ""), str(state) if state else None))
            else:
                gateways.append(GatewayFact("", None))
    peerings: list[PeeringFact] = []
    raw_peerings = data.get("peerings")
    if isinstance(raw_peerings, Sequence) and not isinstance(raw_peerings, str):
        for item in raw_peerings:
            if not isinstance(item, Mapping) or not item.get("name"):
                continue
            peerings.append(
                PeeringFact(
                    id=str(item.get("id") or ""),
                    name=str(item["name"]),
                    remote_virtual_network_id=str(item.get("remote_virtual_network_id") or ""),
                    use_remote_gateways=bool(item.get("use_remote_gateways")),
                    allow_gateway_transit=bool(item.get("allow_gateway_transit")),
                    peering_state=str(item["peering_state"]) if item.get("peering_state") else None,
                    remote_address_prefixes=_strings(item.get("remote_address_prefixes")),
                )
            )
    return VnetFacts(
        id=str(data.get("id") or ""),
        name=str(data.get("name") or ""),
        location=str(data["location"]) if data.get("location") else None,
        provisioning_state=str(data["provisioning_state"]) if data.get("provisioning_state") else None,
        address_prefixes=_strings(data.get("address_prefixes")),
        subnets=subnets,
        gateways=tuple(gateways),
        peerings=tuple(peerings),
    )
