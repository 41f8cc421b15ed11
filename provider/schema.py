"""The peering's schema: every field of a ``VirtualNetworkPeering``, once.

Each :class:`PeeringField` says what a field is (input, output, or both), its type, where ARM holds it, the
default filled in when a program leaves it out, and what a change of it does (replace the peering, a PUT in place,
only the state). The tuples the provider compares by, the defaults ``check`` fills in, the inputs it accepts, the
outputs it returns, the plugin's package schema and the API reference's line per field (:func:`field_facts`,
``make docs``) are all derived from :data:`FIELDS`.

The typed public classes (``VirtualNetworkPeeringArgs``, ``PeeringOutputs``, ``PeeringSpec``) name the same fields
for type checkers and editors, and carry the fields' documentation where editors read it; a unit test holds them
to this table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Literal, cast

import pulumi

__all__ = [
    "ALWAYS_OUTPUTS",
    "BOOL_DEFAULTS",
    "BY_NAME",
    "CHANGE_EFFECTS",
    "CHANGE_LABELS",
    "CREATE_TIME_FIELDS",
    "DEFAULT_TIMEOUT_SECONDS",
    "FIELDS",
    "FLAG_FIELDS",
    "INPUTS",
    "INPUT_DEFAULTS",
    "LIST_FIELDS",
    "LOCAL_FIELDS",
    "NETWORK_API_VERSION",
    "OUTPUT_ONLY",
    "OUT_OF_SYNC_LEVELS",
    "PEERING_TYPE",
    "REPLACE_FIELDS",
    "REQUIRED_INPUTS",
    "SYNC_FIELDS",
    "SYNC_POLICIES",
    "TIMEOUT_OPERATIONS",
    "Change",
    "PeeringField",
    "PeeringState",
    "PeeringSyncLevel",
    "PeeringTimeouts",
    "Role",
    "default_words",
    "field_facts",
    "fields_table",
]

NETWORK_API_VERSION: Final = "2025-05-01"
"""The api-version of every network call: the version of the API whose peering this schema describes."""
PEERING_TYPE: Final = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
"""ARM's resource type of a peering."""
DEFAULT_TIMEOUT_SECONDS: Final = 1800.0
"""Each of create, update and delete, unless the resource's ``timeouts`` says otherwise."""
TIMEOUT_OPERATIONS: Final = ("create", "update", "delete")
SYNC_POLICIES: Final = ("auto", "always", "never")
"""``sync_remote_address_space``: when a write asks ARM to sync the remote vnet's address space."""


@dataclass(frozen=True)
class PeeringTimeouts:
    """Per-resource timeouts, in seconds (Pulumi's ``custom_timeouts`` never reach a dynamic provider)."""

    create: pulumi.Input[float] | None = None
    """How long creating (PUT and wait, including retries) may take. Default 1800."""
    update: pulumi.Input[float] | None = None
    """How long an update may take. Default 1800."""
    delete: pulumi.Input[float] | None = None
    """How long deleting may take. Default 1800."""

    def as_dict(self) -> dict[str, Any]:
        """Only the operations that are set, e.g. ``{"create": 600}`` (the resource's ``timeouts`` input)."""
        return {op: value for op in TIMEOUT_OPERATIONS if (value := getattr(self, op)) is not None}

    def seconds(self, operation: str) -> float:
        """How long ``operation`` may take: the value set (plain: a checked input), else the default."""
        value = getattr(self, operation)
        return DEFAULT_TIMEOUT_SECONDS if value is None else float(cast(float, value))


# What ARM reports in the read-only outputs ``peering_state`` and ``peering_sync_level``.
# Here, with no pydantic, because the diff of every no-change preview compares them (provider/lazy_exports.py).


class PeeringState(StrEnum):
    INITIATED = "Initiated"
    CONNECTED = "Connected"
    DISCONNECTED = "Disconnected"


