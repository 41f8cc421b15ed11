"""The project stands alone: no file git tracks cites notes kept outside the repository (a design document or a
reference folder beside the checkout). Each fact the code relies on is said in the project's own docs, with its
public source (docs/emulator.md, "What real Azure does, and where it came from")."""

from __future__ import annotations

import subprocess

import pytest

from harness.pulumi import REPO

pytestmark = pytest.mark.unit

#: Names of notes that live outside the repository.
OUTSIDE = ("arm-peering-behaviour", "shared/reference", "DESIGN.md", "USER-JOURNEYS")


def test_no_tracked_file_cites_notes_outside_the_repository() -> None:
    files = subprocess.run(["git", "-C", str(REPO), "ls-files"], capture_output=True, text=True, check=True)
    citing = []
    for name in files.stdout.splitlines():
        path = REPO / name
        if name == "tests/unit/test_stands_alone.py" or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        citing += [f"{name}: {word}" for word in OUTSIDE if word in text]
    assert citing == []
