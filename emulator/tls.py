"""The emulator's own CA and server certificate (trustme), created once per data directory and reused."""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

CA_FILE = "ca.pem"
BUNDLE_FILE = "ca-bundle.pem"
_SERVER_CERT = "server.pem"
_SERVER_KEY = "server-key.pem"


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    bundle: Path  # the emulator CA plus the public roots, for shells whose other HTTPS traffic must keep working
    cert: Path
    key: Path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _public_roots() -> bytes:
    try:
        import certifi

        return Path(certifi.where()).read_bytes()
    except Exception:  # certifi is only a convenience here
        return b""


def ensure_tls_files(data_dir: Path) -> TlsFiles:
    files = TlsFiles(data_dir / CA_FILE, data_dir / BUNDLE_FILE, data_dir / _SERVER_CERT, data_dir / _SERVER_KEY)
    if not (files.ca.exists() and files.cert.exists() and files.key.exists()):
        ca = trustme.CA(organization_name="pulumi-azure-peering ARM emulator")
        cert = ca.issue_cert("127.0.0.1", "localhost", "::1")
        files.ca.write_bytes(ca.cert_pem.bytes())
        files.cert.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
        _write_private(files.key, cert.private_key_pem.bytes())
    if not files.bundle.exists():
        files.bundle.write_bytes(files.ca.read_bytes() + b"\n" + _public_roots())
    return files


def server_context(files: TlsFiles) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(files.cert), str(files.key))
    return ctx
