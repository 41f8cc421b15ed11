"""HTTP layer: a threading HTTPS server (HTTP/1.1 keep-alive) and the request/response types handlers use.

The TLS handshake runs in the connection's own thread, never in the accept loop, so a slow or broken client
cannot stall other connections. Responses are written with one send (headers and body together) and
TCP_NODELAY, which keeps small request/response exchanges free of Nagle delays.
"""

from __future__ import annotations

import contextlib
import email.message
import json
import socket
import ssl
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from . import errors

RESET = "reset"
_HANDSHAKE_TIMEOUT = 10.0
_IDLE_TIMEOUT = 300.0
_MAX_BODY = 8 * 1024 * 1024


@dataclass
class Request:
    method: str
    path: str
    raw_query: str
    query: dict[str, str]  # keys lower-cased: ARM query parameter names are case-insensitive
    headers: email.message.Message
    body: bytes
    segments: list[str] = field(default_factory=list)
    origin: str = ""  # scheme://host:port of the listener that took the request ("" when not served)

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.invalid_request_content(str(exc)) from None


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    code: str | None = None  # ARM error code, for the request log
    action: str | None = None  # RESET: close the connection without answering
    content_type: str = "application/json; charset=utf-8"
    delay: float = 0.0  # seconds to wait before answering (injected slowness)
    fault: str | None = None

    @classmethod
    def error(cls, exc: errors.ArmError, headers: dict[str, str] | None = None) -> Response:
        return cls(exc.status, exc.body(), {**(headers or {}), **exc.headers}, code=exc.code)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, separators=(",", ":")).encode()


def parse_target(target: str) -> tuple[str, str, dict[str, str], list[str]]:
    path, _, raw_query = target.partition("?")
    query = {k.lower(): v for k, v in parse_qsl(raw_query, keep_blank_values=True)}
    segments = [unquote(s) for s in path.split("/") if s]
    return path, raw_query, query, segments


Dispatcher = Callable[[Request], Response]
Recorder = Callable[[Request, Response, float], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ArmEmulator/1.0"
    sys_version = ""
    server: EmulatorHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log (without headers or tokens) is the record of what happened."""

    def _handle(self) -> None:
        started = time.perf_counter()
        path, raw_query, query, segments = parse_target(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        request = Request(self.command, path, raw_query, query, self.headers, body, segments, self.server.origin)
        response = self.server.dispatch(request)
        if response.delay > 0:
            time.sleep(response.delay)
        # Logged before the client can have its answer: whoever reads the request log after a response (a test
        # counting calls) finds that request in it.
        self.server.record(request, response, (time.perf_counter() - started) * 1000.0)
        if response.action == RESET:
            self._reset()
        else:
            self._write(response)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = _handle

    def _write(self, response: Response) -> None:
        payload = response.encode()
        lines = [f"HTTP/1.1 {response.status} {self.responses.get(response.status, ('',))[0]}"]
        headers = {
            "Content-Type": response.content_type,
            "Content-Length": str(len(payload)),
            "Date": self.date_time_string(),
            "Server": self.server_version,
            "Cache-Control": "no-cache",
            **response.headers,
        }
        if self.close_connection:
            headers["Connection"] = "close"
        lines.extend(f"{k}: {v}" for k, v in headers.items())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command == "HEAD":
            payload = b""
        self.wfile.write(head + payload)

    def _reset(self) -> None:
        """Drop the connection without a response (TCP RST via SO_LINGER 0)."""
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.close()

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        ssl_context: ssl.SSLContext | None,
        dispatch: Dispatcher,
        record: Recorder,
    ) -> None:
        """``ssl_context`` None: plain http (``serve --plain-http``, a second listener for tests of clients that
        allow http on loopback)."""
        super().__init__(address, _Handler)
        self.ssl_context = ssl_context
        self.dispatch = dispatch
        self._record = record
        scheme = "https" if ssl_context is not None else "http"
        host, port = self.server_address[:2]
        self.origin = f"{scheme}://{host!s}:{int(port)}"

    def record(self, request: Request, response: Response, latency_ms: float) -> None:
        self._record(request, response, latency_ms)

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request.settimeout(_HANDSHAKE_TIMEOUT)
            tls = request if self.ssl_context is None else self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return
        try:
            tls.settimeout(_IDLE_TIMEOUT)
            self.RequestHandlerClass(tls, client_address, self)  # type: ignore[arg-type]
        except (OSError, ssl.SSLError):
            pass
        finally:
            with contextlib.suppress(OSError):
                tls.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection-level errors (client went away) are not worth a traceback."""
