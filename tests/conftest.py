"""Shared fixtures: one ARM emulator per session (HTTPS, real tokens, SQLite store) and hermetic Pulumi projects."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import PulumiProject, hermetic_env

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEED = REPO / "emulator" / "seeds" / "default.json"


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
