"""The emulator as a tool: its commands run as a user runs them (the console script, in a folder outside the
repository, in a shell whose generic CA variables trust nothing of the emulator's) against a real emulator process.

The walkthroughs of docs/emulator.md, step by step: a resize and its sync, a Disconnected pair, a gateway still
provisioning; the commands go through the emulator's ARM API (the request log shows their bearer-token requests),
``env`` refuses a stopped emulator's connection file and ``env --unset`` takes back what ``env`` exports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_azure_peering.emulator.connection import CONNECTION_FILE, EXPORTED
from pulumi_azure_peering.emulator.seed import DEMO_SEED
from pulumi_azure_peering.emulator.testing import EmulatorProcess
from pulumi_azure_peering.emulator.tls import system_roots

pytestmark = pytest.mark.emulator

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("azure-peering-emulator")
HUB = ["-g", "rg-hub", "--vnet-name", "vnet-hub"]
PAYMENTS = ["-g", "rg-spokes", "--vnet-name", "vnet-payments"]


def command() -> list[str]:
    """The console script a pip install puts next to the interpreter, else ``python -m``."""
    return [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pulumi_azure_peering.emulator"]


@pytest.fixture
def user_shell(tmp_path: Path) -> dict[str, Any]:
    """A user's shell: a folder of its own, the generic CA variables pointing at an empty bundle (so nothing here
    works through them), none of the emulator's exports."""
    folder = tmp_path / "project"
    folder.mkdir()
    empty = folder / "empty-bundle.pem"
    empty.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in EXPORTED}
    env.update(REQUESTS_CA_BUNDLE=str(empty), SSL_CERT_FILE=str(empty), CURL_CA_BUNDLE=str(empty))
    return {"cwd": folder, "env": env}


