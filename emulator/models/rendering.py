"""How a response body is rendered: the api-version the client asked for, and the sparse-bodies switch.

Real Azure's property set varies with the api-version and it omits optional properties rather than sending them
empty. The models decide per property what to show from a :class:`Rendering`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: What bodies are rendered as when no request says (admin state dumps, seeds): the emulator's documented version.
DEFAULT_API_VERSION = "2025-05-01"


@dataclass(frozen=True)
class Rendering:
    api_version: str = DEFAULT_API_VERSION
    #: Omit every optional property real Azure may leave out, whatever the api-version (the ``sparse_bodies``
    #: setting): for testing that clients cope with absent properties.
    sparse: bool = False

    def at_most(self, api_version: str) -> bool:
        """Whether the requested api-version is ``api_version`` or older (ISO dates compare as strings)."""
        return self.api_version[:10] <= api_version
