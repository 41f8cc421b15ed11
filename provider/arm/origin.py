"""The ARM endpoint: URLs on it, and the rule that credentials go nowhere else."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import SansIOHTTPPolicy

from ..errors import UntrustedEndpointError
from ..ids import quote_path


class ArmEndpoint:
    """One configured ARM endpoint (``https://management.azure.com``, the emulator's)."""

    def __init__(self, endpoint: str) -> None:
        self.base = endpoint
        parts = urlsplit(endpoint)
        self._origin = (parts.scheme, parts.netloc.lower())

    def url(self, path_or_url: str) -> str:
        """An absolute URL (ARM's own: nextLink, operation and Location URLs) as it is; a path (an ARM id, a
        collection) on the ARM endpoint with every segment percent-encoded (:func:`provider.ids.quote_path`), so
        that no value in an id can add a query (``?api-version=...``) or cut the path at a fragment (``#``)."""
        if path_or_url.startswith(("https://", "http://")):
            return path_or_url
        return f"{self.base}/{quote_path(path_or_url.lstrip('/'))}"

    def check(self, url: str) -> None:
        """:class:`UntrustedEndpointError` unless ``url`` is on this endpoint (an LRO URL could point anywhere)."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != self._origin:
            raise UntrustedEndpointError(
                f"refusing to send credentials to {parts.scheme}://{parts.netloc}, which is not the ARM endpoint "
                f"{self.base}",
                url=url,
            )


class OriginPolicy(SansIOHTTPPolicy[Any, Any]):
    """Bearer tokens only ever go to the configured ARM endpoint: any other URL is refused before a token is
    fetched (a refusal, not a fault: never retried)."""

    def __init__(self, endpoint: ArmEndpoint) -> None:
        self._endpoint = endpoint

    def on_request(self, request: PipelineRequest[Any]) -> None:
        self._endpoint.check(request.http_request.url)
