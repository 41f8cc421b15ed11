"""One emulator for the emulator suite (latency 0, minimal identities), reset before every test.

These are the emulator's own contract tests: they pin ``sparse_bodies=False`` so that a run with
AZURE_PEERING_EMULATOR_SPARSE=1 (meant for the provider's and engine suites) does not change what they check.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_azure_peering.emulator.testing import EmulatorProcess


@pytest.fixture(scope="session")
def arm_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    with EmulatorProcess(data_dir=tmp_path_factory.mktemp("arm-emulator"), latency=0.0, sparse_bodies=False) as emu:
        yield emu


@pytest.fixture
def emu(arm_emulator: EmulatorProcess) -> EmulatorProcess:
    """The session emulator with no resources, no faults, latency 0 and page size 50."""
    arm_emulator.reset()
    return arm_emulator


@pytest.fixture
def private_emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """An emulator of its own (for restarts and start-up options); costs about a second."""
    with EmulatorProcess(data_dir=tmp_path / "emu", latency=0.0, sparse_bodies=False) as emu:
        yield emu
