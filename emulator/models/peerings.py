"""Virtual network peerings: stored form, PUT parsing and wire rendering.

What a peering reports about address spaces is derived (see :mod:`pulumi_azure_peering.emulator.rules`) and handed to
:meth:`Peering.to_wire` as a :class:`PeeringView`; the stored form only keeps what the service remembers: the
flags, the subnet/prefix selection, the state, and the address spaces as of the last sync.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .. import errors, ids
from .common import (
    SUCCEEDED,
    address_space,
    as_object,
    new_etag,
    opt_bool,
    opt_id,
    opt_str_list,
)
from .rendering import Rendering

INITIATED = "Initiated"
CONNECTED = "Connected"
DISCONNECTED = "Disconnected"

FULLY_IN_SYNC = "FullyInSync"
LOCAL_NOT_IN_SYNC = "LocalNotInSync"
REMOTE_NOT_IN_SYNC = "RemoteNotInSync"
LOCAL_AND_REMOTE_NOT_IN_SYNC = "LocalAndRemoteNotInSync"

#: The newest api-version of the recordings that show the sparser body (Azure CLI test_network_vnet_peering*,
#: Azure PowerShell TestSubnetPeeringCRUD): up to it, a whole-vnet peering comes without enableOnlyIPv6Peering,
#: localAddressSpace and localVirtualNetworkAddressSpace (seen at 2023-11-01) and a subnet peering without
#: enableOnlyIPv6Peering (seen at 2024-05-01). Newer api-versions were not recorded: they get the Swagger's set.
LAST_RECORDED_SPARSE_API_VERSION = "2024-05-01"


@dataclass
class Peering:
    id: str
    name: str
    vnet_id: str
    remote_vnet_id: str
    allow_virtual_network_access: bool = True
    allow_forwarded_traffic: bool = False
    allow_gateway_transit: bool = False
    use_remote_gateways: bool = False
    do_not_verify_remote_gateways: bool = False
    peer_complete_vnets: bool = True
    enable_only_ipv6: bool = False
    local_subnet_names: list[str] | None = None
    remote_subnet_names: list[str] | None = None
    # Prefix peering (peerCompleteVnets=false with localAddressSpace/remoteAddressSpace instead of subnet names).
    local_prefixes: list[str] | None = None
    remote_prefixes: list[str] | None = None
    peering_state: str = INITIATED
    provisioning_state: str = SUCCEEDED
    etag: str = field(default_factory=new_etag)
    resource_guid: str = field(default_factory=ids.new_guid)
    # Address spaces as of the last sync: what is really peered (remoteAddressSpace) and what the remote side
    # was told about the local vnet when no reverse peering exists yet.
    remote_synced: list[str] = field(default_factory=list)
    local_synced: list[str] = field(default_factory=list)
    # The remote vnet's peered prefixes when last seen, kept for when the remote vnet is deleted.
    remote_last_known: list[str] = field(default_factory=list)

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Peering:
        data: dict[str, Any] = {k: list(v) if isinstance(v, list) else v for k, v in doc.items()}
        data.pop("creating", None)  # kept by data dirs of earlier versions; no longer used
        return cls(**data)

    @property
    def is_subnet_peering(self) -> bool:
        return not self.peer_complete_vnets

    def to_wire(self, view: PeeringView, rendering: Rendering | None = None) -> dict[str, Any]:
        """The ARM body, in the property order real Azure uses; optional properties that do not apply are left out
        (see :data:`LAST_RECORDED_SPARSE_API_VERSION` and :class:`~emulator.models.rendering.Rendering`)."""
        rendering = rendering or Rendering()
        recorded_sparse = rendering.at_most(LAST_RECORDED_SPARSE_API_VERSION)
        show_ipv6_flag = not rendering.sparse and (self.enable_only_ipv6 or not recorded_sparse)
        show_local_spaces = not rendering.sparse and (self.is_subnet_peering or not recorded_sparse)
        props: dict[str, Any] = {
            "provisioningState": view.provisioning_state,
            "resourceGuid": self.resource_guid,
            "peeringState": self.peering_state,
            "peeringSyncLevel": view.sync_level,
            "remoteVirtualNetwork": {"id": self.remote_vnet_id},
            "allowVirtualNetworkAccess": self.allow_virtual_network_access,
            "allowForwardedTraffic": self.allow_forwarded_traffic,
            "allowGatewayTransit": self.allow_gateway_transit,
            "useRemoteGateways": self.use_remote_gateways,
            "doNotVerifyRemoteGateways": self.do_not_verify_remote_gateways,
            "peerCompleteVnets": self.peer_complete_vnets,
        }
        if show_ipv6_flag:
            props["enableOnlyIPv6Peering"] = self.enable_only_ipv6
        if self.is_subnet_peering:
            if self.local_subnet_names is not None:
                props["localSubnetNames"] = list(self.local_subnet_names)
            if self.remote_subnet_names is not None:
                props["remoteSubnetNames"] = list(self.remote_subnet_names)
        if self.use_remote_gateways and view.remote_gateways:
            props["remoteGateways"] = [{"id": g} for g in view.remote_gateways]
        if show_local_spaces:
            props["localAddressSpace"] = address_space(view.local_peered)
            props["localVirtualNetworkAddressSpace"] = address_space(view.local_current)
        props["remoteAddressSpace"] = address_space(self.remote_synced)
        props["remoteVirtualNetworkAddressSpace"] = address_space(view.remote_current)
        if view.remote_bgp_communities is not None and not rendering.sparse:
            props["remoteBgpCommunities"] = dict(view.remote_bgp_communities)
        if view.remote_encryption is not None and not rendering.sparse:
            props["remoteVirtualNetworkEncryption"] = dict(view.remote_encryption)
        props["routeServiceVips"] = {}  # on every real body, not in the Swagger
        return {
            "name": self.name,
            "id": self.id,
            "etag": self.etag,
            "properties": props,
            "type": ids.PEERING_TYPE,
        }


@dataclass
class PeeringView:
    """Values a peering reports that depend on the vnets at both ends (computed per read)."""

    provisioning_state: str
    sync_level: str
    local_current: list[str]
    local_peered: list[str]
    remote_current: list[str]
    remote_bgp_communities: dict[str, str] | None
    remote_encryption: dict[str, Any] | None
    remote_gateways: list[str]


@dataclass
class PeeringRequest:
    """The caller-writable part of a peering PUT; None means "not in the body"."""

    remote_vnet_id: str | None
    allow_virtual_network_access: bool
    allow_forwarded_traffic: bool
    allow_gateway_transit: bool
    use_remote_gateways: bool
    do_not_verify_remote_gateways: bool
    peer_complete_vnets: bool
    enable_only_ipv6: bool
    local_subnet_names: list[str] | None
    remote_subnet_names: list[str] | None
    local_prefixes: list[str] | None
    remote_prefixes: list[str] | None


def parse_put(body: dict[str, Any]) -> PeeringRequest:
    """Read the writable properties; read-only ones echoed back by clients are ignored."""
    props = as_object(body.get("properties"), "properties")
    path = "properties"

    def flag(name: str, default: bool) -> bool:
        value = opt_bool(props, name, path)
        return default if value is None else value

    def prefixes(name: str) -> list[str] | None:
        space = props.get(name)
        if space is None:
            return None
        return opt_str_list(as_object(space, f"{path}.{name}"), "addressPrefixes", f"{path}.{name}")

    remote = opt_id(props, "remoteVirtualNetwork", path)
    local_names = opt_str_list(props, "localSubnetNames", path)
    remote_names = opt_str_list(props, "remoteSubnetNames", path)
    for names, side in ((local_names, "localSubnetNames"), (remote_names, "remoteSubnetNames")):
        if names is not None and len(names) > 200:
            raise errors.invalid_request_format(f"{path}.{side}", "At most 200 subnets can be peered per side.")
    return PeeringRequest(
        remote_vnet_id=remote,
        allow_virtual_network_access=flag("allowVirtualNetworkAccess", True),
        allow_forwarded_traffic=flag("allowForwardedTraffic", False),
        allow_gateway_transit=flag("allowGatewayTransit", False),
        use_remote_gateways=flag("useRemoteGateways", False),
        do_not_verify_remote_gateways=flag("doNotVerifyRemoteGateways", False),
        peer_complete_vnets=flag("peerCompleteVnets", True),
        enable_only_ipv6=flag("enableOnlyIPv6Peering", False),
        local_subnet_names=local_names,
        remote_subnet_names=remote_names,
        local_prefixes=prefixes("localAddressSpace"),
        remote_prefixes=prefixes("remoteAddressSpace"),
    )