class PeeringSyncLevel(StrEnum):
    FULLY_IN_SYNC = "FullyInSync"
    REMOTE_NOT_IN_SYNC = "RemoteNotInSync"
    LOCAL_NOT_IN_SYNC = "LocalNotInSync"
    LOCAL_AND_REMOTE_NOT_IN_SYNC = "LocalAndRemoteNotInSync"


OUT_OF_SYNC_LEVELS = frozenset(
    {
        PeeringSyncLevel.REMOTE_NOT_IN_SYNC.value,
        PeeringSyncLevel.LOCAL_NOT_IN_SYNC.value,
        PeeringSyncLevel.LOCAL_AND_REMOTE_NOT_IN_SYNC.value,
    }
)


class Role(StrEnum):
    """Whether a program sets the field, ARM reports it, or both (an input is an output too: the state keeps it)."""

    INPUT = "input"
    OUTPUT = "output"


class Change(StrEnum):
    """What a change of an input does."""

    REPLACE = "replace"
    """A different peering: replaced."""
    FLAG = "flag"
    """A property ARM holds, written in place by a PUT."""
    LIST = "list"
    """A list ARM holds, written in place; compared as a set, and only when the program sets it."""
    LOCAL = "local"
    """Ours alone: a change updates the state, never ARM."""
    SYNC = "sync"
    """Never sent to ARM, but compared with what ARM reported (a resized remote vnet)."""
    NONE = "none"
    """An output only."""


Kind = Literal["bool", "str", "strings", "timeouts", "object"]


@dataclass(frozen=True)
class PeeringField:
    """One field of the peering, in the state's (and the dynamic resource's) snake_case name."""

    name: str
    kind: Kind
    role: Role
    change: Change
    default: Any = None
    """What ``check`` fills in when the program leaves the input out (None: nothing)."""
    required: bool = False
    """A required input (``name`` is required too, but defaults to the resource's name before ``check``)."""
    always: bool = False
    """An output that every peering has (the identity, and the states ARM always reports)."""
    arm_name: str | None = None
    """The property's name on ARM's wire, where it is not the camelCase of :attr:`name`."""
    package_name: str | None = None
    """The property's name in the ``azure-peering`` package, where it is not the camelCase of :attr:`name`."""
    arm_path: str | None = None
    """Where ARM holds the field in a peering's JSON, where it is not ``properties.<wire name>`` (a JSON path, or
    words where it is no property)."""
    default_doc: str | None = None
    """The default in words, where it is not a value of the table (the resource's name, the config's tenants)."""

    @property
    def arm_property(self) -> str | None:
        """Where ARM holds the field in a peering's JSON (``properties.allowGatewayTransit``): for a
        :attr:`Change.SYNC` field, the property it is compared with; None for a field ARM never sees."""
        if self.arm_path is not None:
            return self.arm_path
        if self.change is Change.LOCAL:
            return None
        return f"properties.{self.arm_name or _camel(self.name)}"


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _input(name: str, kind: Kind, change: Change, default: Any = None, **names: Any) -> PeeringField:
    return PeeringField(name, kind, Role.INPUT, change, default, **names)


def _output(name: str, kind: Kind, *, always: bool = False, arm_path: str | None = None) -> PeeringField:
    return PeeringField(name, kind, Role.OUTPUT, Change.NONE, always=always, arm_path=arm_path)


_PREFIXES = ".addressPrefixes"  # an AddressSpace object's list


