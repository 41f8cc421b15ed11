"""A local (``file://``) Pulumi state backend's checkpoint files, and the one repair a killed run can need there.

Pulumi's local backend writes a stack's checkpoint through the gocloud.dev ``fileblob`` driver (pinned engine
v3.274.1, gocloud.dev v0.46): the checkpoint is written to a temporary file and renamed into place, so it is always
whole, but its metadata file beside it (``<stack>.json.attrs``: a content type and an MD5) is truncated and written
in place (``setAttrs``: ``os.Create`` then a JSON encode). A ``pulumi up`` killed between those two steps (a cancelled
CI job) leaves that metadata file empty, and from then on every command on the stack fails with ``failed to load
checkpoint: EOF`` (``stack export``, ``cancel``, ``up``; ``stack ls`` with ``error: EOF``): the driver decodes the
metadata before it reads any blob. Seen in this project's CI (a kill landed there: a 0-byte ``test.json.attrs`` beside
a whole ``test.json``) and reproduced through the CLI by emptying the file.

The metadata file is optional to the driver (a blob without one reads with default metadata; Pulumi never checks
its MD5), so the repair is to remove an unreadable one, and only when the checkpoint beside it is whole JSON: the
checkpoint's bytes are not touched. The next write of the stack writes a new metadata file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

#: The driver's suffix for a blob's metadata file.
METADATA_SUFFIX = ".attrs"
#: Checkpoint names the local backend writes (plain JSON; the compressed variants are read through their own
#: decoders, so only their metadata is checked here, not their content).
CHECKPOINT_SUFFIXES = (".json", ".json.bak", ".json.gz", ".json.zst")


@dataclass(frozen=True)
class UnreadableMetadata:
    """A checkpoint's metadata file that cannot be decoded, beside a checkpoint that is whole."""

    metadata: Path
    checkpoint: Path
    size: int

    def describe(self) -> str:
        what = "empty" if self.size == 0 else f"{self.size} bytes, not JSON"
        return (
            f"{self.metadata} is {what} (a run killed while Pulumi wrote it); the checkpoint {self.checkpoint.name} "
            "beside it is whole"
        )


def local_backend_root(backend_url: str) -> Path | None:
    """The folder of a ``file://`` backend URL; None for any other backend (nothing of this module applies)."""
    parsed = urlparse(backend_url)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


def _checkpoint_of(metadata: Path) -> Path | None:
    checkpoint = metadata.with_name(metadata.name.removesuffix(METADATA_SUFFIX))
    if not checkpoint.name.endswith(CHECKPOINT_SUFFIXES) or not checkpoint.is_file():
        return None
    return checkpoint


def _whole(checkpoint: Path) -> bool:
    if not checkpoint.name.endswith((".json", ".json.bak")):
        return True  # a compressed checkpoint: renamed into place whole like the others, its content not ours to read
    try:
        json.loads(checkpoint.read_bytes())
    except (OSError, ValueError):
        return False
    return True


def _readable(metadata: Path) -> bool:
    try:
        json.loads(metadata.read_bytes())
    except ValueError:
        return False
    return True


def unreadable_metadata(backend_root: Path, project: str | None) -> list[UnreadableMetadata]:
    """The unreadable metadata files of the project's stack checkpoints (``.pulumi/stacks/<project>/``, and the
    older project-less layout ``.pulumi/stacks/``) whose checkpoint is whole. A metadata file beside a checkpoint
    that is not whole is left alone: that is not the failure this module knows how to repair."""
    stacks = backend_root / ".pulumi" / "stacks"
    folders = [stacks / project] if project else []
    folders.append(stacks)
    found: list[UnreadableMetadata] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for metadata in sorted(folder.glob(f"*{METADATA_SUFFIX}")):
            checkpoint = _checkpoint_of(metadata)
            if checkpoint is None or _readable(metadata) or not _whole(checkpoint):
                continue
            found.append(UnreadableMetadata(metadata, checkpoint, metadata.stat().st_size))
    return found


def remove_unreadable_metadata(found: list[UnreadableMetadata]) -> None:
    """Remove the files :func:`unreadable_metadata` found: the driver then reads their checkpoints with default
    metadata, and Pulumi's next write of each stack writes a new one."""
    for item in found:
        item.metadata.unlink(missing_ok=True)
