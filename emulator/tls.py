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
    bundle: Path  # the system's roots plus the emulator CA, for the generic variables (SSL_CERT_FILE, ...)
    cert: Path
    key: Path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


#: Where operating systems keep their trust store as one PEM file (the list Go's crypto/x509 reads), after the one
#: this Python's OpenSSL was built with. Never SSL_CERT_FILE: in a shell that ran ``env`` it is our own bundle.
SYSTEM_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Gentoo, Arch
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL 6
    "/etc/ssl/ca-bundle.pem",  # openSUSE
    "/etc/pki/tls/cacert.pem",  # OpenELEC
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # CentOS, RHEL 7
    "/etc/ssl/cert.pem",  # Alpine, macOS
)


def system_roots() -> tuple[bytes, str]:
    """The operating system's trust store as PEM, and where it came from.

    The system store holds what the machine's administrators added (a corporate or proxy root) besides the public
    roots; certifi's bundle has only the latter. certifi is the fallback where no system file is found.
    """
    for candidate in (ssl.get_default_verify_paths().openssl_cafile, *SYSTEM_BUNDLES):
        path = Path(candidate)
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if b"-----BEGIN CERTIFICATE-----" in data:
            return data, str(path.resolve())
    try:
        import certifi

        return Path(certifi.where()).read_bytes(), certifi.where()
    except Exception:  # no system store and no certifi: the emulator CA alone
        return b"", ""


def write_bundle(files: TlsFiles) -> None:
    """``ca-bundle.pem``: the system roots plus the emulator CA, rebuilt at every start (the store may change)."""
    roots, _ = system_roots()
    tmp = files.bundle.with_name(files.bundle.name + ".tmp")
    tmp.write_bytes(roots.rstrip(b"\n") + b"\n" + files.ca.read_bytes())
    os.replace(tmp, files.bundle)


def ensure_tls_files(data_dir: Path) -> TlsFiles:
    files = TlsFiles(data_dir / CA_FILE, data_dir / BUNDLE_FILE, data_dir / _SERVER_CERT, data_dir / _SERVER_KEY)
    if not (files.ca.exists() and files.cert.exists() and files.key.exists()):
        ca = trustme.CA(organization_name="pulumi-azure-peering ARM emulator")
        cert = ca.issue_cert("127.0.0.1", "localhost", "::1")
        files.ca.write_bytes(ca.cert_pem.bytes())
        files.cert.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
        _write_private(files.key, cert.private_key_pem.bytes())
    write_bundle(files)
    return files


def server_context(files: TlsFiles) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(files.cert), str(files.key))
    return ctx