FIELDS: Final[tuple[PeeringField, ...]] = (
    _input(
        "virtual_network_id",
        "str",
        Change.REPLACE,
        required=True,
        arm_path="the vnet in the peering's ``id``, ``.../virtualNetworks/{vnet}/virtualNetworkPeerings/{name}``",
    ),
    _input("name", "str", Change.REPLACE, arm_path="name", default_doc="the resource's name"),
    _input(
        "remote_virtual_network_id", "str", Change.REPLACE, required=True, arm_path="properties.remoteVirtualNetwork.id"
    ),
    _input("allow_virtual_network_access", "bool", Change.FLAG, True),
    _input("allow_forwarded_traffic", "bool", Change.FLAG, False),
    _input("allow_gateway_transit", "bool", Change.FLAG, False),
    _input("use_remote_gateways", "bool", Change.FLAG, False),
    _input("do_not_verify_remote_gateways", "bool", Change.FLAG, False),
    _input("peer_complete_vnets", "bool", Change.REPLACE, True),  # ARM ignores an in-place change of link kind
    _input("local_subnet_names", "strings", Change.LIST),
    _input("remote_subnet_names", "strings", Change.LIST),
    _input(
        "enable_only_ipv6_peering",
        "bool",
        Change.FLAG,
        False,
        arm_name="enableOnlyIPv6Peering",
        package_name="enableOnlyIpv6Peering",  # the package's names are camelCase words: IPv6 is one
    ),
    _input("local_address_space", "strings", Change.LIST, arm_path="properties.localAddressSpace" + _PREFIXES),
    _input("remote_address_space", "strings", Change.LIST, arm_path="properties.remoteAddressSpace" + _PREFIXES),
    _input("adopt_existing", "bool", Change.LOCAL, False),
    # filled in per operation: DEFAULT_TIMEOUT_SECONDS
    _input("timeouts", "timeouts", Change.LOCAL, default_doc=f"{DEFAULT_TIMEOUT_SECONDS:g} s for each operation"),
    _input("sync_remote_address_space", "str", Change.LOCAL, "auto"),
    _input(
        "auxiliary_tenant_ids",
        "strings",
        Change.LOCAL,
        default_doc="the stack config ``azure-peering:auxiliaryTenantIds``",
    ),
    _input("preflight", "bool", Change.LOCAL, True),
    _input(
        "remote_vnet_address_space",
        "strings",
        Change.SYNC,
        arm_path="properties.remoteVirtualNetworkAddressSpace" + _PREFIXES,
    ),
    _output("peering_id", "str", always=True, arm_path="id"),
    _output("type", "str", arm_path="type"),
    _output("etag", "str", arm_path="etag"),
    _output("peering_state", "str", always=True),
    _output("peering_sync_level", "str", always=True),
    _output("provisioning_state", "str", always=True),
    _output("resource_guid", "str"),
    _output(
        "local_virtual_network_address_space",
        "strings",
        arm_path="properties.localVirtualNetworkAddressSpace" + _PREFIXES,
    ),
    _output(
        "remote_virtual_network_address_space",
        "strings",
        arm_path="properties.remoteVirtualNetworkAddressSpace" + _PREFIXES,
    ),
    _output("remote_bgp_communities", "object"),
    _output("remote_virtual_network_encryption", "object"),
    _output("remote_gateways", "strings", arm_path="properties.remoteGateways[].id"),
)

BY_NAME: Final[Mapping[str, PeeringField]] = {f.name: f for f in FIELDS}


def _named(change: Change) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS if f.change is change)


INPUTS: Final = tuple(f.name for f in FIELDS if f.role is Role.INPUT)
"""Every input a peering accepts."""
REQUIRED_INPUTS: Final = tuple(f.name for f in FIELDS if f.required)
OUTPUT_ONLY: Final = tuple(f.name for f in FIELDS if f.role is Role.OUTPUT)
"""What ARM reports besides the inputs (every input is an output too)."""
ALWAYS_OUTPUTS: Final = (*REQUIRED_INPUTS, "name", *(f.name for f in FIELDS if f.always))
"""The outputs every peering has: its identity (the name defaults to the resource's) and ARM's states."""

