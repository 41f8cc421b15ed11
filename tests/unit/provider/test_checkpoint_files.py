"""The local backend's checkpoint metadata check (provider/checkpoint_files.py) on plain files; the CLI's side of
it is in tests/reliability/test_checkpoint_metadata.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_azure_peering.provider.checkpoint_files import (
    local_backend_root,
    remove_unreadable_metadata,
    unreadable_metadata,
)

pytestmark = pytest.mark.unit

ATTRS = b'{"user.content_type":"text/plain; charset=utf-8","md5":"YdKmMu7YDkxvC2we7TzxRw=="}'


def _stack(root: Path, project: str | None, files: dict[str, bytes]) -> Path:
    folder = root / ".pulumi" / "stacks" / (project or "")
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_only_file_backends_have_such_files() -> None:
    assert local_backend_root("file:///tmp/some%20state") == Path("/tmp/some state")
    assert local_backend_root("s3://bucket/prefix") is None
    assert local_backend_root("https://api.pulumi.com") is None
    assert local_backend_root("") is None


def test_an_empty_or_garbled_metadata_file_beside_a_whole_checkpoint_is_found(tmp_path: Path) -> None:
    folder = _stack(
        tmp_path,
        "proj",
        {
            "ci.json": b'{"version":3}',
            "ci.json.attrs": b"",
            "ci.json.bak": b'{"version":3}',
            "ci.json.bak.attrs": b'{"user.content',
            "prod.json": b'{"version":3}',
            "prod.json.attrs": ATTRS,
        },
    )
    found = unreadable_metadata(tmp_path, "proj")
    assert [(f.metadata.name, f.size) for f in found] == [("ci.json.attrs", 0), ("ci.json.bak.attrs", 14)]
    assert "is empty" in found[0].describe() and "14 bytes, not JSON" in found[1].describe()
    remove_unreadable_metadata(found)
    assert sorted(p.name for p in folder.iterdir()) == ["ci.json", "ci.json.bak", "prod.json", "prod.json.attrs"]


def test_what_is_not_the_known_failure_is_left_alone(tmp_path: Path) -> None:
    _stack(
        tmp_path,
        "proj",
        {
            "torn.json": b'{"version":3, "checkpoint": {',  # a checkpoint that is not whole: not this failure
            "torn.json.attrs": b"",
            "orphan.json.attrs": b"",  # no checkpoint beside it
            "meta.yaml.attrs": b"",  # not a checkpoint
            "meta.yaml": b"version: 1",
        },
    )
    _stack(tmp_path, "other-project", {"ci.json": b"{}", "ci.json.attrs": b""})
    assert unreadable_metadata(tmp_path, "proj") == []


def test_the_project_less_layout_is_looked_at_too(tmp_path: Path) -> None:
    _stack(tmp_path, None, {"dev.json": b"{}", "dev.json.attrs": b""})
    assert [f.metadata.name for f in unreadable_metadata(tmp_path, "proj")] == ["dev.json.attrs"]
    assert [f.metadata.name for f in unreadable_metadata(tmp_path / "missing", None)] == []
