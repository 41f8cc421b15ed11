"""Fixtures of the provider-against-the-emulator suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def emu(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The session emulator (default seed), with the provider's process environment pointed at it (the test's
    runtime has nothing cached from before). A module that needs another estate defines its own ``emu``."""
    for key, value in emulator.env().items():
        monkeypatch.setenv(key, value)
    yield emulator
