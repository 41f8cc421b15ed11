"""Virtual networks and their inline subnets: stored form, PUT parsing and wire rendering."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .. import errors, ids, netmath
from .common import (
    SUCCEEDED,
    address_space,
    as_object,
    new_etag,
    opt_bool,
    opt_str,
    opt_str_list,
    tags_of,
)

# BGP community Azure assigns per region (read-only on the wire). Unknown regions get a stable made-up value.
REGIONAL_COMMUNITIES = {
    "eastus": "12076:51004",
    "eastus2": "12076:51005",
    "westus": "12076:51006",
    "westus2": "12076:51026",
    "centralus": "12076:51009",
    "northeurope": "12076:51003",
    "westeurope": "12076:51002",
    "uksouth": "12076:51024",
    "ukwest": "12076:51025",
    "francecentral": "12076:51030",
    "germanywestcentral": "12076:51044",
    "swedencentral": "12076:51061",
}

ENCRYPTION_ENFORCEMENTS = ("AllowUnencrypted", "DropUnencrypted")


def normalize_location(location: str) -> str:
    return location.replace(" ", "").lower()


def regional_community(location: str) -> str:
    loc = normalize_location(location)
    if loc in REGIONAL_COMMUNITIES:
        return REGIONAL_COMMUNITIES[loc]
    return f"12076:5{sum(map(ord, loc)) % 1000:04d}"


@dataclass
class Subnet:
    name: str
    address_prefixes: list[str]
    # The request named `addressPrefixes` (a list) rather than `addressPrefix`: answer in the same form.
    list_form: bool = False
    etag: str = field(default_factory=new_etag)


@dataclass
class VirtualNetwork:
    id: str
    name: str
    subscription_id: str
    resource_group: str
    location: str
    address_prefixes: list[str]
    subnets: list[Subnet]
    encryption: dict[str, Any] | None = None
    virtual_network_community: str | None = None
    regional_community_override: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    etag: str = field(default_factory=new_etag)
    resource_guid: str = field(default_factory=ids.new_guid)
    provisioning_state: str = SUCCEEDED

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> VirtualNetwork:
        data = dict(doc)
        data["subnets"] = [
            Subnet(s["name"], list(s["address_prefixes"]), s["list_form"], s["etag"]) for s in doc["subnets"]
        ]
        data["address_prefixes"] = list(doc["address_prefixes"])
        data["encryption"] = dict(doc["encryption"]) if doc["encryption"] is not None else None
        data["tags"] = dict(doc["tags"])
        return cls(**data)

    def subnet(self, name: str) -> Subnet | None:
        lowered = name.lower()
        for s in self.subnets:
            if s.name.lower() == lowered:
                return s
        return None

    def bgp_communities(self) -> dict[str, str] | None:
        if not self.virtual_network_community:
            return None
        return {
            "virtualNetworkCommunity": self.virtual_network_community,
            "regionalCommunity": self.regional_community_override or regional_community(self.location),
        }

    def subnet_wire(self, s: Subnet, state: str, users: list[str]) -> dict[str, Any]:
        props: dict[str, Any] = {"provisioningState": state}
        if s.list_form or len(s.address_prefixes) != 1:
            props["addressPrefixes"] = list(s.address_prefixes)
        else:
            props["addressPrefix"] = s.address_prefixes[0]
        if users:
            props["ipConfigurations"] = [{"id": u} for u in users]
        props["privateEndpointNetworkPolicies"] = "Disabled"
        props["privateLinkServiceNetworkPolicies"] = "Enabled"
        return {
            "name": s.name,
            "id": ids.subnet_id(self.id, s.name),
            "etag": s.etag,
            "type": ids.SUBNET_TYPE,
            "properties": props,
        }

    def to_wire(
        self, *, state: str, peerings: list[dict[str, Any]], subnet_users: dict[str, list[str]]
    ) -> dict[str, Any]:
        props: dict[str, Any] = {
            "provisioningState": state,
            "resourceGuid": self.resource_guid,
            "addressSpace": address_space(self.address_prefixes),
        }
        if self.encryption is not None:
            props["encryption"] = dict(self.encryption)
        bgp = self.bgp_communities()
        if bgp is not None:
            props["bgpCommunities"] = bgp
        props["subnets"] = [self.subnet_wire(s, state, subnet_users.get(s.name.lower(), [])) for s in self.subnets]
        props["virtualNetworkPeerings"] = peerings
        props["enableDdosProtection"] = False
        body: dict[str, Any] = {
            "name": self.name,
            "id": self.id,
            "etag": self.etag,
            "type": ids.VNET_TYPE,
            "location": self.location,
        }
        if self.tags:
            body["tags"] = dict(self.tags)
        body["properties"] = props
        return body


@dataclass
class VnetRequest:
    """The caller-writable part of a virtual network PUT."""

    location: str | None
    address_prefixes: list[str]
    subnets: list[Subnet]
    encryption: dict[str, Any] | None
    virtual_network_community: str | None
    tags: dict[str, str]


def parse_put(body: dict[str, Any], resource_id: str) -> VnetRequest:
    """Parse and validate the body of a vnet PUT (prefix syntax, subnets inside the space and disjoint)."""
    location = opt_str(body, "location", "")
    props = as_object(body.get("properties"), "properties")
    space = as_object(props.get("addressSpace"), "properties.addressSpace")
    prefixes = opt_str_list(space, "addressPrefixes", "properties.addressSpace") or []
    for p in prefixes:
        check_prefix(p, resource_id)
    subnets: list[Subnet] = []
    raw_subnets = props.get("subnets") or []
    if not isinstance(raw_subnets, list):
        raise errors.invalid_request_format("properties.subnets", "Expected an array.")
    for i, raw in enumerate(raw_subnets):
        path = f"properties.subnets[{i}]"
        raw = as_object(raw, path)
        name = opt_str(raw, "name", path)
        if not name or not ids.is_valid_name(name):
            raise errors.invalid_request_format(f"{path}.name", f"Invalid subnet name {name!r}.")
        sprops = as_object(raw.get("properties"), f"{path}.properties")
        single = opt_str(sprops, "addressPrefix", f"{path}.properties")
        many = opt_str_list(sprops, "addressPrefixes", f"{path}.properties")
        sub_prefixes = many if many else ([single] if single else [])
        sid = ids.subnet_id(resource_id, name)
        for p in sub_prefixes:
            check_prefix(p, sid)
        subnets.append(Subnet(name=name, address_prefixes=sub_prefixes, list_form=bool(many)))
    validate_subnets(resource_id, prefixes, subnets)
    encryption = None
    if props.get("encryption") is not None:
        enc = as_object(props.get("encryption"), "properties.encryption")
        enabled = opt_bool(enc, "enabled", "properties.encryption")
        enforcement = opt_str(enc, "enforcement", "properties.encryption") or "AllowUnencrypted"
        if enforcement not in ENCRYPTION_ENFORCEMENTS:
            raise errors.invalid_request_format(
                "properties.encryption.enforcement", f"Requested value '{enforcement}' was not found."
            )
        encryption = {"enabled": bool(enabled), "enforcement": enforcement}
    community = None
    if props.get("bgpCommunities") is not None:
        bgp = as_object(props.get("bgpCommunities"), "properties.bgpCommunities")
        community = opt_str(bgp, "virtualNetworkCommunity", "properties.bgpCommunities")
    return VnetRequest(
        location=location,
        address_prefixes=prefixes,
        subnets=subnets,
        encryption=encryption,
        virtual_network_community=community,
        tags=tags_of(body),
    )


def check_prefix(prefix: str, resource_id: str) -> None:
    try:
        netmath.parse(prefix)
    except netmath.PrefixError as exc:
        if exc.expected is None:
            raise errors.invalid_address_prefix_format(prefix, resource_id) from None
        raise errors.invalid_cidr_notation(prefix, resource_id, exc.expected) from None


def validate_subnets(vnet_id: str, prefixes: list[str], subnets: list[Subnet]) -> None:
    seen: dict[str, Subnet] = {}
    placed: list[tuple[Subnet, str]] = []
    for s in subnets:
        if s.name.lower() in seen:
            raise errors.invalid_request_format("properties.subnets", f"Duplicate subnet name '{s.name}'.")
        seen[s.name.lower()] = s
        sid = ids.subnet_id(vnet_id, s.name)
        for p in s.address_prefixes:
            if not netmath.within(p, prefixes):
                raise errors.subnet_range_outside_vnet(sid, p, vnet_id, prefixes)
            for other, op in placed:
                if other is not s and netmath.overlapping([p], [op]):
                    raise errors.subnet_ranges_overlap(sid, ids.subnet_id(vnet_id, other.name))
        placed.extend((s, p) for p in s.address_prefixes)
