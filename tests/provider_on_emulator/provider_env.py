"""Helpers for driving the provider object against the emulator the way the engine does."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_azure_peering.provider.properties import RESOURCE_NAME_KEY
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from tests.emulator_config import DEFAULT_SEED, seeded_vnet


def new_provider(config: dict[str, Any] | None = None) -> VirtualNetworkPeeringProvider:
    """A provider as the dynamic-provider process makes it: unpickled, then configured with the stack config."""
    provider = VirtualNetworkPeeringProvider()
    provider.configure(ConfigureRequest(Config(dict(config or {}), "test")))
    return provider


def args(local: str, remote: str, name: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "virtual_network_id": seeded_vnet(local),
        "remote_virtual_network_id": seeded_vnet(remote),
        "name": name or f"{local}-to-{remote}",
        **extra,
        "__provider": "serialized",
    }


class Engine:
    """Calls the provider in the engine's order: check (olds = old inputs), diff (olds = old outputs), then
    create/update/delete; keeps the state (inputs and outputs) per resource like a checkpoint.

    Resources register their Pulumi name with their properties (``__resource_name``, as ``VirtualNetworkPeering``
    does: the key here) and replace delete-first (the resource's default ``delete_before_replace``) unless
    ``delete_before_replace`` is False, when the provider's diff decides as the engine then would."""

    def __init__(self, provider: VirtualNetworkPeeringProvider, *, delete_before_replace: bool = True) -> None:
        self.provider = provider
        self.delete_before_replace = delete_before_replace
        self.inputs: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.ids: dict[str, str] = {}

    @staticmethod
    def named(key: str, news: dict[str, Any]) -> dict[str, Any]:
        return {RESOURCE_NAME_KEY: key, **news}

    def check(self, key: str, news: dict[str, Any]) -> dict[str, Any]:
        news = self.named(key, news)
        result = self.provider.check(self.inputs.get(key, {}), news)
        if result.failures:
            raise AssertionError({f.property: f.reason for f in result.failures})
        return {**result.inputs, "__provider": news["__provider"]}

    def failures(self, key: str, news: dict[str, Any]) -> dict[str, str]:
        result = self.provider.check(self.inputs.get(key, {}), self.named(key, news))
        return {f.property: f.reason for f in result.failures}

    def up(self, key: str, news: dict[str, Any]) -> str:
        """One resource's step of `pulumi up`: create, update, replace or nothing. Returns what happened."""
        inputs = self.check(key, news)
        if key not in self.ids:
            created = self.provider.create(inputs)
            self.ids[key], self.outputs[key], self.inputs[key] = created.id, created.outs or {}, inputs
            return "create"
        diff = self.provider.diff(self.ids[key], self.outputs[key], inputs)
        if not diff.changes:
            self.inputs[key] = inputs
            return "same"
        if diff.replaces:
            return self._replace(key, news, dbr=bool(diff.delete_before_replace))
        updated = self.provider.update(self.ids[key], self.outputs[key], inputs)
        self.outputs[key], self.inputs[key] = updated.outs or {}, inputs
        return "update"

    def _replace(self, key: str, news: dict[str, Any], *, checked_again: bool = True, dbr: bool = False) -> str:
        if checked_again:  # the engine checks a replacement again, with no olds (not for `up --replace`)
            checked = self.provider.check({}, self.named(key, news))
            if checked.failures:
                raise AssertionError({f.property: f.reason for f in checked.failures})
            inputs = {**checked.inputs, "__provider": news["__provider"]}
        else:
            inputs = self.check(key, news)
        if self.delete_before_replace or dbr:
            self.provider.delete(self.ids[key], self.outputs[key])
            created = self.provider.create(inputs)
        else:
            created = self.provider.create(inputs)
            self.provider.delete(self.ids[key], self.outputs[key])
        self.ids[key], self.outputs[key], self.inputs[key] = created.id, created.outs or {}, inputs
        return "replace"

    def replace(self, key: str, news: dict[str, Any]) -> str:
        """`pulumi up --replace <urn>`: the engine asks no diff, checks once with the old inputs, and replaces
        delete-first only when the resource's options say so."""
        return self._replace(key, news, checked_again=False)

    def refresh(self, key: str) -> dict[str, Any] | None:
        read = self.provider.read(self.ids[key], self.outputs[key])
        if not read.id:
            del self.ids[key], self.outputs[key], self.inputs[key]
            return None
        self.outputs[key] = read.outs or {}
        return self.outputs[key]

    def destroy(self, key: str) -> None:
        self.provider.delete(self.ids.pop(key), self.outputs.pop(key))
        self.inputs.pop(key)


def add_address_prefix(emulator: Any, vnet_id: str, prefix: str) -> None:
    """Resize a vnet out of band (as someone in the portal would): one more address prefix, operation finished."""
    body = emulator.arm("GET", vnet_id).json()
    body["properties"]["addressSpace"]["addressPrefixes"].append(prefix)
    resized = emulator.arm("PUT", vnet_id, json={"location": body["location"], "properties": body["properties"]})
    assert resized.status_code in (200, 201), resized.text
    emulator.finish_operations()


@contextmanager
def estate(emulator: Any, monkeypatch: pytest.MonkeyPatch, groups: Sequence[dict[str, Any]]) -> Iterator[Any]:
    """The emulator reset to the default estate plus ``groups`` (seed resource groups), the provider's process
    environment pointed at it (the test's runtime has nothing cached from before)."""
    seed = json.loads(DEFAULT_SEED.read_text())
    seed["resourceGroups"] += list(groups)
    emulator.reset()
    emulator.seed(seed)
    for key, value in emulator.env().items():
        monkeypatch.setenv(key, value)
    yield emulator
