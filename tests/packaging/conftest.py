"""Packaging fixtures: the sdist and wheel built from this checkout, the 0.1.0 wheel built from its commit, and
fresh virtualenvs to install them into (pip's cache keeps those quick after the first run)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.pulumi import REPO

#: The last commit of the 0.1.0 layout (top-level `provider`, `components`, `emulator` import names).
RELEASE_0_1_0 = "26eb619"
CONSTRAINTS = REPO / "constraints.txt"
FLOOR_CONSTRAINTS = REPO / "constraints-floor.txt"


def run(*argv: str | Path, cwd: Path | None = None) -> str:
    """Run a command; fail the test with its output if it fails. Returns stdout and stderr together."""
    proc = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=900, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(map(str, argv))} exited {proc.returncode}:\n{output[-6000:]}"
    return output


@dataclass
class Dist:
    sdist: Path
    wheel: Path
    #: What `python -m build` printed (setuptools' warnings among it).
    log: str


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """`python -m build` of this checkout: the sdist, then the wheel built from that sdist."""
    out = tmp_path_factory.mktemp("dist")
    log = run(sys.executable, "-m", "build", "--outdir", out, REPO)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Dist(sdist, wheel, log)


@pytest.fixture(scope="session")
def legacy_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 0.1.0 wheel, built from the source of its commit (git archive, no checkout touched)."""
    src = tmp_path_factory.mktemp("src-0.1.0")
    archive = src / "source.tar"
    run("git", "-C", REPO, "archive", "--format=tar", "-o", archive, RELEASE_0_1_0)
    with tarfile.open(archive) as tar:
        tar.extractall(src / "tree", filter="data")
    out = tmp_path_factory.mktemp("dist-0.1.0")
    run(sys.executable, "-m", "build", "--wheel", "--outdir", out, src / "tree")
    (wheel,) = out.glob("*.whl")
    assert wheel.name.startswith("pulumi_azure_peering-0.1.0-"), wheel.name
    return wheel


def make_venv(path: Path, *requirements: str | Path, constraints: Path = CONSTRAINTS) -> Path:
    """A fresh virtualenv at `path` (this Python) with `requirements` installed under `constraints`; its python."""
    run(sys.executable, "-m", "venv", path)
    python = path / "bin" / "python"
    pip_install(python, *requirements, constraints=constraints)
    return python


def pip_install(python: Path, *requirements: str | Path, constraints: Path = CONSTRAINTS) -> str:
    return run(
        python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", constraints, *requirements
    )


def site_packages(python: Path) -> Path:
    return Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