REPLACE_FIELDS: Final = _named(Change.REPLACE)
"""Changing any of these means a different peering: replace."""
FLAG_FIELDS: Final = _named(Change.FLAG)
"""Written to ARM and changed in place by a PUT."""
LIST_FIELDS: Final = _named(Change.LIST)
"""Compared as sets, and only when the program sets them (ARM reports its own values otherwise)."""
LOCAL_FIELDS: Final = _named(Change.LOCAL)
"""Ours alone: a change updates the state, never ARM."""
CREATE_TIME_FIELDS: Final = ("adopt_existing", "preflight")
"""The :data:`LOCAL_FIELDS` that only check and create read, from the inputs: a change of one alone needs no update
(the state records it at the next write), and the import of a peering as declared is followed by none."""
SYNC_FIELDS: Final = _named(Change.SYNC)
"""Never sent to ARM either, but compared with what ARM reported (a resized remote vnet)."""

INPUT_DEFAULTS: Final[Mapping[str, Any]] = {f.name: f.default for f in FIELDS if f.default is not None}
"""The value ``check`` fills in for an input the program leaves out (Azure's default for ARM's properties)."""
BOOL_DEFAULTS: Final[Mapping[str, bool]] = {f.name: f.default for f in FIELDS if f.kind == "bool"}


CHANGE_EFFECTS: Final[Mapping[Change, str]] = {
    Change.REPLACE: "replaces the peering (the old one is deleted first)",
    Change.FLAG: "updates the peering in place (a PUT)",
    Change.LIST: "updates the peering in place (a PUT); compared as a set, and only when the program sets it",
    Change.LOCAL: "updates only the state; ARM is not written (adopt_existing and preflight, read only by check and "
    "create, need no update: the state records them at the next write)",
    Change.SYNC: "syncs the pair in place (a PUT with syncRemoteAddressSpace=true) when it differs from what ARM "
    "last reported",
}
"""What a change of an input of each kind does, in the API reference's words."""
CHANGE_LABELS: Final[Mapping[Change, str]] = {
    Change.REPLACE: "replace",
    Change.FLAG: "update in place",
    Change.LIST: "update in place (as a set)",
    Change.LOCAL: "state only",
    Change.SYNC: "sync in place",
}
"""The same in a word or two, for the reference's table of every field."""


def _code(path: str) -> str:
    return path if " " in path else f"``{path}``"


def default_words(field: PeeringField) -> str:
    """An input's default as the API reference says it: ``required``, a value (``false``), or words."""
    if field.required:
        return "required"
    if field.default_doc is not None:
        return field.default_doc
    return "not set" if field.default is None else f"``{json.dumps(field.default)}``"


def field_facts(name: str) -> str:
    """One field's facts from :data:`FIELDS`, as the API reference prints them under the field's own docstring:
    where ARM holds it, its default and what a change of it does (``make docs``: docs/hooks/griffe_facts.py).

    ``field_facts("allow_gateway_transit")`` is ``ARM: ``properties.allowGatewayTransit``. Default: ``false``.
    A change updates the peering in place (a PUT).``"""
    field = BY_NAME[name]
    where = field.arm_property
    if field.role is Role.OUTPUT:
        return f"ARM: {_code(str(where))} (read-only)."
    if where is None:
        lines = ["Never sent to ARM."]
    elif field.change is Change.SYNC:
        lines = [f"Never sent to ARM; compared with {_code(where)}."]
    else:
        lines = [f"ARM: {_code(where)}."]
    lines.append("Required." if field.required else f"Default: {default_words(field)}.")
    lines.append(f"A change {CHANGE_EFFECTS[field.change]}.")
    return " ".join(lines)


def fields_table() -> str:
    """Every field in one Markdown table (field, ARM property, default, what a change does): the API reference's
    summary of :data:`FIELDS` (``make docs``)."""
    rows = ["| field | ARM | default | a change |", "|---|---|---|---|"]
    for field in FIELDS:
        where = field.arm_property
        arm = "never sent" if where is None else _code(where)
        if field.change is Change.SYNC:
            arm = f"never sent; compared with {arm}"
        if field.role is Role.OUTPUT:
            rows.append(f"| ``{field.name}`` | {arm} | read-only | - |")
        else:
            rows.append(f"| ``{field.name}`` | {arm} | {default_words(field)} | {CHANGE_LABELS[field.change]} |")
    return "\n".join(rows)
