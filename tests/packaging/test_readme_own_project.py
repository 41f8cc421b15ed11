"""The root README's "Use it in your own project", run as written in a project outside the repository (issue 27
item 3): the project as ``pulumi new python`` makes it (the README's ``Pulumi.yaml``, a ``venv``), then the
section's shell blocks in order, line by line (tests/engine/readme_blocks.py): the package installed from a clone
with the ``[emulator]`` extra, the emulator served with the ``demo`` seed, ``env`` exported, its vnets listed, the
emulator stopped and the shell taken back. ``/path/to/pulumi-azure-peering`` is a fresh copy of the tracked files.

Its blocks that are not run (the install alternatives, a real service principal) carry their reasons, listed below.
In the packaging suite: like the others here, it installs into a fresh venv with pip (dependencies from the
package index, through pip's cache), which the other suites never do.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.pulumi import REPO
from tests.engine.readme_blocks import fresh_clone, run_blocks, shell_blocks

pytestmark = pytest.mark.packaging

SECTION = "Use it in your own project"
#: The reasons' first words of the blocks not run, in the README's order.
NOT_RUN = ["four alternatives", "a real service principal's"]


def project_yaml() -> str:
    """The README's ``Pulumi.yaml`` of a user's project (the section's first ``yaml`` block)."""
    text = (REPO / "README.md").read_text()
    section = text[text.index(f"## {SECTION}") :]
    found = re.search(r"^```yaml\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    assert found, "no Pulumi.yaml in the README's section"
    return found.group(1)


def test_use_it_in_your_own_project_runs_as_written(tmp_path: Path) -> None:
    blocks = shell_blocks(REPO / "README.md", SECTION)
    reasons = [b.not_run for b in blocks if b.not_run is not None]
    assert len(reasons) == len(NOT_RUN), reasons
    assert all(r.startswith(s) for r, s in zip(reasons, NOT_RUN, strict=True)), reasons
    assert len(blocks) > len(reasons), "nothing to run"

    clone = fresh_clone(tmp_path / "pulumi-azure-peering", links=False)
    project = tmp_path / "network"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(project_yaml())
    assert "virtualenv: venv" in (project / "Pulumi.yaml").read_text()
    subprocess.run([sys.executable, "-m", "venv", project / "venv"], check=True)  # what `pulumi new python` does

    replace = {"/path/to/pulumi-azure-peering": str(clone)}
    proc = run_blocks(blocks, "README.md", project, tmp_path, timeout=900, replace=replace)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    assert "vnet-hub" in proc.stdout and "vnet-payments" in proc.stdout, output[-6000:]
    assert (project / ".state" / "emulator" / "connection.json").is_file()  # the emulator's data: in the project
    assert not (clone / ".state").exists()
