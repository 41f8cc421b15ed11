"""Settings resolution: explicit overrides, then stack config, then environment; clouds; endpoint safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_azure_peering.provider.errors import SettingsError
from pulumi_azure_peering.provider.settings import Cloud, ProviderOverrides, resolve_settings

pytestmark = pytest.mark.unit


def test_defaults_are_public_azure() -> None:
    s = resolve_settings(None, {}, environ={})
    assert s.cloud is Cloud.PUBLIC
    assert s.arm_endpoint == "https://management.azure.com"
    assert s.token_scope == "https://management.azure.com/.default"
    assert s.authority_host == "https://login.microsoftonline.com"
    assert not s.custom_authority
    assert s.verify is True


@pytest.mark.parametrize(
    ("cloud", "arm", "scope", "authority"),
    [
        (
            "AzureUSGovernment",
            "https://management.usgovcloudapi.net",
            "https://management.usgovcloudapi.net/.default",
            "https://login.microsoftonline.us",
        ),
        (
            "AzureChinaCloud",
            "https://management.chinacloudapi.cn",
            "https://management.chinacloudapi.cn/.default",
            "https://login.chinacloudapi.cn",
        ),
    ],
)
def test_sovereign_clouds(cloud: str, arm: str, scope: str, authority: str) -> None:
    s = resolve_settings(None, {"azure-peering:cloud": cloud}, environ={})
    assert (s.arm_endpoint, s.token_scope, s.authority_host) == (arm, scope, authority)


def test_unknown_cloud_is_refused_with_the_known_names() -> None:
    with pytest.raises(SettingsError, match="AzureUSGovernment"):
        resolve_settings(None, {"azure-peering:cloud": "Mars"}, environ={})


def test_custom_endpoint_scope_and_authority() -> None:
    s = resolve_settings(
        None,
        {
            "azure-peering:armEndpoint": "https://127.0.0.1:8443/",
            "azure-peering:authorityHost": "https://127.0.0.1:8444",
        },
        environ={},
    )
    assert s.arm_endpoint == "https://127.0.0.1:8443"
    assert s.token_scope == "https://127.0.0.1:8443/.default"
    assert s.custom_authority


def test_priority_overrides_then_config_then_environment() -> None:
    env = {"AZURE_PEERING_ARM_ENDPOINT": "https://env.test", "AZURE_TENANT_ID": "env-tenant", "AZURE_CLIENT_ID": "c"}
    config = {"azure-peering:armEndpoint": "https://config.test", "azure-peering:tenantId": "config-tenant"}
    s = resolve_settings(ProviderOverrides(arm_endpoint="https://explicit.test"), config, environ=env)
    assert s.arm_endpoint == "https://explicit.test"
    assert s.tenant_id == "config-tenant"
    assert s.client_id == "c"


def test_environment_names_of_the_emulator() -> None:
    env = {
        "AZURE_PEERING_ARM_ENDPOINT": "https://127.0.0.1:1",
        "AZURE_AUTHORITY_HOST": "https://127.0.0.1:2",
        "AZURE_TENANT_ID": "t",
        "AZURE_CLIENT_ID": "c",
        "AZURE_CLIENT_SECRET": "s",
        "AZURE_PEERING_AUXILIARY_TENANT_IDS": "a, b",
    }
    s = resolve_settings(None, {}, environ=env)
    assert s.authority_host == "https://127.0.0.1:2"
    assert (s.tenant_id, s.client_id, s.client_secret) == ("t", "c", "s")
    assert s.auxiliary_tenant_ids == ("a", "b")
    # the peering-specific authority wins over azure-identity's generic one
    s2 = resolve_settings(None, {}, environ={**env, "AZURE_PEERING_AUTHORITY_HOST": "https://127.0.0.1:3"})
    assert s2.authority_host == "https://127.0.0.1:3"


def test_secret_is_not_in_repr_and_only_hashed_in_fingerprint() -> None:
    s = resolve_settings(None, {"azure-peering:clientSecret": "hunter2-secret"}, environ={})
    assert "hunter2" not in repr(s)
    assert "hunter2" not in s.fingerprint()
    other = resolve_settings(None, {"azure-peering:clientSecret": "another"}, environ={})
    assert s.fingerprint() != other.fingerprint()


@pytest.mark.parametrize("value", ['["a","b"]', ["a", "b"], "a,b"])
def test_auxiliary_tenants_from_json_list_or_commas(value: object) -> None:
    s = resolve_settings(None, {"azure-peering:auxiliaryTenantIds": value}, environ={})
    assert s.auxiliary_tenant_ids == ("a", "b")


def test_more_than_three_auxiliary_tenants_is_refused() -> None:
    with pytest.raises(SettingsError, match="at most 3"):
        resolve_settings(None, {"azure-peering:auxiliaryTenantIds": "a,b,c,d"}, environ={})


def test_plain_http_is_refused() -> None:
    with pytest.raises(SettingsError, match="https"):
        resolve_settings(None, {"azure-peering:armEndpoint": "http://arm.example.com"}, environ={})


def test_http_loopback_needs_the_explicit_opt_in() -> None:
    with pytest.raises(SettingsError, match="allowInsecureLoopback"):
        resolve_settings(None, {"azure-peering:armEndpoint": "http://127.0.0.1:9000"}, environ={})
    s = resolve_settings(
        None,
        {"azure-peering:armEndpoint": "http://127.0.0.1:9000", "azure-peering:allowInsecureLoopback": "true"},
        environ={},
    )
    assert s.arm_endpoint == "http://127.0.0.1:9000"
    # the opt-in never extends to a non-loopback host
    with pytest.raises(SettingsError):
        resolve_settings(
            None,
            {"azure-peering:armEndpoint": "http://10.0.0.1", "azure-peering:allowInsecureLoopback": True},
            environ={},
        )


def test_ca_bundle_from_config_or_environment(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert resolve_settings(None, {"azure-peering:caBundle": str(bundle)}, environ={}).verify == str(bundle)
    assert resolve_settings(None, {}, environ={"REQUESTS_CA_BUNDLE": str(bundle)}).verify == str(bundle)
    with pytest.raises(SettingsError, match="caBundle"):
        resolve_settings(None, {"azure-peering:caBundle": str(tmp_path / "missing.pem")}, environ={})


def test_no_setting_turns_tls_verification_off() -> None:
    s = resolve_settings(None, {}, environ={"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": ""})
    assert s.verify is True
    for value in ("false", "0"):
        with pytest.raises(SettingsError, match="caBundle"):
            resolve_settings(None, {"azure-peering:caBundle": value}, environ={})


def test_overrides_hold_no_secret_field() -> None:
    assert "client_secret" not in ProviderOverrides.__dataclass_fields__
