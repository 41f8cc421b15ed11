"""The plugin path's bench helpers: its YAML programs, its floor's shape, the CPU roles of its processes and its
rows in the printed table and the Markdown tables (no CLI, no emulator)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from bench import report
from bench.plugin_floor import SCHEMA, THING_TYPE, property_value, side_of
from bench.proctree import role_of
from bench.programs import (
    FLOOR_COMPONENT,
    PACKAGE_COMPONENT,
    PLUGIN_FLOOR_SHAPE,
    peering_shape,
    plugin_floor_files,
    plugin_program,
)

pytestmark = pytest.mark.unit

TOPOLOGY = {"hub": "/subscriptions/s/vnet-hub", "spokes": {"s000": "/subscriptions/s/vnet-a", "s001": "/x/vnet-b"}}


def stored(inputs: dict[str, Any], outputs: dict[str, Any]) -> dict[str, Any]:
    return {"inputs": inputs, "outputs": outputs}


@pytest.mark.parametrize("component", [PACKAGE_COMPONENT, FLOOR_COMPONENT])
def test_the_yaml_program_declares_one_component_with_every_spoke_through_the_hub_gateway(component: str) -> None:
    doc = yaml.safe_load(f"name: bench\nruntime: yaml\n{plugin_program(TOPOLOGY, component)}")
    assert doc["runtime"] == "yaml"
    assert doc["resources"] == {
        "hub": {
            "type": component,
            "properties": {
                "hubVnetId": "/subscriptions/s/vnet-hub",
                "spokes": {
                    "s000": {"vnetId": "/subscriptions/s/vnet-a", "useHubGateway": True},
                    "s001": {"vnetId": "/x/vnet-b", "useHubGateway": True},
                },
            },
        }
    }


def test_the_floor_registers_every_stored_key_and_returns_the_stored_outputs() -> None:
    sides = {
        "hub_to_spoke": stored(
            {"virtualNetworkId": "a", "allowGatewayTransit": True, "__provider": "pickled"},
            {"virtualNetworkId": "a", "peeringState": "Connected", "__provider": "pickled"},
        ),
        "spoke_to_hub": stored({"useRemoteGateways": True}, {"useRemoteGateways": True, "peeringState": "Connected"}),
    }
    registered, outputs = peering_shape(sides)
    # inputs with their values, outputs-only keys as None (what a peering registers); no dynamic provider key
    assert registered["hub_to_spoke"] == {"virtualNetworkId": "a", "peeringState": None, "allowGatewayTransit": True}
    assert outputs["spoke_to_hub"] == {"useRemoteGateways": True, "peeringState": "Connected"}
    files = plugin_floor_files(sides)
    assert json.loads(files[PLUGIN_FLOOR_SHAPE]) == {"registered": registered, "outputs": outputs}


def test_the_floor_plugin_tells_its_sides_apart_and_sends_json_as_property_values() -> None:
    assert side_of("s000-a") == "hub_to_spoke" and side_of("s000-b") == "spoke_to_hub"
    value = property_value({"n": 3, "names": ["x"], "ok": True, "none": None})
    assert value == property_value({"n": 3.0, "names": ["x"], "ok": True, "none": None})
    assert THING_TYPE in SCHEMA["resources"] and SCHEMA["resources"][FLOOR_COMPONENT]["isComponent"] is True


@pytest.mark.parametrize(
    ("cmdline", "role"),
    [
        (["/repo/.venv/bin/python", "/repo/.venv/bin/pulumi-resource-azure-peering", "127.0.0.1:1"], "plugin"),
        (["/repo/.venv/bin/python", "-u", "/repo/bench/plugin_floor.py", "127.0.0.1:1"], "plugin"),
        (["/bin/sh", "/w/bin/pulumi-resource-bench-floor", "127.0.0.1:1"], "plugin"),
        (["/bin/sh", "/w/bin/pulumi-resource-pulumi-python", "127.0.0.1:1"], "provider"),
        (["/repo/.venv/bin/python", "-u", "/repo/bench/provider_probe.py", "127.0.0.1:1"], "provider"),
        (["/repo/.tools/pulumi/bin/pulumi-language-yaml", "127.0.0.1:1"], "program"),
        (["/repo/.tools/pulumi/bin/pulumi-language-python", "127.0.0.1:1"], "language_host"),
        (["/repo/.tools/pulumi/bin/pulumi", "up", "--cwd", "/w/project"], "engine"),
    ],
)
def test_the_processes_of_both_paths_have_their_roles(cmdline: list[str], role: str) -> None:
    assert role_of(cmdline) == role


def plugin_doc() -> dict[str, Any]:
    row = {
        "case": "plugin_refresh",
        "n": 200,
        "latency_s": 0.0,
        "wall_s": 6.0,
        "bound_s": 5.0,
        "ratio": 1.2,
        "over_shape_floor_ratio": 1.2,
        "shape_floor_wall_s": 5.0,
        "dynamic_wall_s": 8.0,
        "dynamic_shape_floor_wall_s": 6.0,
        "dynamic_over_shape_floor_ratio": 1.3333,
        "plugin_over_dynamic_ratio": 0.75,
        "arm_reads": 29,
        "arm_writes": 0,
        "repeats": 3,
        "target": "over_shape_floor_ratio <= the dynamic path's (each path over its own floor)",
        "target_met": True,
    }
    machine = {
        "nproc": 2,
        "cpu_model": "cpu",
        "python": "3.11",
        "pulumi_cli": "v3",
        "pulumi_sdk": "3",
        "load_average": [1.0],
        "git_commit": "abc",
        "git_dirty": False,
    }
    return {"cases": [row], "machine": machine}


def test_a_plugin_row_shows_both_paths_over_their_floors_and_the_plugin_over_the_dynamic() -> None:
    doc = plugin_doc()
    printed = report.table(doc)
    header, _, row = printed.splitlines()[:3]
    assert "/shape" in header and "/dyn" in header
    assert "1.200" in row and "0.750" in row
    assert "1.200 x its floor" in printed and "1.333 x its shape floor" in printed
    markdown = report.plugin_table(doc)
    assert "| plugin_refresh | 200 | 0 | 6.00 | 5.00 | 1.200 | - | 8.00 | 6.00 | 1.333 | - | 0.750 | yes |" in markdown
    # the dynamic path's shape-floor table is the engine floor's split: a plugin row has no engine floor
    assert report.shape_floor_table(doc) == ""
