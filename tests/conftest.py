"""Shared fixtures: one ARM emulator per session (HTTPS, real tokens, SQLite store) and hermetic Pulumi projects."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.pulumi import PulumiProject, hermetic_env
from tests.emulator_config import DEFAULT_SEED
from tests.suites import suite_marker_problems

if TYPE_CHECKING:
    from pulumi_azure_peering.provider.runtime import Runtime


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test carries exactly one suite marker, its folder's (tests/suites.py): else nothing runs."""
    problems = suite_marker_problems(
        (item.nodeid, item.path, [marker.name for marker in item.iter_markers()]) for item in items
    )
    if problems:
        raise pytest.UsageError("tests without exactly their folder's suite marker:\n" + "\n".join(problems))


@pytest.fixture(autouse=True)
def runtime() -> Iterator[Runtime]:
    """Each test is one provider process (one command): it gets a runtime of its own (``provider.runtime``), with an
    empty ownership ledger, no vnet facts or peering reads cached and no credential problem told, whatever the
    tests before it did. ``next_command`` starts another one within a test."""
    from pulumi_azure_peering.provider.runtime import Runtime, use_runtime

    with use_runtime(Runtime()) as fresh:
        yield fresh


@pytest.fixture
def next_command() -> Iterator[Callable[[], Runtime]]:
    """Start the next command's provider process within a test: a fresh runtime from then on (a new ledger, nothing
    cached), as the engine starts a new process for each command. Returns the new runtime."""
    from pulumi_azure_peering.provider.runtime import Runtime, use_runtime

    with ExitStack() as commands:
        yield lambda: commands.enter_context(use_runtime(Runtime()))


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
