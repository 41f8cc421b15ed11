"""The schema's camelCase property names and the core's snake_case ones, both ways.

The core (``provider/``) keeps its inputs and outputs in snake_case, as the dynamic resource stores them; a Pulumi
package speaks camelCase. Keys the core keeps for itself (``__resource_name``, ``__wait_for``, ...) pass unchanged.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from pulumi_azure_peering.provider.schema import FIELDS

# Nested objects whose keys are names too (``timeouts`` has create/update/delete: the same in both cases).
_NESTED = frozenset({"timeouts"})
_SPECIAL_TO_CAMEL = {f.name: f.package_name for f in FIELDS if f.package_name}
_SPECIAL_TO_SNAKE = {v: k for k, v in _SPECIAL_TO_CAMEL.items()}
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")

# Both conversions are remembered per name: every Check and Diff converts each of a peering's ~30 keys, the same few
# dozen names on every call (a no-change preview of 400 peerings made 64,800 regex substitutions for ~40 names).
# Bounded, since the keys of a request are whatever a program sent.
_NAME_CACHE_SIZE = 1024


@functools.lru_cache(maxsize=_NAME_CACHE_SIZE)
def camel(name: str) -> str:
    """``remote_virtual_network_id`` -> ``remoteVirtualNetworkId``; internal ``__`` keys unchanged."""
    if name.startswith("__") or "_" not in name:
        return name
    if name in _SPECIAL_TO_CAMEL:
        return _SPECIAL_TO_CAMEL[name]
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@functools.lru_cache(maxsize=_NAME_CACHE_SIZE)
def snake(name: str) -> str:
    """``remoteVirtualNetworkId`` -> ``remote_virtual_network_id``; internal ``__`` keys unchanged."""
    if name.startswith("__"):
        return name
    if name in _SPECIAL_TO_SNAKE:
        return _SPECIAL_TO_SNAKE[name]
    return _CAMEL_HUMP.sub(lambda m: "_" + m.group(1).lower(), name)


def to_snake(props: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys to snake_case (values are the core's: lists of names, timeouts, ARM objects)."""
    return {snake(k): v for k, v in props.items()}


def to_camel(props: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys to camelCase."""
    return {camel(k): v for k, v in props.items()}
