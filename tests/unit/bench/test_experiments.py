"""The profile's experiments (``--provider-workers``, ``--parallel``) reach every project the bench runs: the
concurrent stacks' split projects and their floors ran with the defaults before, so an experiment's concurrent rows
measured something else than they said."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bench import provider_probe, suite
from bench.profiles import PROFILES
from bench.programs import HUB_SPOKE
from bench.topology import HubSpokeTopology

pytestmark = pytest.mark.unit


class _Project:
    """Stands in for BenchProject, which initialises a Pulumi stack: records what the suite sets on it."""

    def __init__(self, workdir: Path, *_: Any, **__: Any) -> None:
        self.workdir = workdir
        self.env: dict[str, str | None] = {}
        self.parallel: int | None = None

    def set_env(self, name: str, value: str | None) -> None:
        self.env[name] = value


class _Emulator:
    pid = None

    def env(self) -> dict[str, str]:
        return {}


@pytest.mark.parametrize(("workers", "parallel"), [(16, 32), (None, None)])
def test_every_project_the_suite_makes_runs_the_profiles_experiments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int | None, parallel: int | None
) -> None:
    monkeypatch.setattr(suite, "BenchProject", _Project)
    profile = replace(PROFILES["smoke"], provider_workers=workers, engine_parallel=parallel)
    bench = suite.Suite(profile, tmp_path, log=lambda *_: None)
    bench._emulator = _Emulator()  # type: ignore[assignment]
    topology = HubSpokeTopology.generate(2, "00000000-0000-0000-0000-000000000001")
    made: list[Any] = [
        bench._project("reads", HUB_SPOKE, topology),
        bench._split_project("concurrent-hub", suite.SPLIT_HUB_PROGRAM, "hub-network", "prod", "s3://bucket"),
    ]
    for project in made:
        assert project.parallel == parallel, project.workdir
        assert project.env.get(provider_probe.WORKERS_ENV) == (str(workers) if workers else None), project.workdir
