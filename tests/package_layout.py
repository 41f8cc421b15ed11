"""The folders setup.py maps into ``pulumi_azure_peering`` (its ``SUBPACKAGE_FOLDERS``), read from setup.py itself so
that the tests of the layout and of the distribution follow a new part without a second list to keep in step."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _mapped_folders() -> tuple[str, ...]:
    tree = ast.parse((REPO / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "SUBPACKAGE_FOLDERS" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, tuple) and all(isinstance(v, str) for v in value)
            return value
    raise AssertionError("setup.py has no SUBPACKAGE_FOLDERS")


#: The top-level folders that install as ``pulumi_azure_peering.<folder>``.
MAPPED_FOLDERS: tuple[str, ...] = _mapped_folders()
