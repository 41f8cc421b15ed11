"""Security: no client secret, access token or auxiliary token in state, CLI output (even at -v=9) or the
emulator's logs; TLS verification cannot be switched off; plain http only for loopback and only when asked for;
the emulator refuses unauthenticated, forged and cross-tenant requests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.pulumi import PulumiProject, PulumiResult
from pulumi_azure_peering.provider.arm import ArmClient, Deadline
from pulumi_azure_peering.provider.errors import ArmConnectionError, SettingsError
from pulumi_azure_peering.provider.settings import resolve_settings
from tests.emulator_config import PARTNER_TENANT, SUB_PARTNER, seeded_vnet
from tests.provider_on_emulator.programs import peering_program
from tests.reliability.arm_stub import Answer, ArmStub, arm_stub
from tests.reliability.consistency import assert_one_line_causes

pytestmark = pytest.mark.reliability

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.")
PAIR = (
    {"local": "vnet-hub", "remote": "vnet-payments"},
    {"local": "vnet-payments", "remote": "vnet-hub"},
    # cross-tenant: the PUT carries an auxiliary token of the partner tenant
    {"local": "vnet-hub", "remote": "vnet-partner", "auxiliary_tenant_ids": [PARTNER_TENANT]},
)


def assert_clean(where: str, text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"a client secret is in {where}"
    match = JWT.search(text)
    assert match is None, f"a token is in {where}: {text[max(0, match.start() - 80) : match.start()]!r}"
    assert "Bearer " not in text, f"an Authorization header value is in {where}"


def test_no_secret_or_token_in_state_output_or_emulator_logs(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    secrets = [t.client_secret for t in emulator.connection.tenants]
    project = make_project(peering_program(*PAIR), env={"AZURE_CLIENT_SECRET": ""})  # secret from config only
    project.config_set("azure-peering:clientSecret", secrets[0], secret=True)
    seq = emulator.last_request_seq()
    runs: list[PulumiResult] = [
        project.run("up", "--yes", "--skip-preview", "--logtostderr", "--logflow", "-v=9"),
        project.refresh(),
        project.preview(expect_no_changes=True),
    ]
    # the tokens really were used: the cross-tenant PUT needed the partner tenant's auxiliary token
    writes = [r for r in emulator.request_log(since=seq) if r["method"] == "PUT"]
    assert any("vnet-hub-to-vnet-partner" in r["path"] and r["status"] in (200, 201) for r in writes), writes
    # the provider pickled into state holds no settings besides plain overrides
    for resource in project.export()["deployment"]["resources"]:
        blob = (resource.get("inputs") or {}).get("__provider")
        if isinstance(blob, str):
            assert_clean("a pickled provider", base64.b64decode(blob).decode("latin-1"), secrets)
    runs.append(project.destroy())

    for i, run in enumerate(runs):
        assert_clean(f"the output of `pulumi {' '.join(run.args[:1])}` #{i}", run.output, secrets)
    assert_clean("the backend (checkpoints, history, backups)", project.backend_files_text(), secrets)
    home = Path(project.env["PULUMI_HOME"])
    for path in home.rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000 and "plugins" not in path.parts:
            assert_clean(str(path), path.read_bytes().decode("utf-8", "replace"), secrets)
    assert_clean("the emulator's log", emulator.log_path.read_text(errors="replace"), secrets)
    log = json.dumps(emulator.request_log(since=0))
    assert_clean("the emulator's request log", log, secrets)
    for name in ("requests.sqlite3",):
        path = emulator.data_dir / name
        if path.exists():
            assert_clean(str(path), path.read_bytes().decode("utf-8", "replace"), secrets)


# -- TLS and plain http ----------------------------------------------------------------------------------------


PEERING = f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/p"


class Tokens:
    def token(self, tenant_id: str | None = None) -> str:
        return "t"

    def invalidate(self) -> None:
        pass

    def auxiliary_header(self, tenant_ids: Any) -> None:
        return None


def test_tls_verification_cannot_be_switched_off(stub: ArmStub, monkeypatch: pytest.MonkeyPatch) -> None:
    # what usually turns verification off in Python HTTP stacks
    for name, value in {
        "CURL_CA_BUNDLE": "",
        "REQUESTS_CA_BUNDLE": "",
        "PYTHONHTTPSVERIFY": "0",
        "AZURE_PEERING_CA_BUNDLE": "",
        "SSL_CERT_FILE": "",
    }.items():
        monkeypatch.setenv(name, value)
    stub.script("GET", PEERING, Answer(200, {"id": PEERING}))
    for ca_bundle in ("", "false", "0", "no", "none", None):
        config = {"azure-peering:armEndpoint": stub.url, "azure-peering:caBundle": ca_bundle}
        try:
            settings = resolve_settings(None, {k: v for k, v in config.items() if v is not None})
        except SettingsError as exc:
            assert "not a readable file" in str(exc)
            continue
        assert settings.verify is True  # never False: a CA bundle path or the default trust store
        client = ArmClient(settings, tokens=Tokens())  # type: ignore[arg-type]
        with pytest.raises(ArmConnectionError, match=r"TLS verification failed .* set azure-peering:caBundle"):
            client.send("GET", PEERING, deadline=Deadline(5))
    assert stub.seen == []  # no request ever got through the handshake


@pytest.mark.parametrize(
    ("url", "allowed_with_flag"),
    [
        ("http://127.0.0.1:8443", True),
        ("http://localhost:8443", True),
        ("http://[::1]:8443", True),
        ("http://10.0.0.1", False),
        ("http://management.azure.com", False),
        ("http://localhost.example.com", False),
        ("http://127.0.0.1.nip.io", False),
        ("ftp://127.0.0.1", False),
    ],
)
@pytest.mark.parametrize("key", ["armEndpoint", "authorityHost"])
def test_plain_http_only_for_loopback_and_only_when_asked(url: str, allowed_with_flag: bool, key: str) -> None:
    """Plain http only for an ARM endpoint on loopback with allowInsecureLoopback; never for the token service,
    which azure-identity only reaches over https (it refuses any other authority when the credential is built)."""
    with pytest.raises(SettingsError, match=key):
        resolve_settings(None, {f"azure-peering:{key}": url}, environ={})
    config = {f"azure-peering:{key}": url, "azure-peering:allowInsecureLoopback": "true"}
    if allowed_with_flag and key == "armEndpoint":
        resolve_settings(None, config, environ={})
    else:
        with pytest.raises(SettingsError, match=key):
            resolve_settings(None, config, environ={})


def test_an_http_authority_is_refused_in_one_line_since_azure_identity_cannot_use_it() -> None:
    config = {"azure-peering:authorityHost": "http://127.0.0.1:8443", "azure-peering:allowInsecureLoopback": True}
    with pytest.raises(SettingsError, match="applies to armEndpoint only"):
        resolve_settings(None, config, environ={})
    # what accepting it led to: the credential cannot be built
    from azure.identity import ClientSecretCredential

    with pytest.raises(ValueError, match="TLS protected"):
        ClientSecretCredential("t", "c", "s", authority="http://127.0.0.1:8443")


def test_a_loopback_http_endpoint_works_once_allowed(tmp_path: Path) -> None:
    with arm_stub(tmp_path, tls=False) as plain:
        plain.script("GET", PEERING, Answer(200, {"id": PEERING}))
        config = {"azure-peering:armEndpoint": plain.url, "azure-peering:allowInsecureLoopback": True}
        client = ArmClient(resolve_settings(None, config, environ={}), tokens=Tokens())  # type: ignore[arg-type]
        assert client.get_json(PEERING, deadline=Deadline(5)) == {"id": PEERING}


def test_engine_refuses_http_and_untrusted_tls_in_one_line(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    program = peering_program({"local": "vnet-hub", "remote": "vnet-payments"})
    seq = emulator.last_request_seq()
    http_endpoint = emulator.arm_endpoint.replace("https://", "http://")
    project = make_project(program, env={"AZURE_PEERING_ARM_ENDPOINT": http_endpoint})
    result = project.preview(check=False)
    assert not result.ok and "uses plain http" in result.output and "allowInsecureLoopback" in result.output

    untrusted = {"AZURE_PEERING_CA_BUNDLE": "", "REQUESTS_CA_BUNDLE": "", "SSL_CERT_FILE": ""}
    project = make_project(program, env=untrusted)
    result = project.up(check=False)
    causes = assert_one_line_causes(result) if "provider.errors" in result.output else {}
    assert "azure-peering:caBundle" in result.output, result.output[-2000:]
    assert all("caBundle" in line for line in causes.values()), causes
    # nothing reached ARM over an unverified connection
    assert [r for r in emulator.request_log(since=seq) if r["path"].startswith("/subscriptions")] == []


# -- the emulator's door ---------------------------------------------------------------------------------------


def raw_get(emulator: Any, path: str, headers: dict[str, str]) -> requests.Response:
    s = requests.Session()
    s.trust_env = False
    url = f"{emulator.arm_endpoint}{path}?api-version=2025-05-01"
    return s.get(url, headers=headers, verify=emulator.ca_bundle, timeout=30)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(claims: dict[str, Any], header: dict[str, Any], key: bytes | None) -> str:
    """A JWT built by hand (PyJWT refuses to make the dangerous ones): ``key`` None leaves it unsigned."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest()) if key else ""
    return f"{signing_input}.{signature}"


