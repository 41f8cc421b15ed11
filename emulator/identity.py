"""Entra-shaped identity: tenants, app registrations, subscriptions, and signed RS256 access tokens.

The signing key is generated once per data directory. Validation results are cached per token string so the hot
path (every ARM request) costs a dictionary lookup and two comparisons.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import errors

DEFAULT_TOKEN_LIFETIME = 3600.0
_CACHE_LIMIT = 20000


@dataclass(frozen=True)
class Claims:
    """What ARM needs from a validated access token."""

    tenant_id: str
    client_id: str
    object_id: str
    audience: str
    issued_at: float
    expires_at: float


def service_principal_object_id(client_id: str, tenant_id: str) -> str:
    """The enterprise application's object id in one tenant: stable per (app, tenant)."""
    return str(uuid.uuid5(uuid.UUID(tenant_id), client_id.lower()))


def new_client_secret() -> str:
    return secrets.token_urlsafe(30)


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def load_or_create_signing_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


class TokenService:
    """Issues and validates access tokens."""

    def __init__(
        self,
        key_path: Path,
        *,
        authority_host: str,
        arm_endpoint: str,
        lifetime: float,
        plain_http_endpoint: str | None = None,
    ) -> None:
        self._key = load_or_create_signing_key(key_path)
        self._public = self._key.public_key()
        der = self._public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:20]).rstrip(b"=").decode()
        self.authority_host = authority_host
        self.arm_endpoint = arm_endpoint
        self.lifetime = lifetime
        self.not_before = 0.0  # tokens issued before this instant count as expired (admin expire-tokens)
        own = [arm_endpoint, *([plain_http_endpoint] if plain_http_endpoint else [])]
        self.allowed_audiences = frozenset([*errors.ARM_PUBLIC_AUDIENCES, *own, *(e + "/" for e in own)])
        self._cache: dict[str, Claims | None] = {}
        self._lock = threading.Lock()

    def issue(self, tenant_id: str, client_id: str, resource: str) -> tuple[str, int]:
        now = time.time()
        lifetime = int(self.lifetime)
        oid = service_principal_object_id(client_id, tenant_id)
        claims = {
            "aud": resource,
            "iss": f"https://sts.windows.net/{tenant_id}/",
            "iat": int(now),
            "nbf": int(now),
            "exp": math.ceil(now + lifetime),  # never shorter than the lifetime announced in expires_in
            "appid": client_id,
            "appidacr": "1",
            "idp": f"https://sts.windows.net/{tenant_id}/",
            "idtyp": "app",
            "oid": oid,
            "sub": oid,
            "tid": tenant_id,
            "uti": secrets.token_urlsafe(16),
            "ver": "1.0",
            # iat has whole seconds only; expire-tokens needs to tell apart tokens issued within one second.
            "xms_iat_ms": int(now * 1000),
        }
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid, "x5t": self.kid})
        return token, lifetime

    def _decode(self, token: str) -> Claims | None:
        try:
            data = jwt.decode(
                token,
                self._public,
                algorithms=["RS256"],
                options={"verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
            return Claims(
                tenant_id=str(data["tid"]),
                client_id=str(data["appid"]),
                object_id=str(data["oid"]),
                audience=str(data["aud"]),
                issued_at=float(data.get("xms_iat_ms", data["iat"] * 1000)) / 1000.0,
                expires_at=float(data["exp"]),
            )
        except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
            return None

    def validate(self, token: str, *, now: float | None = None) -> Claims:
        """The token's claims, or an ArmError (401) naming what is wrong with it."""
        claims = self._cache.get(token, False)
        if claims is False:
            claims = self._decode(token)
            with self._lock:
                if len(self._cache) >= _CACHE_LIMIT:
                    self._cache.clear()
                self._cache[token] = claims
        if claims is None:
            raise errors.invalid_authentication_token(self.authority_host)
        assert isinstance(claims, Claims)
        if claims.audience not in self.allowed_audiences:
            raise errors.invalid_authentication_token_audience(self.authority_host, claims.audience)
        current = time.time() if now is None else now
        if claims.expires_at <= current:
            raise errors.expired_authentication_token(self.authority_host, claims.expires_at, current)
        if claims.issued_at < self.not_before:
            # Forced expiry: report it the way ARM reports a token past its expiry.
            raise errors.expired_authentication_token(self.authority_host, self.not_before, current)
        return claims

    def expire_all(self) -> None:
        self.not_before = time.time()

    def jwks(self) -> dict[str, Any]:
        numbers = self._public.public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "kid": self.kid,
                    "x5t": self.kid,
                    "n": _b64url_uint(numbers.n),
                    "e": _b64url_uint(numbers.e),
                    "alg": "RS256",
                }
            ]
        }
