"""How tests point the provider at the emulator: its default seed and the estate it holds (subscriptions, tenants,
vnet ids), and its endpoints and credentials as provider settings (environment variables, or ``azure-peering:*``
stack config)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from harness.pulumi import REPO, PulumiProject
from harness.topology import vnet_id

DEFAULT_SEED = REPO / "emulator" / "seeds" / "default.json"

_SEED: dict[str, Any] = json.loads(DEFAULT_SEED.read_text())
_SUBSCRIPTION_OF_GROUP = {group["name"]: group["subscriptionId"] for group in _SEED["resourceGroups"]}

#: The default seed's subscriptions, by what the estate keeps there: the hub's (also the emulator's
#: ``AZURE_SUBSCRIPTION_ID``: the primary tenant's first), the spokes', and the partner tenant's.
SUB_HUB = _SUBSCRIPTION_OF_GROUP["rg-hub"]
SUB_SPOKES = _SUBSCRIPTION_OF_GROUP["rg-spokes"]
SUB_PARTNER = _SUBSCRIPTION_OF_GROUP["rg-partner"]
#: The default seed's tenants: the primary one (the emulator's ``AZURE_TENANT_ID``), which holds ``SUB_HUB`` and
#: ``SUB_SPOKES``, and the partner's, which holds ``SUB_PARTNER``.
HOME_TENANT = next(t["tenantId"] for t in _SEED["tenants"] if t.get("primary"))
PARTNER_TENANT = next(t["tenantId"] for t in _SEED["tenants"] if not t.get("primary"))

#: Where the seeds (the default one and examples/hub_spoke's, which share its subscriptions and resource groups)
#: keep the vnets that are not spokes.
_NOT_SPOKES = {
    "vnet-hub": (SUB_HUB, "rg-hub"),
    "vnet-identity": (SUB_HUB, "rg-hub"),
    "vnet-partner": (SUB_PARTNER, "rg-partner"),
}


def seeded_vnet(name: str) -> str:
    """ARM id of the vnet ``name`` where the seeds put it: ``vnet-hub`` and ``vnet-identity`` in the hub's
    ``rg-hub``, ``vnet-partner`` in the partner's ``rg-partner``, any other (those a test adds too) in the spokes'
    ``rg-spokes``."""
    return vnet_id(*_NOT_SPOKES.get(name, (SUB_SPOKES, "rg-spokes")), name)


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
