"""ARM ids and names: the one set of rules the provider's check and the hub-and-spoke planner both apply.

A virtual network id is ``/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/
Microsoft.Network/virtualNetworks/{virtualNetworkName}``, with (per ARM's naming rules for Microsoft.Network):

* the subscription a GUID in its 8-4-4-4-12 form, with dashes;
* the resource group 1-90 letters (any script), digits, ``_``, ``-``, ``.``, ``(`` and ``)``, not ending with ``.``;
* the vnet name 2-64 letters, digits, ``_``, ``.`` and ``-``, starting with a letter or digit and ending with a
  letter, digit or ``_``;
* the fixed segments (``subscriptions``, ``resourceGroups``, ``providers``, ``Microsoft.Network``,
  ``virtualNetworks``) in any case, as ARM compares them case-insensitively.

Anything else is refused with a reason before any request is made: whitespace or control characters anywhere, a
``?`` or ``#`` (which a URL would take as the start of its query or fragment), ``.`` or ``..`` segments, empty,
missing or extra segments, another provider or type. Peering and subnet names are 1-80 characters of the vnet
name's alphabet.

Messages quote a bad value through :func:`quote_value`, which shows at most :data:`MAX_QUOTED` characters of it.
Paths sent to ARM are built by :func:`quote_path`, which percent-encodes every segment, so that no value can carry
a query or a fragment into a URL.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from azure.mgmt.core.tools import parse_resource_id, resource_id

__all__ = [
    "MAX_NETWORK_CHILD_NAME",
    "MAX_QUOTED",
    "MAX_SUBNET_NAMES_PER_SIDE",
    "VNET_ID_FORM",
    "InvalidIdError",
    "VnetId",
    "is_guid",
    "is_valid_network_child_name",
    "is_valid_resource_group_name",
    "is_valid_vnet_name",
    "parent_vnet_id",
    "parse_vnet_id",
    "peering_id_for",
    "peering_words",
    "quote_path",
    "quote_value",
    "same_id",
    "subscription_and_group",
    "vnet_id",
    "vnet_id_problem",
    "vnet_key",
    "vnet_key_or_text",
    "vnet_name",
]

MAX_QUOTED: Final = 200
"""At most this many characters of a bad value appear in a message."""

MAX_SUBNET_NAMES_PER_SIDE: Final = 200
"""ARM accepts at most 200 ``localSubnetNames`` / ``remoteSubnetNames`` per peering."""

VNET_ID_FORM: Final = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/"
    "{virtualNetworkName}"
)

_GUID_RE: Final = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# \w: letters of any script, digits and '_' (ARM's own rule for group names is ^[-\w._()]+$, not ending in '.').
_RESOURCE_GROUP_RE: Final = re.compile(r"[-\w.()]{0,89}[-\w()]")
_VNET_NAME_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]")
MAX_NETWORK_CHILD_NAME: Final = 80
"""The longest peering or subnet name ARM accepts."""
_NETWORK_CHILD_NAME_RE: Final = re.compile(
    rf"[A-Za-z0-9](?:[A-Za-z0-9_.-]{{0,{MAX_NETWORK_CHILD_NAME - 2}}}[A-Za-z0-9_])?"
)
# How much of a segment a reason quotes (the whole value is quoted by the caller's message).
_PART_QUOTED: Final = 64

_GUID_RULE: Final = "8-4-4-4-12 hex digits with dashes, as in 00000000-0000-0000-0000-000000000000"
_GROUP_RULE: Final = "1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'"
_VNET_NAME_RULE: Final = (
    "2-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with a letter, digit or '_'"
)


def quote_value(value: object, limit: int = MAX_QUOTED) -> str:
    """``repr`` of at most ``limit`` characters of ``value`` (a string's escapes counted), then
    ``... (N characters)`` when it is longer: safe to put in a one-line message whatever the value holds."""
    if not isinstance(value, str):
        text = repr(value)
        return text if len(text) <= limit else f"{text[:limit]}... ({type(value).__name__}, {len(text)} characters)"
    shown = value[:limit]
    while len(repr(shown)) > limit + 2:  # escapes (\x00, \n) take up to 10 characters each
        shown = shown[: len(shown) * 3 // 4]
    if len(shown) == len(value):
        return repr(value)
    return f"{shown!r}... ({len(value)} characters)"


def is_guid(value: object) -> bool:
    """A subscription or tenant id in the 8-4-4-4-12 hex form, with dashes."""
    return isinstance(value, str) and _GUID_RE.fullmatch(value) is not None


def is_valid_resource_group_name(value: object) -> bool:
    return isinstance(value, str) and _RESOURCE_GROUP_RE.fullmatch(value) is not None


def is_valid_vnet_name(value: object) -> bool:
    return isinstance(value, str) and _VNET_NAME_RE.fullmatch(value) is not None


def is_valid_network_child_name(value: object) -> bool:
    """ARM's rule for peering and subnet names: 1-80 letters, digits, ``_``, ``.``, ``-``; starting with a letter
    or digit and ending with a letter, digit or ``_``."""
    return isinstance(value, str) and _NETWORK_CHILD_NAME_RE.fullmatch(value) is not None


class InvalidIdError(ValueError):
    """A value that is not a valid ARM id; ``str(exc)`` (and :attr:`reason`) says why, in words that fit after
    "... is invalid: " or "... is not ...: " and quote at most :data:`MAX_QUOTED` characters of any part."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def vnet_id(subscription_id: str, resource_group: str, name: str) -> str:
    """The id of virtual network ``name`` (fixed segments in ARM's casing; the parts as given, not checked)."""
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
        f"/providers/Microsoft.Network/virtualNetworks/{name}"
    )


