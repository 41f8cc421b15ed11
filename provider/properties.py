"""A peering's properties as the engine stores them: the internal ``__`` keys, and the inputs and outputs in the
state's snake_case form (what ``check`` returns, what ``create``, ``update`` and ``read`` return)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .ids import peering_id_for, peering_words
from .validation import is_unknown

if TYPE_CHECKING:
    from . import models
    from .models import PeeringSpec, VirtualNetworkPeeringResource
else:  # imported when a write or a read first needs them (provider/lazy_exports.py)
    from .lazy_exports import models

# Internal inputs (``__`` keys are not the peering's: check drops them, so they are neither stored nor compared).
# See ``VirtualNetworkPeering(wait_for=..., preflight_when_creating=..., preflight_after=...)``.
WAIT_FOR_KEY = "__wait_for"
PREFLIGHT_WHEN_CREATING_KEY = "__preflight_when_creating"
PREFLIGHT_AFTER_KEY = "__preflight_after"
# The resource's Pulumi name, kept in its checked inputs and its outputs (create sees only the former, delete only
# the latter): who a peering belongs to in this run is decided by it (provider/ownership.py).
RESOURCE_NAME_KEY = "__resource_name"
# When the check of a new peering (a create, or a replacement under another id) read the local vnet and found no
# peering of that name: the UTC time of that check. The engine keeps the checked inputs with a pending create in the
# checkpoint, so this is the shared evidence that a peering found there later was made by that create
# (provider/recovery.py, `azure-peering-recover`). Never set when the peering existed or could not be read.
ABSENT_WHEN_CHECKED_KEY = "__absent_when_checked"


def strip_internal(props: Mapping[str, Any]) -> dict[str, Any]:
    """The peering's own properties, without the internal ``__`` keys."""
    return {k: v for k, v in props.items() if not k.startswith("__")}


def resource_name_of(props: Mapping[str, Any]) -> str | None:
    """The Pulumi name of the resource these properties belong to (see RESOURCE_NAME_KEY), if they carry it."""
    name = props.get(RESOURCE_NAME_KEY)
    return name if isinstance(name, str) else None


def peering_id_of(props: Mapping[str, Any]) -> str | None:
    """The ARM id of the peering these properties describe, or None while it is not known."""
    vnet, name = props.get("virtual_network_id"), props.get("name")
    if not (isinstance(vnet, str) and isinstance(name, str)) or is_unknown(vnet) or is_unknown(name):
        return None
    try:
        return peering_id_for(vnet, name)
    except (KeyError, ValueError):
        return None


def spec_inputs(spec: PeeringSpec) -> dict[str, Any]:
    """A spec back in the state's snake_case input form."""
    return spec.model_dump()


def full_outputs(
    props: Mapping[str, Any], spec: PeeringSpec | None, live: VirtualNetworkPeeringResource
) -> dict[str, Any]:
    """A resource's full outputs: the inputs, ARM's answer, and the resource's name (its delete, which sees only
    the outputs, needs it to tell whether the peering is now another resource's of the run: ownership.py)."""
    inputs = strip_internal(props) | (spec_inputs(spec) if spec is not None else {})
    outputs = models.outputs_from(inputs, live)
    name = resource_name_of(props)
    if name is not None:
        outputs[RESOURCE_NAME_KEY] = name
    return outputs


def peering_label(props: Mapping[str, Any], peering_id: str | None = None) -> str:
    """The peering these properties describe, for the user (``peering 'hub-to-a' (vnet-hub -> vnet-a)``)."""
    name = props.get("name")
    vnet = props.get("virtual_network_id")
    if peering_id and not (isinstance(name, str) and isinstance(vnet, str)):
        return peering_words(peering_id)
    local_name = vnet.rstrip("/").split("/")[-1] if isinstance(vnet, str) else "?"
    remote = props.get("remote_virtual_network_id")
    remote_name = remote.rstrip("/").split("/")[-1] if isinstance(remote, str) else "?"
    return f"peering {name!r} ({local_name} -> {remote_name})"
