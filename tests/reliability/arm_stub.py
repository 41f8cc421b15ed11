"""A tiny scripted ARM over HTTPS (or plain HTTP) on loopback: each (method, path) answers from a list of canned
responses (the last one repeats), and every request is recorded. For answers the emulator never gives: HTML pages
with 200, JSON of the wrong shape, operation URLs on another host."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import trustme

from pulumi_azure_peering.provider.arm import ArmClient, RetryPolicy
from pulumi_azure_peering.provider.settings import resolve_settings


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    """bytes/str as is, anything else as JSON; None for no body."""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


def html(status: int, title: str) -> Answer:
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return Answer(status, page, content_type="text/html")


def arm_not_found(code: str = "NotFound") -> Answer:
    """ARM's own 404 (a CloudError with a not-found code): the only answer that says a resource does not exist."""
    return Answer(404, {"error": {"code": code, "message": "The resource was not found.", "details": []}})


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class ArmStub:
    def __init__(self, tmp_path: Path, *, tls: bool = True) -> None:
        self.routes: dict[tuple[str, str], list[Answer]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.ca_path = tmp_path / "stub-ca.pem"
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = urlsplit(self.path).path
                answer = stub.answer(self.command, path, dict(self.headers.items()))
                payload = answer.payload()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in answer.headers.items():
                    self.send_header(key, value.replace("{base}", stub.url))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_PUT = do_DELETE = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        scheme = "http"
        if tls:
            ca = trustme.CA()
            ca.cert_pem.write_to_path(str(self.ca_path))
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def script(self, method: str, path: str, *answers: Answer) -> None:
        self.routes[(method, path.lower())] = list(answers)

    def answer(self, method: str, path: str, headers: dict[str, str]) -> Answer:
        with self._lock:
            self.seen.append(Seen(method, path, headers))
            queue = self.routes.get((method, path.lower()))
            if not queue:
                return Answer(404, {"error": {"code": "NotFound", "message": f"no script for {method} {path}"}})
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def calls(self, method: str, path: str) -> int:
        return sum(1 for s in self.seen if s.method == method and s.path.lower() == path.lower())


@contextmanager
def arm_stub(tmp_path: Path, *, tls: bool = True) -> Iterator[ArmStub]:
    stub = ArmStub(tmp_path, tls=tls)
    stub._thread.start()
    try:
        yield stub
    finally:
        stub.server.shutdown()
        stub.server.server_close()


# -- a peering the stub serves, and the provider's real ARM client pointed at the stub --------------------------

SUB = "11111111-1111-1111-1111-111111111111"
HUB = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub"
SPOKE = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/spoke"
PID = f"{HUB}/virtualNetworkPeerings/hub-to-spoke"
ATTEMPTS = 4


class StaticTokens:
    """A token source that always answers ``stub-token`` and counts how often the client threw its token away."""

    def __init__(self) -> None:
        self.invalidated = 0

    def token(self, tenant_id: str | None = None) -> str:
        return "stub-token"

    def invalidate(self) -> None:
        self.invalidated += 1

    def auxiliary_header(self, tenant_ids: Sequence[str]) -> str | None:
        return None


def client(stub: ArmStub) -> ArmClient:
    """The provider's real ARM client pointed at ``stub``: up to ``ATTEMPTS`` attempts, no waits between them."""
    config = {"azure-peering:armEndpoint": stub.url, "azure-peering:caBundle": str(stub.ca_path)}
    return ArmClient(
        resolve_settings(None, config, environ={}),
        tokens=StaticTokens(),  # type: ignore[arg-type]
        retry=RetryPolicy(sleep=lambda _: None, max_attempts=ATTEMPTS),
        poll_interval=0.0,
    )