def test_emulator_refuses_unauthenticated_forged_and_cross_tenant_requests(emulator: Any) -> None:
    hub = seeded_vnet("vnet-hub")
    good = emulator.token()
    claims = jwt.decode(good, options={"verify_signature": False})
    kid = jwt.get_unverified_header(good).get("kid")
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = requests.Session()
    jwks.trust_env = False
    public_pem = (
        jwt.PyJWK(
            jwks.get(
                f"{emulator.authority_host}/{claims['tid']}/discovery/v2.0/keys", verify=emulator.ca_bundle, timeout=30
            ).json()["keys"][0]
        )
        .key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    unsigned = hand_made(claims, {"alg": "none", "typ": "JWT"}, None)
    # algorithm confusion: HMAC keyed with the public key, which anyone can fetch from the JWKS
    confused = hand_made(claims, {"alg": "HS256", "typ": "JWT", "kid": kid}, public_pem.encode())
    cases = {
        "no token": ({}, 401, "AuthenticationFailed"),
        "not a bearer": ({"Authorization": f"Basic {good}"}, 401, "AuthenticationFailed"),
        "garbage": ({"Authorization": "Bearer garbage"}, 401, "InvalidAuthenticationToken"),
        "signed by another key": (
            {"Authorization": f"Bearer {jwt.encode(claims, other_key, algorithm='RS256', headers={'kid': kid})}"},
            401,
            "InvalidAuthenticationToken",
        ),
        "alg none": ({"Authorization": f"Bearer {unsigned}"}, 401, "InvalidAuthenticationToken"),
        "hs256 with the public key": (
            {"Authorization": f"Bearer {confused}"},
            401,
            "InvalidAuthenticationToken",
        ),
        "tenant A's token on tenant B's subscription": (
            {"Authorization": f"Bearer {good}"},
            401,
            "InvalidAuthenticationTokenTenant",
        ),
    }
    for name, (headers, status, code) in cases.items():
        path = f"/subscriptions/{SUB_PARTNER}" if "tenant B" in name else hub
        r = raw_get(emulator, path, headers)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), name

    # cross-tenant peering: needs an auxiliary token *of the remote tenant*
    peering = f"{hub}/virtualNetworkPeerings/hub-to-partner"
    body = {"properties": {"remoteVirtualNetwork": {"id": seeded_vnet("vnet-partner")}}}
    aux_header = "x-ms-authorization-auxiliary"
    for aux in (None, f"Bearer {good}", "Bearer garbage", ", ".join([f"Bearer {good}"] * 4)):
        headers = {aux_header: aux} if aux else {}
        r = emulator.arm("PUT", peering, json=body, headers=headers)
        assert r.status_code in (400, 403), (aux and aux[:20], r.status_code, r.text)
    assert emulator.arm("GET", peering).status_code == 404
    partner = f"Bearer {emulator.token(PARTNER_TENANT)}"
    assert emulator.arm("PUT", peering, json=body, headers={aux_header: partner}).status_code in (200, 201)

    # an expired token stays expired
    emulator.expire_tokens()
    time.sleep(0.01)
    r = raw_get(emulator, hub, {"Authorization": f"Bearer {good}"})
    assert (r.status_code, r.json()["error"]["code"]) == (401, "ExpiredAuthenticationToken")

    # admin routes need the admin key
    s = requests.Session()
    s.trust_env = False
    for headers in ({}, {"x-emulator-admin": "guess"}):
        r = s.get(f"{emulator.arm_endpoint}/_emulator/state", headers=headers, verify=emulator.ca_bundle, timeout=30)
        assert r.status_code in (401, 403)