def run(
    shell: dict[str, Any], *args: str, data_dir: Path | None = None, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    where = ["--data-dir", str(data_dir)] if data_dir is not None else []
    done = subprocess.run(
        [*command(), *args, *where], capture_output=True, text=True, timeout=60, cwd=shell["cwd"], env=shell["env"]
    )
    if ok:
        assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def peerings(emu: EmulatorProcess, side: list[str]) -> dict[str, dict[str, Any]]:
    """What ARM says of a vnet's peerings (read by the test itself, not through the commands it checks)."""
    group, vnet = side[1], side[3]
    sub = next(g["subscriptionId"] for g in json.loads(DEMO_SEED.read_text())["resourceGroups"] if g["name"] == group)
    path = f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/{vnet}"
    return {p["name"]: p["properties"] for p in emu.arm("GET", f"{path}/virtualNetworkPeerings").json()["value"]}


def _demo_with_peerings(tmp_path: Path) -> Path:
    """The demo seed with the hub and payments peered both ways, as `pulumi up` of examples/hub_spoke leaves them."""
    topology = json.loads(DEMO_SEED.read_text())
    for group in topology["resourceGroups"]:
        for vnet in group["virtualNetworks"]:
            if vnet["name"] == "vnet-hub":
                vnet["peerings"] = [
                    {
                        "name": "vnet-hub-to-vnet-payments",
                        "remoteVirtualNetwork": {
                            "subscriptionId": topology["resourceGroups"][1]["subscriptionId"],
                            "resourceGroup": "rg-spokes",
                            "name": "vnet-payments",
                        },
                        "allowGatewayTransit": True,
                    }
                ]
            if vnet["name"] == "vnet-payments":
                vnet["peerings"] = [
                    {
                        "name": "vnet-payments-to-vnet-hub",
                        "remoteVirtualNetwork": {
                            "subscriptionId": topology["resourceGroups"][0]["subscriptionId"],
                            "resourceGroup": "rg-hub",
                            "name": "vnet-hub",
                        },
                        "useRemoteGateways": True,
                    }
                ]
    assert [g["name"] for g in topology["resourceGroups"][:2]] == ["rg-hub", "rg-spokes"]
    path = tmp_path / "peered.json"
    path.write_text(json.dumps(topology))
    return path


@pytest.fixture
def peered(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """An emulator serving the demo topology with the hub and payments peered, seeded from a path (``--seed FILE``)."""
    with EmulatorProcess(data_dir=tmp_path / "emu", seed=_demo_with_peerings(tmp_path), sparse_bodies=False) as emu:
        yield emu


def test_seeds_are_listed_and_served_by_name(user_shell: dict[str, Any], tmp_path: Path) -> None:
    listed = {s["name"]: s for s in json.loads(run(user_shell, "seeds", "--json").stdout)}
    assert {"demo", "default", "minimal"} <= set(listed)
    assert listed["demo"]["virtualNetworks"] == 6 and listed["minimal"]["virtualNetworks"] == 0
    assert all(s["description"] for s in listed.values())
    readable = run(user_shell, "seeds").stdout
    assert "demo: " in readable and "--seed NAME" in readable

    refused = run(user_shell, "serve", "--seed", "nope", data_dir=tmp_path / "x", ok=False)
    assert refused.returncode == 2 and "default, demo, minimal" in refused.stderr

    with EmulatorProcess(data_dir=tmp_path / "emu", seed="demo") as emu:  # `serve --seed demo`, a name
        vnets = json.loads(run(user_shell, "vnet", "list", "--json", data_dir=emu.data_dir).stdout)
        assert {v["name"] for v in vnets} == {
            "vnet-hub", "vnet-identity", "vnet-payments", "vnet-web", "vnet-analytics", "vnet-partner",
        }  # fmt: skip
        table = run(user_shell, "vnet", "list", data_dir=emu.data_dir).stdout
        assert table.splitlines()[0].split()[:2] == ["NAME", "RESOURCE"] and "vnet-partner" in table
        made = run(user_shell, "group", "create", "-n", "rg-lab", "-l", "westeurope", data_dir=emu.data_dir)
        assert "resource group rg-lab" in made.stdout
        assert "no vnets" in run(user_shell, "vnet", "list", "-g", "rg-lab", data_dir=emu.data_dir).stdout


def test_resize_walkthrough(user_shell: dict[str, Any], peered: EmulatorProcess) -> None:
    """docs/emulator.md, "A resize and its sync": the commands as printed there, the sync as `vnet peering sync`."""
    emu, shell = peered, user_shell
    assert peerings(emu, HUB)["vnet-hub-to-vnet-payments"]["peeringSyncLevel"] == "FullyInSync"
    since = emu.last_request_seq()

    resized = run(
        shell, "vnet", "update", "-g", "rg-spokes", "-n", "vnet-payments",
        "--address-prefixes", "10.1.0.0/16", "10.11.0.0/16", data_dir=emu.data_dir,
    ).stdout  # fmt: skip
    assert "10.1.0.0/16 -> 10.1.0.0/16, 10.11.0.0/16" in resized and "NotInSync" in resized
    # through ARM with a token, like any client: the request log has the PUT, answered by the ARM routes
    log = emu.request_log(since)
    assert any(e["method"] == "PUT" and e["path"].endswith("/virtualNetworks/vnet-payments") for e in log)

    # the resized vnet's peering reads RemoteNotInSync, the other side's LocalNotInSync (recorded Azure)
    spoke = run(shell, "vnet", "peering", "list", *PAYMENTS, data_dir=emu.data_dir).stdout.splitlines()
    assert spoke[1].split() == [
        "vnet-payments-to-vnet-hub",
        "Connected",
        "RemoteNotInSync",
        "rg-hub/vnet-hub",
        "Succeeded",
    ]
    hub = json.loads(run(shell, "vnet", "peering", "list", *HUB, "--json", data_dir=emu.data_dir).stdout)
    assert [(p["name"], p["properties"]["peeringSyncLevel"]) for p in hub] == [
        ("vnet-hub-to-vnet-payments", "LocalNotInSync")
    ]
    shown = run(shell, "vnet", "peering", "show", *HUB, "-n", "vnet-hub-to-vnet-payments", data_dir=emu.data_dir)
    assert "remote space now:     10.1.0.0/16, 10.11.0.0/16" in shown.stdout

    run(shell, "vnet", "peering", "sync", *HUB, "-n", "vnet-hub-to-vnet-payments", data_dir=emu.data_dir)
    assert peerings(emu, HUB)["vnet-hub-to-vnet-payments"]["peeringSyncLevel"] == "FullyInSync"
    assert peerings(emu, PAYMENTS)["vnet-payments-to-vnet-hub"]["peeringSyncLevel"] == "FullyInSync"


def test_disconnected_pair_and_gateway_walkthroughs(user_shell: dict[str, Any], peered: EmulatorProcess) -> None:
    emu, shell = peered, user_shell
    # A Disconnected pair: one side deleted by hand; the other reads Disconnected until its pair is written again.
    deleted = run(
        shell, "vnet", "peering", "delete", *PAYMENTS, "-n", "vnet-payments-to-vnet-hub", data_dir=emu.data_dir
    )
    assert "Disconnected" in deleted.stdout
    assert peerings(emu, HUB)["vnet-hub-to-vnet-payments"]["peeringState"] == "Disconnected"
    assert peerings(emu, PAYMENTS) == {}

    # A gateway still provisioning: create one with --no-wait, it reads Updating (dump shows it) until it is done.
    run(
        shell, "vnet", "create", "-g", "rg-spokes", "-n", "vnet-transit", "--address-prefixes", "10.40.0.0/16",
        "--subnet", "GatewaySubnet=10.40.255.0/27", data_dir=emu.data_dir,
    )  # fmt: skip
    created = run(
        shell, "vnet-gateway", "create", "-g", "rg-spokes", "-n", "vgw-transit", "--vnet", "vnet-transit",
        "--provisioning-seconds", "60", "--no-wait", data_dir=emu.data_dir,
    ).stdout  # fmt: skip
    assert "state: Updating" in created
    gateways = run(shell, "dump", data_dir=emu.data_dir).stdout.split("GATEWAY")[1].split("\n\n")[0].splitlines()
    assert [line.split()[::2] for line in gateways[1:]] == [["vgw-hub", "Succeeded"], ["vgw-transit", "Updating"]]
    assert {g["name"] for g in emu.state()["virtualNetworkGateways"]} == {"vgw-hub", "vgw-transit"}  # what dump shows
    busy = run(shell, "vnet-gateway", "delete", "-g", "rg-spokes", "-n", "vgw-transit", data_dir=emu.data_dir, ok=False)
    assert busy.returncode == 1 and "AnotherOperationInProgress" in busy.stderr and "try again" in busy.stderr
    emu.finish_operations()  # the minute passes
    shown = run(shell, "vnet-gateway", "show", "-g", "rg-spokes", "-n", "vgw-transit", data_dir=emu.data_dir)
    assert "state: Succeeded" in shown.stdout
    gone = run(
        shell, "vnet-gateway", "delete", "-g", "rg-spokes", "-n", "vgw-transit", "--no-wait", data_dir=emu.data_dir
    )
    assert "gateway vgw-transit deleting" in gone.stdout

    # ARM's refusals come back with their code; reset (then a seed by name) starts over.
    missing = run(shell, "vnet", "show", "-g", "rg-spokes", "-n", "vnet-nope", data_dir=emu.data_dir, ok=False)
    assert missing.returncode == 1 and "ResourceNotFound" in missing.stderr and "vnet list" in missing.stderr
    assert "demo applied" in run(shell, "reset", "--seed", "demo", data_dir=emu.data_dir).stdout
    assert peerings(emu, HUB) == {}


def _announced_pid(data_dir: Path) -> int | None:
    try:
        return int(json.loads((data_dir / CONNECTION_FILE).read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return None


def test_env_refuses_a_stopped_emulator_and_unsets_what_it_exports(user_shell: dict[str, Any], tmp_path: Path) -> None:
    shell = user_shell
    nothing = run(shell, "vnet", "list", data_dir=tmp_path / "none", ok=False)
    assert nothing.returncode == 1 and "serve --data-dir" in nothing.stderr and "--seed demo" in nothing.stderr

    data_dir = tmp_path / "emu"
    serve = [*command(), "serve", "--data-dir", str(data_dir), "--quiet"]
    endpoints = []
    for _ in range(2):  # a restart keeps the endpoint: the exports made for the first run still work
        proc = subprocess.Popen(serve, cwd=shell["cwd"], env=shell["env"])
        try:  # `serve ... &` and `env` on the next line: env waits for the emulator that is starting
            exports = run(shell, "env", "--format", "json", data_dir=data_dir).stdout
            assert _announced_pid(data_dir) == proc.pid
            endpoints.append(json.loads(exports)["AZURE_PEERING_ARM_ENDPOINT"])
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert endpoints[0] == endpoints[1]

    stale = run(shell, "env", data_dir=data_dir, ok=False)
    assert stale.returncode == 1 and stale.stdout == ""
    assert "not running" in stale.stderr and f"serve --data-dir {data_dir}" in stale.stderr

    unset = run(shell, "env", "--unset").stdout.splitlines()
    assert unset == [f"unset {name}" for name in EXPORTED]
    assert set(json.loads(exports)) <= set(EXPORTED)


PROVIDER_READ = """
from pulumi_azure_peering.provider.runtime import client_for
from pulumi_azure_peering.provider.settings import resolve_settings

settings = resolve_settings()
print(settings.verify, client_for(settings).get_virtual_network({vnet!r})["name"])
"""


def test_trust_through_own_settings_and_a_generic_bundle_with_the_system_roots(
    user_shell: dict[str, Any], peered: EmulatorProcess
) -> None:
    exports = peered.env()
    # The provider (its token requests and ARM calls) trusts the emulator through AZURE_PEERING_CA_BUNDLE alone: the
    # generic variables of this shell point at an empty bundle.
    env = {
        **user_shell["env"],
        **{k: v for k, v in exports.items() if k not in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")},
    }
    vnet = json.loads(
        run(user_shell, "vnet", "show", "-g", "rg-hub", "-n", "vnet-hub", "--json", data_dir=peered.data_dir).stdout
    )["id"]
    read = subprocess.run(
        [sys.executable, "-c", PROVIDER_READ.format(vnet=vnet)],
        capture_output=True, text=True, timeout=60, cwd=user_shell["cwd"], env=env,
    )  # fmt: skip
    assert read.returncode == 0, read.stderr[-2000:]
    assert read.stdout.split() == [exports["AZURE_PEERING_CA_BUNDLE"], "vnet-hub"]

    # What the generic variables get: the OS store, whole (corporate and proxy roots stay trusted), plus the CA.
    bundle = Path(exports["SSL_CERT_FILE"]).read_bytes()
    roots, where = system_roots()
    assert where and roots.strip() in bundle
    assert Path(exports["AZURE_PEERING_CA_BUNDLE"]).read_bytes().strip() in bundle
    assert exports["REQUESTS_CA_BUNDLE"] == exports["SSL_CERT_FILE"]
