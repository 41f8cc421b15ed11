"""Identity: the token service with azure-identity, ARM's 401s, and cross-tenant peering with auxiliary tokens."""

from __future__ import annotations

import time

import jwt
import pytest
import requests

from pulumi_azure_peering.emulator.testing import EmulatorProcess

from .helpers import (
    SUB_A,
    SUB_B,
    TENANT_A,
    TENANT_B,
    error_code,
    peering_path,
    put_peering,
    seed_vnets,
    vnet_id,
    vnet_spec,
)

pytestmark = pytest.mark.emulator

VNETS = f"/subscriptions/{SUB_A}/providers/Microsoft.Network/virtualNetworks"


def _get(emu: EmulatorProcess, path: str, headers: dict[str, str]) -> requests.Response:
    s = requests.Session()
    s.trust_env = False
    return s.get(f"{emu.arm_endpoint}{path}?api-version=2025-05-01", headers=headers, verify=emu.ca_bundle, timeout=30)


def test_azure_identity_obtains_signed_expiring_tokens(emu: EmulatorProcess) -> None:
    token = emu.credential().get_token("https://management.azure.com/.default")
    assert token.expires_on > time.time() + 3500
    header = jwt.get_unverified_header(token.token)
    assert header["alg"] == "RS256"
    s = requests.Session()
    s.trust_env = False
    config = s.get(
        f"{emu.authority_host}/{TENANT_A}/v2.0/.well-known/openid-configuration", verify=emu.ca_bundle
    ).json()
    assert config["token_endpoint"] == f"{emu.authority_host}/{TENANT_A}/oauth2/v2.0/token"
    keys = s.get(config["jwks_uri"], verify=emu.ca_bundle).json()["keys"]
    key = jwt.PyJWK(keys[0]).key
    claims = jwt.decode(token.token, key, algorithms=["RS256"], audience="https://management.azure.com")
    assert claims["tid"] == TENANT_A
    assert 3600 <= claims["exp"] - claims["iat"] <= 3601
    assert _get(emu, VNETS, {"Authorization": f"Bearer {token.token}"}).status_code == 200


def test_environment_configured_credential(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.identity import ClientSecretCredential

    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)
    env = emu.env()
    cred = ClientSecretCredential(
        env["AZURE_TENANT_ID"],
        env["AZURE_CLIENT_ID"],
        env["AZURE_CLIENT_SECRET"],
        authority=env["AZURE_AUTHORITY_HOST"],
        disable_instance_discovery=True,
    )
    token = cred.get_token(f"{env['AZURE_PEERING_ARM_ENDPOINT']}/.default").token  # the emulator's own audience
    assert _get(emu, VNETS, {"Authorization": f"Bearer {token}"}).status_code == 200


