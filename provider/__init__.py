"""Azure virtual network peering for Pulumi: a dynamic provider over ARM (requests + azure-identity).

Public API::

    from pulumi_azure_peering.provider import VirtualNetworkPeering, VirtualNetworkPeeringArgs, PeeringTimeouts
    from pulumi_azure_peering.provider import get_virtual_network          # read-only vnet facts for planners
    from pulumi_azure_peering.provider import get_virtual_networks         # many at once (lists a shared group)
    (HubSpokePeering)
    from pulumi_azure_peering.provider.arm import ArmClient                # the ARM client itself
"""

from __future__ import annotations

if __name__ != "pulumi_azure_peering.provider":  # setup.py maps this folder into the package
    raise ImportError(f"{__name__!r} is pulumi_azure_peering.provider: import it by that name, never as a second copy")

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .arm import Deadline
from .errors import (
    ArmError,
    ArmNotFoundError,
    CredentialError,
    OperationFailedError,
    OperationTimeoutError,
    PeeringAlreadyExistsError,
    PeeringError,
    PeeringOperationError,
    SettingsError,
)
from .facts import VnetFacts
from .lazy_exports import lazy_exports
from .peering import PeeringTimeouts, VirtualNetworkPeering, VirtualNetworkPeeringArgs
from .resource import VirtualNetworkPeeringProvider
from .runtime import Runtime, process_runtime
from .settings import CONFIG_NAMESPACE, Cloud, ProviderOverrides, Settings, resolve_settings
from .vnet_facts import Lookup, fetch_vnet_facts

if TYPE_CHECKING:
    from .arm import ArmClient, RetryPolicy

# The ARM client's classes are imported when first named (provider/lazy_exports.py says why).
__getattr__, __dir__ = lazy_exports(__name__, {"ArmClient": ".arm", "RetryPolicy": ".arm"})


def program_config() -> dict[str, Any]:
    """The ``azure-peering:*`` stack config as seen from a running Pulumi program (empty outside one)."""
    from pulumi.runtime.config import get_config

    from .resource import CONFIG_KEYS

    config: dict[str, Any] = {}
    for key in CONFIG_KEYS:
        full = f"{CONFIG_NAMESPACE}:{key}"
        try:
            value = get_config(full)
        except Exception:  # outside a Pulumi program there is no config
            value = None
        if value is not None:
            config[full] = value
    return config


def settings_for_program(overrides: ProviderOverrides | None = None) -> Settings:
    """Settings resolved the way the provider does, from inside a Pulumi program (config, then environment)."""
    return resolve_settings(overrides, program_config())


def get_virtual_network(
    vnet_id: str,
    *,
    auxiliary_tenant_ids: Sequence[str] = (),
    overrides: ProviderOverrides | None = None,
    timeout: float = 120.0,
    settings: Settings | None = None,
) -> dict[str, Any] | None:
    """Look a virtual network up in ARM, read-only: None when it does not exist, else a dict with
    ``id``, ``name``, ``location``, ``provisioning_state``, ``address_prefixes``, ``subnets`` (name -> prefixes),
    ``gateways`` (id, provisioning_state), ``has_gateway`` (one is Succeeded), ``gateway_provisioning`` (one is
    still being created) and ``peerings``. Uses the same settings resolution as the provider (or ``settings``,
    already resolved); cached briefly."""
    settings = settings or settings_for_program(overrides)
    runtime = process_runtime()
    client = runtime.client_for(settings)
    aux = list(auxiliary_tenant_ids or settings.auxiliary_tenant_ids)
    facts = runtime.vnet_facts.get(client, vnet_id, auxiliary_tenant_ids=aux, deadline=Deadline(timeout))
    return facts.to_dict() if facts is not None else None


#: One vnet's answer from :func:`get_virtual_networks`: the dict :func:`get_virtual_network` returns, the error that
#: kept the vnet from being read, or None when it does not exist.
VnetAnswer = dict[str, Any] | PeeringError | None


def read_virtual_networks(
    wanted: Mapping[str, Sequence[str]],
    *,
    overrides: ProviderOverrides | None = None,
    timeout: float = 120.0,
    settings: Settings | None = None,
) -> dict[str, Lookup]:
    """:func:`get_virtual_networks` with each answer typed: the vnet's :class:`VnetFacts`, None when it does not
    exist, or the :class:`PeeringError` that kept it from being read (what ``HubSpokePeering`` plans with)."""
    settings = settings or settings_for_program(overrides)
    runtime = process_runtime()
    client = runtime.client_for(settings)
    asked = {vnet_id: tuple(tenants or settings.auxiliary_tenant_ids) for vnet_id, tenants in wanted.items()}
    return runtime.vnet_facts.get_many(client, asked, timeout=timeout)


def get_virtual_networks(
    wanted: Mapping[str, Sequence[str]],
    *,
    overrides: ProviderOverrides | None = None,
    timeout: float = 120.0,
    settings: Settings | None = None,
) -> dict[str, VnetAnswer]:
    """:func:`get_virtual_network` for many vnets at once (``wanted``: vnet id -> auxiliary tenants for it, empty
    for the configured ones), by id: the dict, None when the vnet does not exist, or the :class:`PeeringError`
    that kept it from being read. A resource group holding several of them is listed in one call rather than read
    vnet by vnet (``vnet_facts.VnetCache.get_many``). ``timeout`` applies to each listing and each read. Settings
    that cannot be resolved raise :class:`SettingsError` (a :class:`PeeringError`) before anything is read."""
    answers = read_virtual_networks(wanted, overrides=overrides, timeout=timeout, settings=settings)
    return {vnet_id: _as_dict(answer) for vnet_id, answer in answers.items()}


def _as_dict(answer: Lookup) -> VnetAnswer:
    return answer.to_dict() if isinstance(answer, VnetFacts) else answer


__all__ = [
    "CONFIG_NAMESPACE",
    "ArmClient",
    "ArmError",
    "ArmNotFoundError",
    "Cloud",
    "CredentialError",
    "Deadline",
    "Lookup",
    "OperationFailedError",
    "OperationTimeoutError",
    "PeeringAlreadyExistsError",
    "PeeringError",
    "PeeringOperationError",
    "PeeringTimeouts",
    "ProviderOverrides",
    "RetryPolicy",
    "Runtime",
    "Settings",
    "SettingsError",
    "VirtualNetworkPeering",
    "VirtualNetworkPeeringArgs",
    "VirtualNetworkPeeringProvider",
    "VnetAnswer",
    "VnetFacts",
    "fetch_vnet_facts",
    "get_virtual_network",
    "get_virtual_networks",
    "process_runtime",
    "program_config",
    "read_virtual_networks",
    "resolve_settings",
    "settings_for_program",
]
