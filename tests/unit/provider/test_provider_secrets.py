"""Nothing sensitive is pickled into ``__provider``: not the client secret, not tokens, not sessions."""

from __future__ import annotations

import base64
from typing import Any

import dill
import pulumi
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_azure_peering.provider import ProviderOverrides, VirtualNetworkPeering, VirtualNetworkPeeringArgs
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from tests.unit.provider.provider_fakes import vnet_id

pytestmark = pytest.mark.unit

SECRET = "super-secret-client-value-1234"


def configured_provider() -> VirtualNetworkPeeringProvider:
    provider = VirtualNetworkPeeringProvider(ProviderOverrides(arm_endpoint="https://arm.test", client_id="c"))
    config = Config(
        {"azure-peering:clientSecret": SECRET, "azure-peering:tenantId": "t", "azure-peering:clientId": "c"}, "p"
    )
    provider.configure(ConfigureRequest(config))
    assert provider.settings().client_secret == SECRET  # it is known in memory...
    return provider


def test_pickled_provider_holds_no_secret_even_after_configure() -> None:
    provider = configured_provider()
    provider.client()  # builds the session and token source in the process's runtime
    raw = base64.b64decode(serialize_provider(provider))
    assert SECRET.encode() not in raw
    assert b"Bearer" not in raw and b"Session" not in raw and b"TokenSource" not in raw
    clone = dill.loads(raw)
    assert clone._overrides == provider._overrides
    assert clone._settings is None and clone._config is None


def test_provider_pickles_by_reference_and_deterministically() -> None:
    a = serialize_provider(VirtualNetworkPeeringProvider())
    b = serialize_provider(VirtualNetworkPeeringProvider())
    assert a == b
    raw = base64.b64decode(a)
    assert b"provider.resource" in raw and b"def " not in raw
    assert len(raw) < 1024


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.inputs: list[dict[str, Any]] = []
        self.types: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs.append(dict(args.inputs))
        self.types.append(args.typ)
        return args.name + "-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def test_resource_input_provider_holds_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", SECRET)
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it unannotated
    def program() -> Any:
        peering = VirtualNetworkPeering(
            "hub-to-spoke",
            VirtualNetworkPeeringArgs(virtual_network_id=vnet_id("hub"), remote_virtual_network_id=vnet_id("spoke")),
        )
        return peering.name.apply(lambda n: n)

    program()
    assert mocks.types == ["pulumi-python:dynamic/azure-peering:VirtualNetworkPeering"]
    blob = mocks.inputs[0]["__provider"]
    assert SECRET.encode() not in base64.b64decode(blob)
    assert mocks.inputs[0]["name"] == "hub-to-spoke"
