"""Shared fixtures: one ARM emulator per session (HTTPS, real tokens, SQLite store) and hermetic Pulumi projects."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import PulumiProject, hermetic_env
from tests.emulator_config import DEFAULT_SEED


@pytest.fixture(autouse=True)
def _fresh_peering_reads() -> Iterator[None]:
    """Each test starts with no peering reads counted or listed in this process (``provider.peering_reads``), as
    a dynamic-provider process starts each command: whether a read is answered by a listing then depends on the
    test's own reads only, not on the tests before it."""
    from pulumi_azure_peering.provider.peering_reads import PEERING_READS

    PEERING_READS.clear()
    yield
    PEERING_READS.clear()


@pytest.fixture(autouse=True)
def _fresh_run_ledger() -> Iterator[None]:
    """Each test is one engine run for the provider's ownership ledger (``provider.ownership``): a dynamic-provider
    process serves one command and starts with an empty ledger. Tests that drive several runs reset it between."""
    from pulumi_azure_peering.provider.errors import forget_told_problems
    from pulumi_azure_peering.provider.ownership import LEDGER

    LEDGER.reset()
    forget_told_problems()
    yield
    LEDGER.reset()
    forget_told_problems()


@pytest.fixture(scope="session")
def emulator_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One emulator for the session (latency 0.05 s per write, like a very fast ARM); tests reset it."""
    from pulumi_azure_peering.emulator.testing import EmulatorProcess

    data_dir = tmp_path_factory.mktemp("emulator")
    with EmulatorProcess(data_dir=data_dir, seed=DEFAULT_SEED, latency=0.05) as emu:
        yield emu


@pytest.fixture
def emulator(emulator_session: Any) -> Any:
    """The session emulator, reset to the default seed, with no faults and the default latency."""
    emulator_session.set_faults("")
    emulator_session.set_latency(0.05)
    emulator_session.reset()
    emulator_session.seed(json.loads(DEFAULT_SEED.read_text()))
    return emulator_session


@pytest.fixture
def make_project(tmp_path: Path, emulator: Any) -> Callable[..., PulumiProject]:
    """Factory: a Pulumi project for a program text, wired to the emulator through environment variables only."""
    counter = iter(range(1000))

    def factory(
        program: str,
        *,
        stack: str = "test",
        config: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> PulumiProject:
        n = next(counter)
        state = tmp_path / f"state{n}"
        full_env = hermetic_env(state, {**emulator.env(), **(env or {})})
        return PulumiProject.from_program(tmp_path / f"project{n}", program, full_env, stack=stack, config=config)

    return factory