def test_token_endpoint_errors(emu: EmulatorProcess) -> None:
    s = requests.Session()
    s.trust_env = False
    creds = emu.primary
    url = f"{emu.authority_host}/{TENANT_A}/oauth2/v2.0/token"
    form = {
        "grant_type": "client_credentials",
        "client_id": creds.client_id,
        "scope": "https://management.azure.com/.default",
    }
    r = s.post(url, data={**form, "client_secret": "wrong"}, verify=emu.ca_bundle)
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
    r = s.post(
        url,
        data={**form, "client_secret": creds.client_secret, "scope": "https://management.azure.com/user_impersonation"},
        verify=emu.ca_bundle,
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_scope")
    unknown = "00000000-0000-0000-0000-000000000001"
    r = s.post(
        url.replace(TENANT_A, unknown), data={**form, "client_secret": creds.client_secret}, verify=emu.ca_bundle
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_tenant")
    other_app = {**form, "client_id": "00000000-0000-0000-0000-000000000002", "client_secret": "x"}
    r = s.post(url, data=other_app, verify=emu.ca_bundle)
    assert (r.status_code, r.json()["error"]) == (400, "unauthorized_client")


def test_missing_invalid_and_wrong_audience_tokens(emu: EmulatorProcess) -> None:
    r = _get(emu, VNETS, {})
    assert (r.status_code, error_code(r)) == (401, "AuthenticationFailed")
    assert "WWW-Authenticate" in r.headers
    r = _get(emu, VNETS, {"Authorization": "Basic abc"})
    assert (r.status_code, error_code(r)) == (401, "AuthenticationFailed")
    r = _get(emu, VNETS, {"Authorization": "Bearer not.a.token"})
    assert (r.status_code, error_code(r)) == (401, "InvalidAuthenticationToken")
    forged = jwt.encode(
        {"tid": TENANT_A, "aud": "https://management.azure.com"},
        "an-hmac-secret-of-at-least-32-bytes!!",
        algorithm="HS256",
    )
    r = _get(emu, VNETS, {"Authorization": f"Bearer {forged}"})
    assert (r.status_code, error_code(r)) == (401, "InvalidAuthenticationToken")
    graph = emu.token(scope="https://graph.microsoft.com/.default")
    r = _get(emu, VNETS, {"Authorization": f"Bearer {graph}"})
    assert (r.status_code, error_code(r)) == (401, "InvalidAuthenticationToken")
    assert "wrong audience" in r.json()["error"]["message"]


def test_expired_tokens(emu: EmulatorProcess) -> None:
    token = emu.token()
    emu.expire_tokens()
    r = _get(emu, VNETS, {"Authorization": f"Bearer {token}"})
    assert (r.status_code, error_code(r)) == (401, "ExpiredAuthenticationToken")
    assert emu.arm("GET", VNETS).status_code == 200  # a fresh token works
    emu.settings(token_lifetime=1)
    short = emu.token(scope="https://management.azure.com//.default")  # another scope: not from the cache
    assert _get(emu, VNETS, {"Authorization": f"Bearer {short}"}).status_code == 200
    time.sleep(max(0.0, jwt.decode(short, options={"verify_signature": False})["exp"] - time.time()) + 0.05)
    r = _get(emu, VNETS, {"Authorization": f"Bearer {short}"})
    assert error_code(r) == "ExpiredAuthenticationToken"
    assert "is earlier than current UTC time" in r.json()["error"]["message"]


def test_token_of_another_tenant(emu: EmulatorProcess) -> None:
    r = emu.arm("GET", VNETS, tenant_id=TENANT_B)
    assert (r.status_code, error_code(r)) == (401, "InvalidAuthenticationTokenTenant")
    assert f"https://sts.windows.net/{TENANT_A}/" in r.json()["error"]["message"]
    assert (
        emu.arm(
            "GET", f"/subscriptions/{SUB_B}/providers/Microsoft.Network/virtualNetworks", tenant_id=TENANT_B
        ).status_code
        == 200
    )


def test_cross_tenant_peering_needs_an_auxiliary_token(emu: EmulatorProcess) -> None:
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]))
    seed_vnets(emu, vnet_spec("b", ["10.2.0.0/16"]), sub=SUB_B)
    remote = vnet_id("b", SUB_B)
    r = put_peering(emu, "a", "a-b", remote)
    assert (r.status_code, error_code(r)) == (403, "LinkedAuthorizationFailed")
    message = r.json()["error"]["message"]
    assert "'Microsoft.Network/virtualNetworks/peer/action'" in message
    assert f"the current tenant '{TENANT_A}' is not authorized to access linked subscription '{SUB_B}'" in message

    wrong = put_peering(
        emu, "a", "a-b", remote, headers={"x-ms-authorization-auxiliary": f"Bearer {emu.token(TENANT_A)}"}
    )
    assert error_code(wrong) == "LinkedAuthorizationFailed"
    too_many = ", ".join([f"Bearer {emu.token(TENANT_B)}"] * 4)
    assert (
        error_code(put_peering(emu, "a", "a-b", remote, headers={"x-ms-authorization-auxiliary": too_many}))
        == "TooManyAuxiliaryTokens"
    )

    aux = f"Bearer {emu.token(TENANT_A)}, Bearer {emu.token(TENANT_B)}"
    assert put_peering(emu, "a", "a-b", remote, headers={"x-ms-authorization-auxiliary": aux}).status_code == 201
    back = put_peering(
        emu, "b", "b-a", vnet_id("a"), sub=SUB_B, tenant_id=TENANT_B,
        headers={"x-ms-authorization-auxiliary": f"Bearer {emu.token(TENANT_A)}"},
    )  # fmt: skip
    assert back.status_code == 201, back.text
    assert emu.arm("GET", peering_path("a", "a-b")).json()["properties"]["peeringState"] == "Connected"


def test_admin_routes_need_the_admin_key(emu: EmulatorProcess) -> None:
    s = requests.Session()
    s.trust_env = False
    assert s.get(f"{emu.arm_endpoint}/_emulator/health", verify=emu.ca_bundle).status_code == 200
    r = s.get(f"{emu.arm_endpoint}/_emulator/requests", verify=emu.ca_bundle)
    assert r.status_code == 401
    r = s.get(f"{emu.arm_endpoint}/_emulator/requests", headers={"x-emulator-admin": "guess"}, verify=emu.ca_bundle)
    assert r.status_code == 401
