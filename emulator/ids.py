"""ARM resource ids: a small case-insensitive parser and the canonical forms the emulator answers with."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

NETWORK = "Microsoft.Network"
VNET_TYPE = "Microsoft.Network/virtualNetworks"
GATEWAY_TYPE = "Microsoft.Network/virtualNetworkGateways"
PEERING_TYPE = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$")
_RG_NAME = re.compile(r"^[-\w._()]{1,90}$")


def is_guid(value: str) -> bool:
    return bool(_GUID.match(value))


def is_valid_name(value: str) -> bool:
    """Names of vnets, subnets, gateways and peerings: 1-80 chars, letters, digits, '_', '.', '-'."""
    return bool(_NAME.match(value)) and not value.endswith(".")


def is_valid_resource_group_name(value: str) -> bool:
    return bool(_RG_NAME.match(value)) and not value.endswith(".")


def new_guid() -> str:
    return str(uuid.uuid4())


def key(resource_id: str) -> str:
    """Store key of an id: ARM ids compare case-insensitively."""
    return resource_id.lower()


def resource_group_id(subscription_id: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


def vnet_id(subscription_id: str, resource_group: str, name: str) -> str:
    return f"{resource_group_id(subscription_id, resource_group)}/providers/{NETWORK}/virtualNetworks/{name}"


def gateway_id(subscription_id: str, resource_group: str, name: str) -> str:
    return f"{resource_group_id(subscription_id, resource_group)}/providers/{NETWORK}/virtualNetworkGateways/{name}"


def peering_id(vnet: str, name: str) -> str:
    return f"{vnet}/virtualNetworkPeerings/{name}"


def subnet_id(vnet: str, name: str) -> str:
    return f"{vnet}/subnets/{name}"


@dataclass(frozen=True)
class ParsedVnetRef:
    """A reference to a vnet or to one of its subnets, as found in request bodies."""

    subscription_id: str
    resource_group: str
    vnet_name: str
    subnet_name: str | None = None

    @property
    def vnet_id(self) -> str:
        return vnet_id(self.subscription_id, self.resource_group, self.vnet_name)


def parse_vnet_reference(value: str, *, allow_subnet: bool = False) -> ParsedVnetRef | None:
    """Parse `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{v}[/subnets/{n}]`.

    Returns None when the text is not such an id (segments are matched case-insensitively).
    """
    parts = value.strip().strip("/").split("/")
    expected = 8 if not allow_subnet else (8, 10)
    if isinstance(expected, int):
        if len(parts) != expected:
            return None
    elif len(parts) not in expected:
        return None
    lowered = [p.lower() for p in parts]
    if lowered[0] != "subscriptions" or lowered[2] != "resourcegroups" or lowered[4] != "providers":
        return None
    if lowered[5] != "microsoft.network" or lowered[6] != "virtualnetworks":
        return None
    if not is_guid(parts[1]) or not parts[3] or not parts[7]:
        return None
    subnet = None
    if len(parts) == 10:
        if lowered[8] != "subnets" or not parts[9]:
            return None
        subnet = parts[9]
    return ParsedVnetRef(parts[1].lower(), parts[3], parts[7], subnet)


def looks_like_arm_id(value: str) -> bool:
    lowered = value.lower()
    return lowered.startswith("/subscriptions/") or lowered.startswith("/providers/")
