"""The ``azure-peering`` package schema, generated from the Python API's own types and docstrings.

Property names, which ones are inputs, and every description come from the dynamic resource's and the component's
classes (``VirtualNetworkPeeringArgs``, ``VirtualNetworkPeering``, ``SpokeArgs``, ``HubSpokePeeringArgs``, ...):
one source for both front ends. ``python -m pulumi_azure_peering.plugin.schema`` prints it; ``plugin/schema.json``
is that output, checked in (a unit test keeps it current): what the plugin serves (``GetSchema``), what
``pulumi package gen-sdk`` reads, and for readers.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import inspect
import itertools
import json
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi_azure_peering import __version__
from pulumi_azure_peering.components import hub_spoke, pair_status
from pulumi_azure_peering.provider import peering, resource, settings
from pulumi_azure_peering.provider import schema as peering_schema

from . import HUB_SPOKE_TYPE, PACKAGE, PEERING_TYPE
from .names import camel

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.json"

TIMEOUTS_TYPE = f"{PACKAGE}:index:PeeringTimeouts"
SPOKE_TYPE = f"{PACKAGE}:index:Spoke"
SPOKE_PEERINGS_TYPE = f"{PACKAGE}:index:SpokePeerings"
MESH_PEERING_TYPE = f"{PACKAGE}:index:MeshPeering"

#: Provider configuration: the dynamic provider's settings (provider/settings.py), same keys, same meaning.
CONFIG_DESCRIPTIONS: Mapping[str, str] = {
    "cloud": "Azure cloud: AzureCloud (default), AzureUSGovernment or AzureChinaCloud.",
    "armEndpoint": "Custom ARM endpoint (https), e.g. the local emulator's.",
    "authorityHost": "Custom Entra authority host.",
    "tenantId": "Tenant of the client credentials (otherwise DefaultAzureCredential).",
    "clientId": "Client (application) id of the client credentials.",
    "clientSecret": "Client secret of the client credentials. Never stored in state in clear.",
    "auxiliaryTenantIds": "Up to 3 remote tenants whose tokens go along for cross-tenant peerings.",
    "caBundle": "Path of an extra trusted CA bundle (TLS verification cannot be turned off).",
    "allowInsecureLoopback": "Allow plain http for a loopback endpoint (tests only).",
}
_CONFIG_TYPES: Mapping[str, dict[str, Any]] = {
    "auxiliaryTenantIds": {"type": "array", "items": {"type": "string"}},
    "allowInsecureLoopback": {"type": "boolean"},
}
SECRET_CONFIG = frozenset({"clientSecret"})


def attribute_docs(cls: type) -> dict[str, str]:
    """The docstrings written under a class's attributes (``name: T`` then a string), by attribute name."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = " ".join(inspect.cleandoc(following.value.value).split())
    return docs


def _doc(obj: Any) -> str:
    return inspect.cleandoc(obj.__doc__ or "")


def _type_of(annotation: Any, name: str) -> dict[str, Any]:
    """A schema type for a Python annotation of the public API (inputs, outputs, plain args)."""
    text = str(annotation)
    if name == "timeouts":
        return {"$ref": f"#/types/{TIMEOUTS_TYPE}"}
    if "Sequence" in text or "list[" in text:
        return {"type": "array", "items": {"type": "string"}}
    if "dict[" in text:
        return {"type": "object", "additionalProperties": {"$ref": "pulumi.json#/Any"}}
    if "bool" in text:
        return {"type": "boolean"}
    if "float" in text:
        return {"type": "number"}
    return {"type": "string"}


def _hints(cls: type) -> dict[str, Any]:
    """Annotations as written (their text: the modules use postponed evaluation), base classes first."""
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        hints.update(getattr(klass, "__annotations__", {}))
    return hints


_KIND_TYPES: Mapping[str, dict[str, Any]] = {
    "bool": {"type": "boolean"},
    "str": {"type": "string"},
    "strings": {"type": "array", "items": {"type": "string"}},
    "timeouts": {"$ref": f"#/types/{TIMEOUTS_TYPE}"},
    "object": {"type": "object", "additionalProperties": {"$ref": "pulumi.json#/Any"}},
}


def _peering_resource() -> dict[str, Any]:
    """The peering's fields (provider/schema.py), documented by the Python classes that declare them."""
    arg_docs = attribute_docs(peering.VirtualNetworkPeeringArgs)
    out_docs = attribute_docs(peering.PeeringOutputs)
    inputs: dict[str, Any] = {}
    for name in peering_schema.INPUTS:
        kind = peering_schema.BY_NAME[name].kind
        inputs[camel(name)] = copy.deepcopy(_KIND_TYPES[kind]) | {"description": arg_docs.get(name, "")}
    inputs["timeouts"]["description"] += (
        " The resource option customTimeouts, when set, takes precedence for its operation."
    )
    outputs = {k: dict(v) for k, v in inputs.items()}
    for name in peering_schema.OUTPUT_ONLY:
        kind = peering_schema.BY_NAME[name].kind
        outputs[camel(name)] = copy.deepcopy(_KIND_TYPES[kind]) | {"description": out_docs.get(name, "")}
    for name, doc in out_docs.items():
        if camel(name) in outputs and doc:
            outputs[camel(name)]["description"] = doc
    required_inputs = [camel(name) for name in peering_schema.REQUIRED_INPUTS]
    return {
        "description": _doc(peering.VirtualNetworkPeering).replace(
            "Type token ``pulumi-python:dynamic/azure-peering:VirtualNetworkPeering``.",
            f"Type token ``{PEERING_TYPE}``.",
        ),
        "inputProperties": inputs,
        "requiredInputs": required_inputs,
        "properties": outputs,
        "required": [camel(name) for name in peering_schema.ALWAYS_OUTPUTS],
    }


