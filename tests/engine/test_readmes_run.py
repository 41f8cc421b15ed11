"""Every README runs as written (issue 27 item 3): the shell blocks of each example's README, in order, in one shell,
in a fresh copy of the repository's tracked files (with the ``.venv`` and ``.tools`` that ``make demo`` leaves),
against the emulator each README starts itself; a line that fails, or a process the README leaves running, fails
the test with the README's line. Blocks marked ``<!-- readme-runs: not run: REASON -->`` are not run
(tests/engine/readme_blocks.py); which those are is listed here, so that a new one is a decision, not an accident.

Hermetic: ``HOME`` and ``PULUMI_HOME`` in a temporary folder, the state in the local folders the READMEs name, no
``AZURE_*`` or ``PULUMI_*`` variable of the caller's and none of its PATH entries into this checkout or venv; the
emulator and moto listen on 127.0.0.1 only. The one thing set for the READMEs that a person does by hand:
``PULUMI_SKIP_CONFIRMATIONS`` answers ``pulumi up``'s and ``pulumi destroy``'s "Do you want to perform this
update?" with yes, as a person at the prompt would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.pulumi import REPO
from tests.engine.readme_blocks import fresh_clone, run_blocks, shell_blocks

pytestmark = pytest.mark.engine

#: Each README run, with text its run must print (a stack output or the emulator's listing: the pairs are there).
RUN = {
    "examples/hub_spoke/README.md": ['"spoke_to_hub_state": "Connected"'],
    "examples/single_peering/README.md": ["local-to-remote Connected FullyInSync rg-net/vnet-b"],
    "examples/new_network/README.md": ["vnet-hub", "vnet-right"],
    "examples/yaml_hub_spoke/README.md": ['"spokeToHubState": "Connected"'],
    "examples/split_ownership/README.md": ['"spoke_to_hub_state": "Connected"'],
    "examples/ts_hub_spoke/README.md": ['"spokeToHubState": "Connected"'],
}
#: The blocks not run, by README, with the reason's first words: a marker added or removed must show up here.
NOT_RUN: dict[str, list[str]] = {}


def test_blocks_not_run_are_the_listed_ones() -> None:
    found: dict[str, list[str]] = {}
    for readme in sorted((REPO / "examples").glob("*/README.md")):
        for block in shell_blocks(readme):
            if block.not_run is not None:
                found.setdefault(str(readme.relative_to(REPO)), []).append(block.not_run)
    assert found.keys() == NOT_RUN.keys(), found
    for name, starts in NOT_RUN.items():
        reasons = found[name]
        assert len(reasons) == len(starts), reasons
        assert all(reason.startswith(start) for reason, start in zip(reasons, starts, strict=True)), reasons
    every = {str(p.relative_to(REPO)) for p in (REPO / "examples").glob("*/README.md")}
    assert every == set(RUN) | set(NOT_RUN)


@pytest.mark.parametrize("readme", sorted(RUN))
def test_readme_runs_as_written(readme: str, tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path / "clone")
    blocks = shell_blocks(clone / readme)
    assert [b for b in blocks if b.not_run is None], f"{readme} has no block to run"
    proc = run_blocks(blocks, readme, clone, tmp_path, timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    printed = "".join(proc.stdout.split())  # stack outputs print as indented or compact JSON
    for text in RUN[readme]:
        assert "".join(text.split()) in printed, output[-6000:]
    assert not (clone / ".state" / "examples").exists() or not any((clone / ".state" / "examples").iterdir())


def test_the_emulators_walkthroughs_run_as_written(tmp_path: Path) -> None:
    """docs/emulator.md's walkthroughs, one after the other as the page says: make demo, a resize and its sync, a
    Disconnected pair and its recovery, a gateway still provisioning, the clean-up."""
    clone = fresh_clone(tmp_path / "clone")
    page = "docs/emulator.md"
    blocks = shell_blocks(clone / page, "Walkthroughs")
    assert len(blocks) == 5 and all(b.not_run is None for b in blocks), blocks
    proc = run_blocks(blocks, page, clone, tmp_path, timeout=900)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    for said in (
        "LocalNotInSync",  # the resize, before the sync
        "Disconnected",  # the deleted spoke side's pair, before the recovery
        "still provisioning",  # the spokes waiting for the hub's gateway
    ):
        assert said in output, f"{said!r} not in the walkthroughs' output:\n{output[-6000:]}"
