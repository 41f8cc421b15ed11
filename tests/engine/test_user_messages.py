"""What a user reads when things go wrong or take time: each problem once, with its fix; no library's own log lines.
Counted in the real CLI's output."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import PulumiProject
from tests.emulator_config import seeded_vnet
from tests.engine.hub_spoke_helpers import DEMO_SEED, DEMO_SPOKES, PROGRAM, configure

pytestmark = pytest.mark.engine

#: The provider's backoff draws its jitter from ``random``: seeded in each Python process the engine starts (the
#: provider's included) through a ``sitecustomize`` on PYTHONPATH, so a run waits the same each time.
JITTER_SEED = 30
SITECUSTOMIZE = """import random
import sys

random.seed({seed})
if "pulumi.dynamic" in sys.orig_argv:  # the dynamic provider's process: say it was seeded
    with open({log!r}, "a") as log:
        log.write("seeded\\n")
"""


@dataclass(frozen=True)
class SeededJitter:
    env: dict[str, str]
    """The project's extra environment."""
    log: Path
    """One line per dynamic-provider process that started seeded."""

    def providers_seeded(self) -> int:
        return len(self.log.read_text().splitlines()) if self.log.exists() else 0


@pytest.fixture
def seeded_jitter(tmp_path: Path) -> SeededJitter:
    """A project's Python processes start with ``random`` seeded (JITTER_SEED)."""
    folder = tmp_path / "seeded-random"
    folder.mkdir()
    log = tmp_path / "seeded-providers"
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE.format(seed=JITTER_SEED, log=str(log)))
    return SeededJitter({"PYTHONPATH": str(folder)}, log)


def test_a_wrong_client_secret_is_reported_once_with_the_fix(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    emulator.seed(DEMO_SEED)
    project = make_project(PROGRAM, env={"AZURE_CLIENT_SECRET": "not-the-secret"})
    configure(project, seeded_vnet("vnet-hub"), DEMO_SPOKES)
    preview = project.preview(check=False)
    assert not preview.ok
    # five vnets could not be read for one reason: one problem, naming every argument it stopped
    assert preview.output.count("AADSTS7000215") == 1, preview.output
    assert "HubSpokePeering: 1 problem(s)" in preview.output
    line = next(line for line in preview.output.splitlines() if "AADSTS7000215" in line)
    assert all(f'spokes["{key}"]' in line for key in DEMO_SPOKES) and "hub_vnet_id" in line, line
    assert "set azure-peering:tenantId/clientId/clientSecret" in line
    # azure-identity's and MSAL's own log lines stay out of the output
    assert "get_token failed" not in preview.output


def waiting_lines(output: str) -> set[str]:
    """The provider's notes about waits, as the CLI shows them (each appears live and again under Diagnostics)."""
    return {line.split("azure-peering: ", 1)[1] for line in output.splitlines() if "azure-peering: " in line}


def test_a_busy_vnet_is_told_while_it_is_waited_out_without_flooding(
    make_project: Callable[..., PulumiProject], emulator: Any, seeded_jitter: SeededJitter
) -> None:
    emulator.seed(DEMO_SEED)
    project = make_project(PROGRAM, env=seeded_jitter.env)
    configure(project, seeded_vnet("vnet-hub"), {"payments": DEMO_SPOKES["payments"]})
    # another writer holds the vnets: ARM answers the first six peering writes 409 AnotherOperationInProgress
    emulator.set_faults("seed=3;409=1.0;max=6;match=PUT:virtualNetworkPeerings")
    try:
        up = project.up()
    finally:
        injected = emulator.faults()
        emulator.set_faults("")
    assert sum(injected["injected"].values()) == 6, injected
    assert seeded_jitter.providers_seeded() >= 1, "the provider's jitter was not seeded"
    lines = waiting_lines(up.output)
    busy = [line for line in lines if "AnotherOperationInProgress" in line]
    # at most one line per peering: the retries within REPEAT_SECONDS are not repeated
    assert 1 <= len(busy) <= 2, up.output
    assert all(": waiting: ARM 409 AnotherOperationInProgress" in line and "retrying in" in line for line in busy)
    assert all("still waiting" not in line for line in lines), lines


def test_a_gateway_still_provisioning_is_told_once(
    make_project: Callable[..., PulumiProject], emulator: Any, seeded_jitter: SeededJitter
) -> None:
    seed = copy.deepcopy(DEMO_SEED)
    hub = next(v for g in seed["resourceGroups"] for v in g["virtualNetworks"] if v["name"] == "vnet-hub")
    hub["gateway"]["provisioningSeconds"] = 15
    emulator.seed(seed)
    project = make_project(PROGRAM, env=seeded_jitter.env)
    configure(project, seeded_vnet("vnet-hub"), {"payments": DEMO_SPOKES["payments"]})
    up = project.up()
    assert seeded_jitter.providers_seeded() >= 1, "the provider's jitter was not seeded"
    gateway = [line for line in waiting_lines(up.output) if "still provisioning" in line]
    assert len(gateway) == 1, up.output
    assert "the gateway of vnet 'vnet-hub' is still provisioning (vgw-hub (" in gateway[0]
    assert project.outputs()["peerings"]["payments"]["status"] == "Connected"


def test_a_wrong_client_secret_on_refresh_is_said_once_not_once_per_peering(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    """Every peering's read stops on the same credential problem: the first says it with its fix, the others
    refer to it (the old provider printed the whole problem once per peering)."""
    emulator.seed(DEMO_SEED)
    project = make_project(PROGRAM)
    configure(project, seeded_vnet("vnet-hub"), {"payments": DEMO_SPOKES["payments"]})
    project.up()
    project.env["AZURE_CLIENT_SECRET"] = "not-the-secret"
    refresh = project.refresh(check=False)
    assert not refresh.ok
    # counted where the CLI lists each resource's error once (its live rows repeat the row's last message)
    diagnostics = refresh.output.split("Diagnostics:", 1)[1]
    said = [line for line in diagnostics.splitlines() if "AADSTS7000215" in line and "set azure-peering" in line]
    assert len(said) == 1, refresh.output
    assert "the credential problem said above" in refresh.output, refresh.output
    assert "preflight=false" not in refresh.output
