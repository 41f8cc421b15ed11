"""What the packaging tests share: running a command, fresh virtualenvs to install the built distribution into."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.pulumi import REPO

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


def make_venv(path: Path, *requirements: str | Path, constraints: Path = CONSTRAINTS) -> Path:
    """A fresh virtualenv at `path` (this Python) with `requirements` installed under `constraints`; its python."""
    run(sys.executable, "-m", "venv", path)
    python = path / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", constraints, *requirements)
    return python


def site_packages(python: Path) -> Path:
    return Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