@dataclass(frozen=True, order=True)
class VnetId:
    """A validated virtual network id, split into its parts: subscription in lower case, resource group and name
    as given."""

    subscription_id: str
    resource_group: str
    name: str

    @property
    def id(self) -> str:
        """The canonical id: fixed segments in ARM's casing."""
        return vnet_id(self.subscription_id, self.resource_group, self.name)

    @property
    def key(self) -> str:
        """Case-insensitive identity (ARM compares every segment of an id case-insensitively)."""
        return self.id.lower()

    @property
    def path(self) -> str:
        """The id as a URL path, every segment percent-encoded."""
        return quote_path(self.id)


# The parts of a vnet id by the number of '/' before them.
_SEGMENT_NAMES: Final = {2: "subscription id", 4: "resource group name", 8: "virtual network name"}


def _character_problem(raw: str) -> str | None:
    """Whitespace, control characters, and the characters a URL would cut an id at."""
    if " " in raw or not raw.isprintable():
        for i, ch in enumerate(raw):
            if ch.isspace() or not ch.isprintable():
                what = "whitespace" if ch.isspace() else "a control character"
                where = "at the start" if i == 0 else "at the end" if i == len(raw) - 1 else f"at position {i}"
                part = _SEGMENT_NAMES.get(raw.count("/", 0, i))
                if part and raw.startswith("/"):
                    where += f", in the {part}"
                return f"it contains {what} ({ch!r} {where}); an id has none: remove it"
    for ch, part in (("?", "query"), ("#", "fragment")):
        at = raw.find(ch)
        if at >= 0:
            return (
                f"it contains {ch!r}, which would start a URL {part}: remove {quote_value(raw[at:], _PART_QUOTED)} "
                "(an id carries no query or fragment)"
            )
    return None


def _parse(raw: str) -> VnetId:
    if not raw:
        raise InvalidIdError(f"it is empty (expected {VNET_ID_FORM})")
    problem = _character_problem(raw)
    if problem:
        raise InvalidIdError(problem)
    parts = raw.split("/")
    dots = next((p for p in parts if p in (".", "..")), None)
    if dots is not None:
        raise InvalidIdError(f"it has a {dots!r} segment; an id is not a file path: name the group and vnet directly")
    if parts[0] != "":
        raise InvalidIdError("it is not a well-formed ARM resource id: it must start with '/subscriptions/'")
    segments = parts[1:]
    if "" in segments:
        raise InvalidIdError(
            "it is not a well-formed ARM resource id: it has an empty segment ('//' or a trailing '/')"
        )
    fixed = [(0, "subscriptions"), (2, "resourcegroups"), (4, "providers")]
    if len(segments) < 8 or any(segments[i].lower() != word for i, word in fixed):
        raise InvalidIdError(f"it is not a well-formed ARM resource id (expected {VNET_ID_FORM})")
    kind = f"{segments[5]}/{segments[6]}"
    if kind.lower() != "microsoft.network/virtualnetworks":
        raise InvalidIdError(
            f"it is not a virtual network id: it names a {quote_value(kind, _PART_QUOTED)} "
            "(expected .../providers/Microsoft.Network/virtualNetworks/{virtualNetworkName})"
        )
    if len(segments) > 8:
        rest = "/" + "/".join(segments[8:])
        raise InvalidIdError(
            f"it is not a virtual network id: it goes on after the vnet name with {quote_value(rest, _PART_QUOTED)} "
            "(a subnet's or peering's id?); pass the virtual network's own id"
        )
    subscription, group, name = segments[1], segments[3], segments[7]
    if not is_guid(subscription):
        raise InvalidIdError(f"subscription {quote_value(subscription, _PART_QUOTED)} is not a GUID ({_GUID_RULE})")
    if not is_valid_resource_group_name(group):
        raise InvalidIdError(f"resource group name {quote_value(group, _PART_QUOTED)} is not valid ({_GROUP_RULE})")
    if not is_valid_vnet_name(name):
        raise InvalidIdError(f"virtual network name {quote_value(name, _PART_QUOTED)} is not valid ({_VNET_NAME_RULE})")
    return VnetId(subscription_id=subscription.lower(), resource_group=group, name=name)


