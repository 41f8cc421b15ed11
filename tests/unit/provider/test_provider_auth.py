"""Credentials: which azure-identity credential is built, auxiliary tokens, and token errors as one line."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential, DefaultAzureCredential

from pulumi_azure_peering.provider.auth import TokenSource, build_credential
from pulumi_azure_peering.provider.errors import CredentialError, SettingsError
from pulumi_azure_peering.provider.settings import resolve_settings

pytestmark = pytest.mark.unit


def settings(**config: Any) -> Any:
    return resolve_settings(None, {f"azure-peering:{k}": v for k, v in config.items()}, environ={})


def test_client_secret_credential_when_a_secret_is_configured() -> None:
    cred = build_credential(settings(tenantId="t", clientId="c", clientSecret="s"))
    assert isinstance(cred, ClientSecretCredential)


def test_a_secret_without_tenant_and_client_is_refused() -> None:
    with pytest.raises(SettingsError, match="tenantId"):
        build_credential(settings(clientSecret="s"))


def test_default_credential_otherwise_and_custom_authority_disables_instance_discovery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}
    original = DefaultAzureCredential.__init__

    def spy(self: DefaultAzureCredential, **kwargs: Any) -> None:
        seen.update(kwargs)
        original(self, **kwargs)

    monkeypatch.setattr(DefaultAzureCredential, "__init__", spy)
    cred = build_credential(settings(authorityHost="https://127.0.0.1:8443", tenantId="t"))
    assert isinstance(cred, DefaultAzureCredential)
    assert seen["disable_instance_discovery"] is True
    assert seen["authority"] == "https://127.0.0.1:8443"
    seen.clear()
    build_credential(settings())
    assert "disable_instance_discovery" not in seen


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
    assert source.auxiliary_header(["a", "b", "a", "home"]) == "Bearer tok-a, Bearer tok-b"
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
