"""Packaging fixtures: the sdist and wheel built from this checkout (pip's cache keeps the venvs the tests install
them into quick after the first run)."""

from __future__ import annotations

import sys

import pytest

from harness.pulumi import REPO
from tests.packaging.helpers import Dist, run


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """`python -m build` of this checkout: the sdist, then the wheel built from that sdist."""
    out = tmp_path_factory.mktemp("dist")
    log = run(sys.executable, "-m", "build", "--outdir", out, REPO)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Dist(sdist, wheel, log)
