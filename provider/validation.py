"""Pure checks of a peering's inputs, producing failures named after the offending field.

Inputs may hold values that are not known yet during a preview (an id that another resource of the same program
will only have once it is created). A check that needs such a value is skipped; it runs again once it is known.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN as WIRE_UNKNOWN

from . import ids
from .ids import same_id
from .schema import BOOL_DEFAULTS, DEFAULT_TIMEOUT_SECONDS, INPUT_DEFAULTS, INPUTS, SYNC_POLICIES, TIMEOUT_OPERATIONS
from .settings import MAX_AUXILIARY_TENANTS

MAX_TIMEOUT_SECONDS = 24 * 3600.0

KNOWN_INPUTS = frozenset(INPUTS)


@dataclass(frozen=True)
class Failure:
    """A check failure on one input property."""

    property: str
    reason: str


def is_unknown(value: Any) -> bool:
    """Whether a value (or anything inside it) is not known yet.

    The dynamic-provider runtime hands ``check`` and ``diff`` such values as :class:`pulumi.output.Unknown`
    instances (it deserialises with ``keep_unknowns``); the wire form, the string :data:`WIRE_UNKNOWN`, is what a
    caller sees that reads properties without deserialising them (the engine's own checkpoint, for example).
    Both come from the runtime itself, never from a copy of its constant.
    """
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == WIRE_UNKNOWN
    if isinstance(value, list | tuple):
        return any(is_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    return False


def vnet_id_problem(value: Any) -> str | None:
    """Why ``value`` is not the ARM id of a virtual network, or None when it is one (the rules and the reason are
    those of :mod:`.ids`, which the hub-and-spoke planner applies too)."""
    if not isinstance(value, str):
        return f"must be the ARM id of a virtual network ({ids.VNET_ID_FORM}), not {type(value).__name__}"
    reason = ids.vnet_id_problem(value)
    if reason is None:
        return None
    return (
        f"{ids.quote_value(value)} is not an ARM resource id of a virtual network: {reason}. "
        "Fix: pass the vnet's id as ARM gives it (e.g. vnet.id)"
    )


def name_problem(value: Any, what: str) -> str | None:
    if not ids.is_valid_network_child_name(value):
        return (
            f"{ids.quote_value(value)} is not a valid {what} name: 1-80 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit and ending with a letter, digit or '_'"
        )
    return None


def cidr_problems(values: Any, field: str) -> list[Failure]:
    if not isinstance(values, list) or not values:
        return [Failure(field, "must be a non-empty list of CIDR prefixes")]
    failures: list[Failure] = []
    for value in values:
        if is_unknown(value):
            continue
        if not isinstance(value, str):
            failures.append(
                Failure(field, f"{ids.quote_value(value)} is not a CIDR prefix (text such as '10.1.0.0/16')")
            )
            continue
        try:
            ipaddress.ip_network(str(value), strict=True)
        except ValueError as exc:
            try:
                suggestion = ipaddress.ip_network(str(value), strict=False)
                failures.append(
                    Failure(field, f"{ids.quote_value(value)} has host bits set; did you mean {suggestion}?")
                )
            except ValueError:
                failures.append(
                    Failure(field, f"{ids.quote_value(value)} is not a CIDR prefix ({ids.quote_value(str(exc))})")
                )
    return failures


def subnet_list_problems(values: Any, field: str) -> list[Failure]:
    if not isinstance(values, list) or not values:
        return [
            Failure(
                field,
                "must list at least one subnet name (or give the matching *_address_space) when "
                "peer_complete_vnets is false",
            )
        ]
    failures: list[Failure] = []
    if len(values) > ids.MAX_SUBNET_NAMES_PER_SIDE:
        failures.append(
            Failure(field, f"lists {len(values)} subnets; ARM accepts at most {ids.MAX_SUBNET_NAMES_PER_SIDE}")
        )
    seen: set[str] = set()
    for value in values:
        if is_unknown(value):
            continue
        problem = name_problem(value, "subnet")
        if problem:
            failures.append(Failure(field, problem))
        elif value.lower() in seen:
            failures.append(Failure(field, f"subnet {value!r} is listed twice"))
        else:
            seen.add(value.lower())
    return failures


def timeout_problems(value: Any) -> list[Failure]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [Failure("timeouts", "must be an object with create/update/delete seconds")]
    failures: list[Failure] = []
    for key, seconds in value.items():
        if key not in TIMEOUT_OPERATIONS:
            failures.append(
                Failure("timeouts", f"unknown timeout {ids.quote_value(key)}; use create, update or delete")
            )
        elif is_unknown(seconds) or seconds is None:
            continue
        elif isinstance(seconds, bool) or not isinstance(seconds, int | float):
            failures.append(Failure("timeouts", f"{key} must be a number of seconds, not {ids.quote_value(seconds)}"))
        elif not 0 < float(seconds) <= MAX_TIMEOUT_SECONDS:
            failures.append(Failure("timeouts", f"{key} must be between 0 and {int(MAX_TIMEOUT_SECONDS)} seconds"))
    return failures


def normalise(news: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs with Azure's and our defaults filled in where a value is absent."""
    inputs = dict(news)
    for key, default in INPUT_DEFAULTS.items():
        if inputs.get(key) is None:
            inputs[key] = default
    timeouts = inputs.get("timeouts")
    if timeouts is None:
        timeouts = {}
    if isinstance(timeouts, dict):
        inputs["timeouts"] = {
            key: (timeouts.get(key) if timeouts.get(key) is not None else DEFAULT_TIMEOUT_SECONDS)
            for key in TIMEOUT_OPERATIONS
        } | {k: v for k, v in timeouts.items() if k not in TIMEOUT_OPERATIONS}
    return inputs


def validate_inputs(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalise a peering's inputs. Pure: no I/O. Unknown values skip the checks that need them."""
    inputs = normalise(news)
    failures: list[Failure] = []

    def known(key: str) -> bool:
        return not is_unknown(inputs.get(key))

    for key in sorted(set(inputs) - KNOWN_INPUTS):
        if not key.startswith("__") and inputs.get(key) is not None:
            failures.append(Failure(key, f"unknown input {ids.quote_value(key)}"))

    vnets = ("virtual_network_id", "remote_virtual_network_id")
    id_problems = {key: vnet_id_problem(inputs.get(key)) for key in vnets if known(key)}
    failures.extend(Failure(key, problem) for key, problem in id_problems.items() if problem)
    if known("name"):
        problem = name_problem(inputs.get("name"), "peering")
        if problem:
            failures.append(Failure("name", problem))

    for key in BOOL_DEFAULTS:
        if known(key) and not isinstance(inputs.get(key), bool):
            failures.append(Failure(key, f"must be true or false, not {ids.quote_value(inputs.get(key))}"))

    both_valid = len(id_problems) == len(vnets) and not any(id_problems.values())
    if both_valid and same_id(inputs["virtual_network_id"], inputs["remote_virtual_network_id"]):
        failures.append(Failure("remote_virtual_network_id", "a virtual network cannot be peered with itself"))

    if inputs.get("use_remote_gateways") is True and inputs.get("allow_gateway_transit") is True:
        failures.append(
            Failure(
                "use_remote_gateways",
                "use_remote_gateways and allow_gateway_transit cannot both be true on one peering: "
                "offer transit on the hub's peering and use it on the spoke's",
            )
        )
    subnet_fields = ("local_subnet_names", "remote_subnet_names", "local_address_space", "remote_address_space")
    if known("peer_complete_vnets"):
        complete = inputs.get("peer_complete_vnets")
        if complete is True:
            for key in subnet_fields:
                if known(key) and inputs.get(key) not in (None, []):
                    failures.append(Failure(key, "only allowed with peer_complete_vnets=false (subnet peering)"))
            if inputs.get("enable_only_ipv6_peering") is True:
                failures.append(
                    Failure("enable_only_ipv6_peering", "only allowed with peer_complete_vnets=false (subnet peering)")
                )
        elif complete is False:
            for key, space in (
                ("local_subnet_names", "local_address_space"),
                ("remote_subnet_names", "remote_address_space"),
            ):
                if not known(key):
                    continue
                if inputs.get(key) in (None, []) and inputs.get(space) not in (None, []):
                    continue  # prefix peering: chosen prefixes instead of subnets
                failures.extend(subnet_list_problems(inputs.get(key), key))
    for key in ("local_address_space", "remote_address_space"):
        if inputs.get(key) not in (None, []) and known(key) and inputs.get("peer_complete_vnets") is False:
            failures.extend(cidr_problems(inputs.get(key), key))

    remote_space = inputs.get("remote_vnet_address_space")
    if remote_space is not None and known("remote_vnet_address_space"):
        if inputs.get("peer_complete_vnets") is False:
            failures.append(
                Failure(
                    "remote_vnet_address_space",
                    "only for whole-vnet peerings (peer_complete_vnets=true): a subnet peering peers the subnets "
                    "named, not the remote vnet's address space",
                )
            )
        else:
            failures.extend(cidr_problems(remote_space, "remote_vnet_address_space"))
    if known("timeouts"):
        failures.extend(timeout_problems(inputs.get("timeouts")))
    if known("sync_remote_address_space") and inputs.get("sync_remote_address_space") not in SYNC_POLICIES:
        failures.append(Failure("sync_remote_address_space", f"must be one of {', '.join(SYNC_POLICIES)}"))

    aux = inputs.get("auxiliary_tenant_ids")
    if aux is not None and known("auxiliary_tenant_ids"):
        if not isinstance(aux, list):
            failures.append(Failure("auxiliary_tenant_ids", "must be a list of tenant ids"))
        else:
            if len(aux) > MAX_AUXILIARY_TENANTS:
                failures.append(
                    Failure("auxiliary_tenant_ids", f"ARM accepts at most {MAX_AUXILIARY_TENANTS} auxiliary tenants")
                )
            for tenant in aux:
                try:
                    uuid.UUID(str(tenant))
                except ValueError:
                    failures.append(
                        Failure("auxiliary_tenant_ids", f"{ids.quote_value(tenant)} is not a tenant id (a GUID)")
                    )

    for key in ("virtual_network_id", "name", "remote_virtual_network_id"):
        if inputs.get(key) is None:
            failures = [f for f in failures if f.property != key]
            failures.append(Failure(key, "is required"))
    return inputs, failures