@functools.lru_cache(maxsize=8192)
def _parse_cached(raw: str) -> VnetId:
    # Planning parses the ids of every existing peering of every vnet many times over; a bad id raises and is not
    # cached, which is rare.
    return _parse(raw)


def parse_vnet_id(raw: object) -> VnetId:
    """The parts of the virtual network id ``raw``; :class:`InvalidIdError` (a ``ValueError``) saying why not."""
    if not isinstance(raw, str):
        raise InvalidIdError(f"expected a string, got {type(raw).__name__}")
    return _parse_cached(raw)


def vnet_key(raw: object) -> str | None:
    """The case-insensitive identity of the virtual network id ``raw`` (:attr:`VnetId.key`), None when it is not
    one."""
    try:
        return parse_vnet_id(raw).key
    except InvalidIdError:
        return None


def vnet_key_or_text(raw: str) -> str:
    """:func:`vnet_key`, or ``raw`` lower-cased when it is not a vnet id: the key under which discover and the
    topology pictures group what ARM names (a remote that does not parse still pairs with itself)."""
    return vnet_key(raw) or raw.lower()


def vnet_id_problem(raw: object) -> str | None:
    """Why ``raw`` is not a virtual network id (the reason of :func:`parse_vnet_id`), or None when it is one."""
    try:
        parse_vnet_id(raw)
    except InvalidIdError as exc:
        return exc.reason
    return None


@functools.lru_cache(maxsize=4096)
def quote_path(path: str) -> str:
    """``path`` with every ``/``-separated segment percent-encoded (``quote(segment, safe="")``): a ``?``, ``#``,
    ``%`` or space in a segment stays part of that segment and never becomes a query, fragment or escape."""
    return "/".join(quote(segment, safe="") for segment in path.split("/"))


# --- Any ARM id, read as azure-mgmt-core reads it (ids ARM gives back, ids in a state) --------------------------


def same_id(a: str | None, b: str | None) -> bool:
    """ARM ids compare case-insensitively (ARM echoes them in canonical case)."""
    if a is None or b is None:
        return a is b
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def _top_level(resource: str) -> dict[str, str]:
    parts = parse_resource_id(resource)
    return {key: str(parts[key]) for key in ("subscription", "resource_group", "namespace", "type", "name")}


def peering_id_for(virtual_network_id: str, name: str) -> str:
    """The ARM id of peering ``name`` under the virtual network ``virtual_network_id``."""
    return str(resource_id(**_top_level(virtual_network_id), child_type_1="virtualNetworkPeerings", child_name_1=name))


def parent_vnet_id(peering_id: str) -> str:
    """The ARM id of the virtual network a peering id belongs to."""
    return str(resource_id(**_top_level(peering_id)))


def subscription_and_group(resource: str) -> tuple[str, str]:
    """The subscription and resource group an ARM id names, as written; ``KeyError``, ``ValueError`` or
    ``TypeError`` when it names none."""
    parts = parse_resource_id(resource)
    return str(parts["subscription"]), str(parts["resource_group"])


def vnet_name(vnet: str) -> str:
    """The virtual network's name in an id (of the vnet, or of something under it), for a message; the id's last
    segment when it is no ARM id."""
    try:
        return str(parse_resource_id(vnet)["name"])
    except (KeyError, ValueError):
        return vnet.rstrip("/").rsplit("/", 1)[-1]


def peering_words(peering_id: str) -> str:
    """A peering id for a message: ``peering 'p' of vnet 'v'`` (``peering <id>`` when it is no ARM id)."""
    try:
        parts = parse_resource_id(peering_id)
        return f"peering {parts.get('resource_name')!r} of vnet {parts.get('name')!r}"
    except (KeyError, ValueError):
        return f"peering {peering_id}"
