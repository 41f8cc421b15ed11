"""A kill that empties the local backend's checkpoint metadata file (provider/checkpoint_files.py), through the real
CLI: what every Pulumi command then says, and `azure-peering-recover` making the stack loadable again without
changing the checkpoint's bytes.

The broken file is made as the CI run left it (a 0-byte ``<stack>.json.attrs`` beside a whole ``<stack>.json``,
found after `test_killed_up_resumes_on_a_new_runner[before-any-write]` failed with `failed to load checkpoint: EOF`),
since a SIGKILL cannot be aimed at the instant between the driver's truncate and its write.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.pulumi import PulumiProject, hermetic_env
from pulumi_azure_peering.provider.checkpoint_files import local_backend_root, unreadable_metadata
from tests.reliability.kill import recover

pytestmark = pytest.mark.reliability

PROJECT = "metadata-kill"


@pytest.fixture
def stack(tmp_path: Path) -> PulumiProject:
    workdir = tmp_path / "project"
    workdir.mkdir()
    (workdir / "Pulumi.yaml").write_text(f"name: {PROJECT}\nruntime: yaml\noutputs:\n  answer: 42\n", encoding="utf-8")
    project = PulumiProject(workdir, "ci", hermetic_env(tmp_path / "state"))
    project.select()
    project.up()
    return project


def stack_files(project: PulumiProject) -> Path:
    root = local_backend_root(project.env["PULUMI_BACKEND_URL"])
    assert root is not None
    return root / ".pulumi" / "stacks" / PROJECT


def test_an_emptied_checkpoint_metadata_file_is_repaired_without_touching_the_checkpoint(
    stack: PulumiProject,
) -> None:
    folder = stack_files(stack)
    checkpoint = (folder / "ci.json").read_bytes()
    (folder / "ci.json.attrs").write_bytes(b"")

    # what the kill leaves: no Pulumi command can load the stack, the documented first one included
    for args in (("stack", "export"), ("cancel", "--yes")):
        broken = stack.run(*args, check=False)
        assert not broken.ok and "failed to load checkpoint: EOF" in broken.output, broken.output

    looked = recover(stack, "--dry-run")
    assert looked.ok, looked.output
    (line, *rest) = looked.stdout.splitlines()
    assert line.startswith("azure-peering-recover: removed ") and "ci.json.attrs is empty" in line, line
    assert "the state is unchanged" in line and rest == ["azure-peering-recover: no pending create of a peering"]
    assert (folder / "ci.json").read_bytes() == checkpoint
    assert unreadable_metadata(folder.parent.parent.parent, PROJECT) == []

    assert stack.outputs() == {"answer": 42}
    stack.up()  # the next write of the stack writes a new metadata file
    assert (folder / "ci.json.attrs").read_bytes().startswith(b"{")
    again = recover(stack)
    assert again.ok and again.stdout.splitlines() == ["azure-peering-recover: no pending create of a peering"]


def test_a_metadata_file_beside_a_checkpoint_that_is_not_whole_is_left_alone(stack: PulumiProject) -> None:
    """Only the failure the driver is known to leave is repaired: a truncated checkpoint is another matter."""
    folder = stack_files(stack)
    (folder / "ci.json").write_bytes((folder / "ci.json").read_bytes()[:100])
    (folder / "ci.json.attrs").write_bytes(b"")
    looked = recover(stack, "--dry-run")
    assert not looked.ok and "removed" not in looked.output
    assert (folder / "ci.json.attrs").exists()
