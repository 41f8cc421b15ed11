"""What a dynamic resource's pickled provider (its ``__provider`` input in the state) refers to, read back the way
the engine's dynamic-provider process loads it (dill), noting every global it names."""

from __future__ import annotations

import base64
import io
from typing import Any

import dill


class RecordingUnpickler(dill.Unpickler):  # type: ignore[misc]
    """dill's unpickler, noting every global (module, name) the pickle refers to."""

    def __init__(self, blob: bytes) -> None:
        super().__init__(io.BytesIO(blob))
        self.globals: list[tuple[str, str]] = []

    def find_class(self, module: str, name: str) -> Any:
        self.globals.append((module, name))
        return super().find_class(module, name)


def load_pickled_provider(pickled: str) -> tuple[Any, list[tuple[str, str]]]:
    """The provider a ``__provider`` input holds (base64 of a dill pickle), and every global (module, name) it
    names, in order."""
    unpickler = RecordingUnpickler(base64.b64decode(pickled))
    provider = unpickler.load()
    return provider, unpickler.globals
