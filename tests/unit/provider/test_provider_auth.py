"""Credentials: which azure-identity credential is built, auxiliary tokens, and token errors as one line."""

from __future__ import annotations

import base64
import json
import socket
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential, DefaultAzureCredential

from pulumi_azure_peering.provider.auth import TokenSource, build_credential
from pulumi_azure_peering.provider.errors import CredentialError, SettingsError
from pulumi_azure_peering.provider.settings import resolve_settings
from pulumi_azure_peering.provider.tenants import challenge_tenant, subscription_of, tokens_for_request

pytestmark = pytest.mark.unit

TENANT = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
CLIENT = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"


def settings(**config: Any) -> Any:
    return resolve_settings(None, {f"azure-peering:{k}": v for k, v in config.items()}, environ={})


def test_client_secret_credential_when_a_secret_is_configured() -> None:
    cred = build_credential(settings(tenantId="t", clientId="c", clientSecret="s"))
    assert isinstance(cred, ClientSecretCredential)


def test_a_secret_without_tenant_and_client_is_refused() -> None:
    with pytest.raises(SettingsError, match="tenantId"):
        build_credential(settings(clientSecret="s"))


@pytest.fixture
def default_credential_kwargs(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The keyword arguments of the last DefaultAzureCredential built (the real one is still built with them)."""
    seen: dict[str, Any] = {}
    original = DefaultAzureCredential.__init__

    def spy(self: DefaultAzureCredential, **kwargs: Any) -> None:
        seen.clear()
        seen.update(kwargs)
        original(self, **kwargs)

    monkeypatch.setattr(DefaultAzureCredential, "__init__", spy)
    return seen


def test_default_credential_otherwise_and_custom_authority_disables_instance_discovery(
    default_credential_kwargs: dict[str, Any],
) -> None:
    seen = default_credential_kwargs
    cred = build_credential(settings(authorityHost="https://127.0.0.1:8443", tenantId="t"))
    assert isinstance(cred, DefaultAzureCredential)
    assert seen["disable_instance_discovery"] is True
    assert seen["authority"] == "https://127.0.0.1:8443"
    build_credential(settings())
    assert "disable_instance_discovery" not in seen


def test_an_empty_secret_in_the_environment_leaves_the_rest_of_the_default_chain(
    monkeypatch: pytest.MonkeyPatch, default_credential_kwargs: dict[str, Any]
) -> None:
    """AZURE_CLIENT_SECRET="" (a CI secret that is not defined) is no secret: DefaultAzureCredential is built without
    its EnvironmentCredential, which would take the empty variable and fail to build; a real secret keeps it."""
    monkeypatch.setenv("AZURE_TENANT_ID", "t")
    monkeypatch.setenv("AZURE_CLIENT_ID", "c")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "")
    resolved = resolve_settings(None, {}, environ={"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c"})
    assert isinstance(build_credential(resolved), DefaultAzureCredential)
    assert default_credential_kwargs.get("exclude_environment_credential") is True
    with pytest.raises(ValueError, match="client secret"):  # what the provider built before
        DefaultAzureCredential()
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "s")
    build_credential(resolved)
    assert "exclude_environment_credential" not in default_credential_kwargs


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[tuple[str, ...], str | None]] = []
        self.fail = fail

    def get_token(self, *scopes: str, tenant_id: str | None = None, **kwargs: Any) -> AccessToken:
        self.calls.append((scopes, tenant_id))
        if self.fail:
            raise ClientAuthenticationError("AADSTS7000215: Invalid client secret provided.\nTrace ID: x")
        return AccessToken(f"tok-{tenant_id or 'home'}", 0)


def test_tokens_use_the_settings_scope_and_auxiliary_tenants() -> None:
    rec = Recorder()
    source = TokenSource(settings(armEndpoint="https://arm.test", tenantId="home"), rec)
    assert source.authorization() == "Bearer tok-home"
    assert source.auxiliary_header(["a", "b", "a"]) == "Bearer tok-a, Bearer tok-b"
    assert rec.calls[0] == (("https://arm.test/.default",), None)
    assert source.auxiliary_header([]) is None
    with pytest.raises(SettingsError, match="at most 3"):
        source.auxiliary_header(["1", "2", "3", "4"])


def test_token_failure_is_one_line_with_the_fix() -> None:
    source = TokenSource(settings(), Recorder(fail=True))
    with pytest.raises(CredentialError) as info:
        source.token("other")
    message = str(info.value)
    assert "\n" not in message and "tenant other" in message and "clientSecret" in message


def test_concurrent_first_requests_fetch_one_token_per_tenant() -> None:
    import threading
    import time

    class CachingCredential:
        """Like azure-identity's credentials: slow on a cold cache, instant once a token is cached."""

        def __init__(self) -> None:
            self.fetches = 0
            self.cache: dict[str | None, AccessToken] = {}

        def get_token(self, *scopes: str, tenant_id: str | None = None, **kwargs: Any) -> AccessToken:
            if tenant_id not in self.cache:
                self.fetches += 1
                time.sleep(0.05)
                self.cache[tenant_id] = AccessToken(f"token-{tenant_id}", int(time.time()) + 3600)
            return self.cache[tenant_id]

    credential = CachingCredential()
    source = TokenSource(settings(tenantId="t", clientId="c", clientSecret="s"), credential=credential)
    threads = [threading.Thread(target=source.token) for _ in range(4)]
    threads += [threading.Thread(target=source.token, args=("other-tenant",)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert credential.fetches == 2


def test_each_request_takes_the_owners_token_and_the_pairs_other_tenants_as_auxiliary() -> None:
    # the subscription is the home tenant's (or not known to be another's): home token, the others auxiliary
    assert tokens_for_request(None, "home", ["p1", "HOME"]) == (None, ["p1"])
    assert tokens_for_request("home", "home", ["p1"]) == (None, ["p1"])
    # a partner's subscription: the partner's token, and the home tenant's goes along
    assert tokens_for_request("p1", "home", ["p1", "p2"]) == ("p1", ["home", "p2"])
    with pytest.raises(SettingsError, match="at most 3 auxiliary tokens"):
        tokens_for_request("p1", "home", ["p1", "p2", "p3", "p4"])


def test_the_tenant_comes_from_arms_challenge_and_the_subscription_from_the_path() -> None:
    header = (
        'Bearer authorization_uri="https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47", '
        'error="invalid_token", error_description="The access token is from the wrong issuer."'
    )
    assert challenge_tenant(header) == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert challenge_tenant('Bearer authorization_uri="https://login.windows.net/", error="invalid_token"') is None
    assert challenge_tenant(None) is None
    assert subscription_of("https://arm.test/subscriptions/ABC/resourceGroups/rg?api-version=1") == "abc"
    assert subscription_of("/subscriptions/abc/providers/Microsoft.Network/locations/x/operations/1") == "abc"
    assert subscription_of("/providers/Microsoft.Network/operations") is None


def test_the_home_tenant_is_the_configured_one_else_the_tokens_tid() -> None:
    assert TokenSource(settings(armEndpoint="https://arm.test", tenantId="home"), Recorder()).home_tenant() == "home"
    claims = base64.urlsafe_b64encode(json.dumps({"tid": "t-from-token"}).encode()).decode().rstrip("=")

    class Signed(Recorder):
        def get_token(self, *scopes: str, tenant_id: str | None = None, **kwargs: Any) -> AccessToken:
            return AccessToken(f"header.{claims}.signature", 0)

    assert TokenSource(settings(armEndpoint="https://arm.test"), Signed()).home_tenant() == "t-from-token"


def test_an_authority_that_cannot_be_reached_is_named_with_the_setting_not_the_credentials() -> None:
    """A real azure-identity credential asking a port nothing listens on (an emulator restarted on a new port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    authority = f"https://127.0.0.1:{port}"
    config = {"authorityHost": authority, "tenantId": TENANT, "clientId": CLIENT, "clientSecret": "s3cret-value"}
    source = TokenSource(settings(**config))
    with pytest.raises(CredentialError) as info:
        source.token()
    message = str(info.value)
    assert "\n" not in message and "s3cret-value" not in message
    assert f"the authority {authority} could not be reached" in message, message
    assert "azure-peering:authorityHost" in message and "azure-peering-emulator env" in message
    assert "clientSecret" not in message  # the credentials were never tried: naming them would mislead
