"""Virtual network gateways: just enough to give a vnet a gateway through its GatewaySubnet."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .. import errors, ids
from .common import (
    SUCCEEDED,
    as_object,
    new_etag,
    opt_bool,
    opt_id,
    opt_str,
    tags_of,
)


@dataclass
class IpConfiguration:
    name: str
    subnet_id: str
    public_ip_id: str | None = None


@dataclass
class Gateway:
    id: str
    name: str
    subscription_id: str
    resource_group: str
    location: str
    ip_configurations: list[IpConfiguration]
    vnet_id: str
    gateway_type: str = "Vpn"
    vpn_type: str = "RouteBased"
    sku: dict[str, Any] = field(default_factory=lambda: {"name": "VpnGw1", "tier": "VpnGw1"})
    active_active: bool = False
    enable_bgp: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    etag: str = field(default_factory=new_etag)
    resource_guid: str = field(default_factory=ids.new_guid)
    provisioning_state: str = SUCCEEDED
    provisioning_seconds: float = 0.0

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Gateway:
        data = dict(doc)
        data["ip_configurations"] = [IpConfiguration(**c) for c in data["ip_configurations"]]
        data["sku"] = dict(data["sku"])
        data["tags"] = dict(data["tags"])
        return cls(**data)

    def ip_configuration_id(self, name: str) -> str:
        return f"{self.id}/ipConfigurations/{name}"

    def to_wire(self, state: str) -> dict[str, Any]:
        configs = []
        for c in self.ip_configurations:
            cprops: dict[str, Any] = {
                "privateIPAllocationMethod": "Dynamic",
                "subnet": {"id": c.subnet_id},
                "provisioningState": state,
            }
            if c.public_ip_id:
                cprops["publicIPAddress"] = {"id": c.public_ip_id}
            configs.append(
                {"name": c.name, "id": self.ip_configuration_id(c.name), "etag": self.etag, "properties": cprops}
            )
        body: dict[str, Any] = {
            "name": self.name,
            "id": self.id,
            "etag": self.etag,
            "type": ids.GATEWAY_TYPE,
            "location": self.location,
        }
        if self.tags:
            body["tags"] = dict(self.tags)
        body["properties"] = {
            "provisioningState": state,
            "resourceGuid": self.resource_guid,
            "gatewayType": self.gateway_type,
            "vpnType": self.vpn_type,
            "sku": {**self.sku, "capacity": 2},
            "activeActive": self.active_active,
            "enableBgp": self.enable_bgp,
            "ipConfigurations": configs,
        }
        return body


@dataclass
class GatewayRequest:
    location: str | None
    ip_configurations: list[IpConfiguration]
    gateway_type: str
    vpn_type: str
    sku: dict[str, Any]
    active_active: bool
    enable_bgp: bool
    tags: dict[str, str]


def parse_put(body: dict[str, Any]) -> GatewayRequest:
    props = as_object(body.get("properties"), "properties")
    raw_configs = props.get("ipConfigurations") or []
    if not isinstance(raw_configs, list) or not raw_configs:
        raise errors.invalid_request_format(
            "properties.ipConfigurations", "A virtual network gateway needs at least one ipConfiguration."
        )
    configs: list[IpConfiguration] = []
    for i, raw in enumerate(raw_configs):
        path = f"properties.ipConfigurations[{i}]"
        raw = as_object(raw, path)
        cprops = as_object(raw.get("properties"), f"{path}.properties")
        subnet = opt_id(cprops, "subnet", f"{path}.properties")
        if not subnet:
            raise errors.invalid_request_format(f"{path}.properties.subnet", "The subnet reference is required.")
        name = opt_str(raw, "name", path) or f"ipconfig{i + 1}"
        configs.append(
            IpConfiguration(name=name, subnet_id=subnet, public_ip_id=opt_id(cprops, "publicIPAddress", path))
        )
    sku = props.get("sku")
    return GatewayRequest(
        location=opt_str(body, "location", ""),
        ip_configurations=configs,
        gateway_type=opt_str(props, "gatewayType", "properties") or "Vpn",
        vpn_type=opt_str(props, "vpnType", "properties") or "RouteBased",
        sku=dict(sku) if isinstance(sku, dict) else {"name": "VpnGw1", "tier": "VpnGw1"},
        active_active=bool(opt_bool(props, "activeActive", "properties")),
        enable_bgp=bool(opt_bool(props, "enableBgp", "properties")),
        tags=tags_of(body),
    )