def _plain_object(cls: type, skip: frozenset[str] = frozenset()) -> tuple[dict[str, Any], list[str]]:
    docs = attribute_docs(cls)
    hints = _hints(cls)
    props: dict[str, Any] = {}
    required: list[str] = []
    for field in dataclasses.fields(cls):
        if field.name in skip:
            continue
        prop = _type_of(hints[field.name], field.name)
        if field.name == "link":
            prop = {"type": "string"}
        prop["description"] = docs.get(field.name, "")
        props[camel(field.name)] = prop
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            required.append(camel(field.name))
    return props, required


def _hub_spoke() -> tuple[dict[str, Any], dict[str, Any]]:
    spoke_props, spoke_required = _plain_object(hub_spoke.SpokeArgs)
    inputs, required = _plain_object(hub_spoke.HubSpokePeeringArgs)
    inputs["spokes"] = {
        "type": "object",
        "additionalProperties": {"$ref": f"#/types/{SPOKE_TYPE}"},
        "description": attribute_docs(hub_spoke.HubSpokePeeringArgs)["spokes"],
    }
    inputs["auxiliaryTenantIds"] = {"type": "array", "items": {"type": "string"}} | {
        "description": inputs["auxiliaryTenantIds"]["description"]
    }
    out_docs = attribute_docs(hub_spoke.HubSpokePeering)
    component = {
        "isComponent": True,
        "description": _doc(hub_spoke.HubSpokePeering),
        "inputProperties": inputs,
        "requiredInputs": required,
        "properties": {
            "peerings": {
                "type": "object",
                "additionalProperties": {"$ref": f"#/types/{SPOKE_PEERINGS_TYPE}"},
                "description": out_docs["peerings"],
            },
            "meshPeerings": {
                "type": "object",
                "additionalProperties": {"$ref": f"#/types/{MESH_PEERING_TYPE}"},
                "description": out_docs["mesh_peerings"],
            },
            "topologyMermaid": {"type": "string", "description": out_docs["topology_mermaid"]},
        },
        "required": ["peerings", "meshPeerings", "topologyMermaid"],
    }
    pair_doc = " ".join(_doc(pair_status.pair_status).split())
    string = {"type": "string"}
    types = {
        SPOKE_TYPE: {
            "type": "object",
            "description": _doc(hub_spoke.SpokeArgs),
            "properties": spoke_props,
            "required": spoke_required,
        },
        SPOKE_PEERINGS_TYPE: {
            "type": "object",
            "description": "The two peerings of one spoke and the pair's status.",
            "properties": {
                "hubToSpokeId": string | {"description": "ARM id of the hub vnet's peering to the spoke."},
                "spokeToHubId": string | {"description": "ARM id of the spoke vnet's peering to the hub."},
                "hubToSpokeState": string | {"description": "peeringState of the hub side."},
                "spokeToHubState": string | {"description": "peeringState of the spoke side."},
                "hubToSpokeSyncLevel": string | {"description": "peeringSyncLevel of the hub side."},
                "spokeToHubSyncLevel": string | {"description": "peeringSyncLevel of the spoke side."},
                "status": string | {"description": pair_doc},
            },
        },
        MESH_PEERING_TYPE: {
            "type": "object",
            "description": "One spoke-to-spoke peering of the mesh.",
            "properties": {
                "id": string | {"description": "ARM id of the peering."},
                "state": string | {"description": "peeringState."},
                "syncLevel": string | {"description": "peeringSyncLevel."},
            },
        },
        TIMEOUTS_TYPE: {
            "type": "object",
            "description": " ".join(_doc(peering.PeeringTimeouts).split()),
            "properties": {
                name: {"type": "number", "description": doc}
                for name, doc in attribute_docs(peering.PeeringTimeouts).items()
            },
        },
    }
    return component, types


def _config_variables() -> dict[str, Any]:
    variables: dict[str, Any] = {}
    for key in resource.CONFIG_KEYS:
        envs = settings._ENV[key]
        description = f"{CONFIG_DESCRIPTIONS[key]} Environment: {', '.join(envs)}."
        variables[key] = dict(_CONFIG_TYPES.get(key, {"type": "string"})) | {"description": description}
        if key in SECRET_CONFIG:
            variables[key]["secret"] = True
    return variables


def build_schema() -> dict[str, Any]:
    """The package schema (a plain JSON document)."""
    component, types = _hub_spoke()
    variables = _config_variables()
    return {
        "name": PACKAGE,
        "displayName": "Azure virtual network peering",
        "version": __version__,
        "description": "Azure virtual network peerings and hub-and-spoke topologies (pulumi-azure-peering).",
        "keywords": ["azure", "network", "peering", "category/network", "kind/native"],
        "license": "Apache-2.0",
        "publisher": "pulumi-azure-peering",
        "config": {"variables": variables},
        "provider": {
            "description": "The azure-peering provider: where ARM is and which credentials to use. Settings not "
            "given here come from the stack config (azure-peering:*) and then the environment.",
            "inputProperties": variables,
        },
        "resources": {PEERING_TYPE: _peering_resource(), HUB_SPOKE_TYPE: component},
        "types": types,
        "language": {
            "nodejs": {
                "packageName": "@pulumi-azure-peering/azure-peering",
                "dependencies": {"@pulumi/pulumi": "^3.0.0"},
                "respectSchemaVersion": True,
            },
            "python": {"packageName": "pulumi_azure_peering_sdk", "respectSchemaVersion": True},
        },
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
