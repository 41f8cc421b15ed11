"""Pydantic models of a virtual network peering on the wire (ARM api-version 2025-05-01).

Python attributes are snake_case; the wire (JSON) names are camelCase aliases. Writable properties carry Azure's
defaults; read-only properties are optional and filled only from ARM's answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import core_schema

from . import ids
from .ids import parent_vnet_id, peering_id_for
from .schema import (
    BY_NAME,
    FLAG_FIELDS,
    INPUT_DEFAULTS,
    LOCAL_FIELDS,
    PEERING_TYPE,
    SYNC_FIELDS,
    TIMEOUT_OPERATIONS,
    PeeringTimeouts,
)


def _default(name: str) -> Any:
    """Our default of an input, which is Azure's for the properties ARM holds (provider/schema.py)."""
    return INPUT_DEFAULTS[name]


def _wire_name(name: str) -> str:
    """ARM's name of a property: its camelCase, unless the schema says ARM spells it otherwise."""
    field = BY_NAME.get(name)
    return field.arm_name if field is not None and field.arm_name else to_camel(name)


class WireModel(BaseModel):
    """camelCase on the wire, snake_case in Python; unknown wire fields are kept out of our way."""

    model_config = ConfigDict(alias_generator=_wire_name, populate_by_name=True, extra="ignore", defer_build=True)

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class SubResource(WireModel):
    id: str


class AddressSpace(WireModel):
    address_prefixes: list[str] = Field(default_factory=list)


class BgpCommunities(WireModel):
    virtual_network_community: str | None = None
    regional_community: str | None = None


class VirtualNetworkEncryption(WireModel):
    enabled: bool = False
    enforcement: str | None = None


class PeeringWriteProperties(WireModel):
    """The properties a caller writes, with the defaults Azure applies when they are left out."""

    allow_virtual_network_access: bool = _default("allow_virtual_network_access")
    allow_forwarded_traffic: bool = _default("allow_forwarded_traffic")
    allow_gateway_transit: bool = _default("allow_gateway_transit")
    use_remote_gateways: bool = _default("use_remote_gateways")
    do_not_verify_remote_gateways: bool = _default("do_not_verify_remote_gateways")
    remote_virtual_network: SubResource | None = None
    peer_complete_vnets: bool = _default("peer_complete_vnets")
    local_subnet_names: list[str] | None = None
    remote_subnet_names: list[str] | None = None
    enable_only_ipv6_peering: bool = _default("enable_only_ipv6_peering")
    local_address_space: AddressSpace | None = None
    remote_address_space: AddressSpace | None = None


class PeeringProperties(PeeringWriteProperties):
    """Everything ARM reports for a peering: the writable properties plus the read-only ones."""

    peering_state: str | None = None
    peering_sync_level: str | None = None
    provisioning_state: str | None = None
    resource_guid: str | None = None
    local_virtual_network_address_space: AddressSpace | None = None
    remote_virtual_network_address_space: AddressSpace | None = None
    remote_bgp_communities: BgpCommunities | None = None
    remote_virtual_network_encryption: VirtualNetworkEncryption | None = None
    remote_gateways: list[SubResource] | None = None


class VirtualNetworkPeeringResource(WireModel):
    """A peering as ARM returns it from GET/PUT."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    etag: str | None = None
    properties: PeeringProperties = Field(default_factory=PeeringProperties)


class PeeringPutBody(WireModel):
    """The body of a CreateOrUpdate request: only writable properties are sent."""

    properties: PeeringWriteProperties


class CloudErrorBody(WireModel):
    code: str | None = None
    message: str | None = None
    target: str | None = None
    details: list[dict[str, Any]] | None = None


class AsyncOperationStatus(WireModel):
    """The body of an Azure-AsyncOperation poll."""

    status: str = "InProgress"
    error: CloudErrorBody | None = None


LRO_SUCCEEDED = "Succeeded"
LRO_TERMINAL_FAILURES = frozenset({"Failed", "Canceled", "Cancelled"})


SyncPolicy = Literal["auto", "always", "never"]


def _timeouts(value: Any) -> PeeringTimeouts:
    """The spec's timeouts from a checked input (an object of seconds; ``check`` refused anything else)."""
    if isinstance(value, PeeringTimeouts):
        return value
    if value is None:
        return PeeringTimeouts()
    if not isinstance(value, dict) or set(value) - set(TIMEOUT_OPERATIONS):
        raise ValueError(f"timeouts must be an object with {', '.join(TIMEOUT_OPERATIONS)} seconds")
    return PeeringTimeouts(**value)


class _CheckedTimeouts:
    """How a spec holds its timeouts: a :class:`PeeringTimeouts` built from the checked input, dumped as seconds
    per operation (defaults filled in). The dataclass's own fields (``pulumi.Input``) are not pydantic's to read."""

    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any, _handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _timeouts,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda timeouts: {op: timeouts.seconds(op) for op in TIMEOUT_OPERATIONS}
            ),
        )


