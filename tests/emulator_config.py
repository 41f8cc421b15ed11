"""How tests point the provider at the emulator: its default seed, and its endpoints and credentials as provider
settings (environment variables, or ``azure-peering:*`` stack config)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.pulumi import REPO, PulumiProject

DEFAULT_SEED = REPO / "emulator" / "seeds" / "default.json"

#: The variable of the emulator's environment (``emulator.env()``) behind each provider setting it fills, by the
#: setting's camelCase name: the key of ``azure-peering:*`` stack config and of the package's provider.
EMULATOR_SETTINGS_ENV: Mapping[str, str] = {
    "armEndpoint": "AZURE_PEERING_ARM_ENDPOINT",
    "authorityHost": "AZURE_PEERING_AUTHORITY_HOST",
    "caBundle": "AZURE_PEERING_CA_BUNDLE",
    "tenantId": "AZURE_TENANT_ID",
    "clientId": "AZURE_CLIENT_ID",
    "clientSecret": "AZURE_CLIENT_SECRET",
}


def provider_settings(env: Mapping[str, str]) -> dict[str, str]:
    """The emulator's endpoints and credentials from its environment, as provider settings (camelCase keys)."""
    return {key: env[name] for key, name in EMULATOR_SETTINGS_ENV.items()}


def configure_through_stack(project: PulumiProject, env: Mapping[str, str], plain: Mapping[str, Any]) -> None:
    """Give the provider the emulator's settings as ``azure-peering:*`` stack config rather than environment: the
    plain ones written with ``plain`` (the project's own config) in one write, the client secret as a secret."""
    settings = provider_settings(env)
    secret = settings.pop("clientSecret")
    project.write_config({**plain, **{f"azure-peering:{key}": value for key, value in settings.items()}})
    project.config_set("azure-peering:clientSecret", secret, secret=True)