class PeeringSpec(BaseModel):
    """The desired peering, as validated from the resource's inputs (all values known). Its fields are the inputs
    of :mod:`.schema`, with the same defaults."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    virtual_network_id: str
    name: str
    remote_virtual_network_id: str
    allow_virtual_network_access: bool = _default("allow_virtual_network_access")
    allow_forwarded_traffic: bool = _default("allow_forwarded_traffic")
    allow_gateway_transit: bool = _default("allow_gateway_transit")
    use_remote_gateways: bool = _default("use_remote_gateways")
    do_not_verify_remote_gateways: bool = _default("do_not_verify_remote_gateways")
    peer_complete_vnets: bool = _default("peer_complete_vnets")
    local_subnet_names: list[str] | None = None
    remote_subnet_names: list[str] | None = None
    enable_only_ipv6_peering: bool = _default("enable_only_ipv6_peering")
    local_address_space: list[str] | None = None
    remote_address_space: list[str] | None = None
    adopt_existing: bool = _default("adopt_existing")
    timeouts: Annotated[PeeringTimeouts, _CheckedTimeouts] = Field(default_factory=PeeringTimeouts)
    sync_remote_address_space: SyncPolicy = _default("sync_remote_address_space")
    auxiliary_tenant_ids: list[str] | None = None
    preflight: bool = _default("preflight")
    remote_vnet_address_space: list[str] | None = None

    @classmethod
    def from_checked(cls, inputs: Mapping[str, Any]) -> PeeringSpec:
        """The spec of inputs that :func:`~provider.validation.validate_inputs` accepted (every value known, the
        defaults filled in), built as they are: they are not validated a second time."""
        values = {name: inputs[name] for name in cls.model_fields if inputs.get(name) is not None}
        values["timeouts"] = _timeouts(values.get("timeouts"))
        return cls.model_construct(**values)

    @field_validator("virtual_network_id", "remote_virtual_network_id")
    @classmethod
    def _a_vnet_id(cls, value: str) -> str:
        # a spec never names anything but a virtual network (check says why in full; this guards other callers)
        ids.parse_vnet_id(value)
        return value

    @property
    def peering_id(self) -> str:
        return peering_id_for(self.virtual_network_id, self.name)

    def write_properties(self) -> PeeringWriteProperties:
        subnet_link = not self.peer_complete_vnets
        return PeeringWriteProperties.model_validate(
            dict(
                **{name: getattr(self, name) for name in (*FLAG_FIELDS, "peer_complete_vnets")},
                remote_virtual_network=SubResource(id=self.remote_virtual_network_id),
                local_subnet_names=list(self.local_subnet_names or []) if subnet_link else None,
                remote_subnet_names=list(self.remote_subnet_names or []) if subnet_link else None,
                local_address_space=(
                    AddressSpace(address_prefixes=list(self.local_address_space))
                    if subnet_link and self.local_address_space
                    else None
                ),
                remote_address_space=(
                    AddressSpace(address_prefixes=list(self.remote_address_space))
                    if subnet_link and self.remote_address_space
                    else None
                ),
            )
        )

    def put_body(self) -> dict[str, Any]:
        return PeeringPutBody(properties=self.write_properties()).to_wire()


def prefixes(space: AddressSpace | None) -> list[str] | None:
    return list(space.address_prefixes) if space is not None else None


def outputs_from(spec_inputs: dict[str, Any], live: VirtualNetworkPeeringResource) -> dict[str, Any]:
    """The resource's full outputs: the non-ARM inputs as given, the ARM properties as ARM reports them."""
    props = live.properties
    remote = props.remote_virtual_network.id if props.remote_virtual_network else None
    # inputs that ARM knows nothing about are carried over unchanged
    out: dict[str, Any] = {name: spec_inputs.get(name, INPUT_DEFAULTS.get(name)) for name in LOCAL_FIELDS + SYNC_FIELDS}
    out |= {
        # identity
        "virtual_network_id": spec_inputs.get("virtual_network_id") or (parent_vnet_id(live.id) if live.id else None),
        "name": live.name or spec_inputs.get("name"),
        "peering_id": live.id,
        "type": live.type or PEERING_TYPE,
        "etag": live.etag,
        # writable properties, as ARM has them
        "remote_virtual_network_id": remote or spec_inputs.get("remote_virtual_network_id"),
        **{name: getattr(props, name) for name in (*FLAG_FIELDS, "peer_complete_vnets")},
        "local_subnet_names": props.local_subnet_names,
        "remote_subnet_names": props.remote_subnet_names,
        # a prefix peering's localAddressSpace reads as what the reverse side peers of this vnet (see
        # diffing.PAIR_ECHOED_FIELDS), which the two sides' writes, in either order, leave differently for a while:
        # where this side declares it, its output is the declaration it wrote
        "local_address_space": (
            spec_inputs["local_address_space"]
            if spec_inputs.get("local_address_space") is not None
            else prefixes(props.local_address_space)
        ),
        "remote_address_space": prefixes(props.remote_address_space),
        # read-only
        "peering_state": props.peering_state,
        "peering_sync_level": props.peering_sync_level,
        "provisioning_state": props.provisioning_state,
        "resource_guid": props.resource_guid,
        "local_virtual_network_address_space": prefixes(props.local_virtual_network_address_space),
        "remote_virtual_network_address_space": prefixes(props.remote_virtual_network_address_space),
        "remote_bgp_communities": (props.remote_bgp_communities.model_dump() if props.remote_bgp_communities else None),
        "remote_virtual_network_encryption": (
            props.remote_virtual_network_encryption.model_dump() if props.remote_virtual_network_encryption else None
        ),
        "remote_gateways": [g.id for g in props.remote_gateways] if props.remote_gateways else None,
    }
    return out
