"""Where ARM and the credentials are: clouds, and the resolution of settings.

Settings come from three places, highest priority first:

1. explicit provider arguments (:class:`ProviderOverrides`, non-secret only, because they are pickled into state),
2. stack config in the ``azure-peering`` namespace (handed to ``ResourceProvider.configure``),
3. environment variables.

The resolved :class:`Settings` live only in the provider process; they are never pickled.
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from .errors import SettingsError

CONFIG_NAMESPACE = "azure-peering"


class Cloud(enum.StrEnum):
    """The Azure clouds the provider knows the endpoints of."""

    PUBLIC = "AzureCloud"
    US_GOVERNMENT = "AzureUSGovernment"
    CHINA = "AzureChinaCloud"


@dataclass(frozen=True)
class CloudEndpoints:
    arm_endpoint: str
    authority_host: str
    token_scope: str


CLOUD_ENDPOINTS: Mapping[Cloud, CloudEndpoints] = {
    Cloud.PUBLIC: CloudEndpoints(
        "https://management.azure.com",
        "https://login.microsoftonline.com",
        "https://management.azure.com/.default",
    ),
    Cloud.US_GOVERNMENT: CloudEndpoints(
        "https://management.usgovcloudapi.net",
        "https://login.microsoftonline.us",
        "https://management.usgovcloudapi.net/.default",
    ),
    Cloud.CHINA: CloudEndpoints(
        "https://management.chinacloudapi.cn",
        "https://login.chinacloudapi.cn",
        "https://management.chinacloudapi.cn/.default",
    ),
}

_CLOUD_ALIASES = {
    "azurecloud": Cloud.PUBLIC,
    "public": Cloud.PUBLIC,
    "azure_public_cloud": Cloud.PUBLIC,
    "azureusgovernment": Cloud.US_GOVERNMENT,
    "azureusgovernmentcloud": Cloud.US_GOVERNMENT,
    "usgovernment": Cloud.US_GOVERNMENT,
    "azure_us_government": Cloud.US_GOVERNMENT,
    "azurechinacloud": Cloud.CHINA,
    "china": Cloud.CHINA,
    "azure_china_cloud": Cloud.CHINA,
}

MAX_AUXILIARY_TENANTS = 3

# config key -> environment variables, first match wins
_ENV: Mapping[str, tuple[str, ...]] = {
    "cloud": ("AZURE_PEERING_CLOUD",),
    "armEndpoint": ("AZURE_PEERING_ARM_ENDPOINT",),
    "authorityHost": ("AZURE_PEERING_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST"),
    "tenantId": ("AZURE_TENANT_ID",),
    "clientId": ("AZURE_CLIENT_ID",),
    "clientSecret": ("AZURE_CLIENT_SECRET",),
    "auxiliaryTenantIds": ("AZURE_PEERING_AUXILIARY_TENANT_IDS",),
    "caBundle": ("AZURE_PEERING_CA_BUNDLE", "REQUESTS_CA_BUNDLE"),
    "allowInsecureLoopback": ("AZURE_PEERING_ALLOW_INSECURE_LOOPBACK",),
}


@dataclass(frozen=True)
class ProviderOverrides:
    """Explicit, non-secret provider settings. Pickled into state with the provider: never put a secret here."""

    cloud: str | None = None
    arm_endpoint: str | None = None
    authority_host: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    auxiliary_tenant_ids: tuple[str, ...] | None = None
    ca_bundle: str | None = None
    allow_insecure_loopback: bool | None = None

    def as_config(self) -> dict[str, Any]:
        """The overrides that are set, keyed like the stack config."""
        names = {
            "cloud": "cloud",
            "arm_endpoint": "armEndpoint",
            "authority_host": "authorityHost",
            "tenant_id": "tenantId",
            "client_id": "clientId",
            "auxiliary_tenant_ids": "auxiliaryTenantIds",
            "ca_bundle": "caBundle",
            "allow_insecure_loopback": "allowInsecureLoopback",
        }
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[names[f.name]] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class Settings:
    """Fully resolved settings. Lives only in memory of the provider process."""

    cloud: Cloud
    arm_endpoint: str
    authority_host: str
    token_scope: str
    custom_authority: bool
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    auxiliary_tenant_ids: tuple[str, ...] = ()
    ca_bundle: str | None = None
    allow_insecure_loopback: bool = False

    def fingerprint(self) -> str:
        """A stable key for caches of sessions and credentials; the secret only enters as a hash."""
        secret = hashlib.sha256((self.client_secret or "").encode()).hexdigest()
        parts = [
            self.cloud.value,
            self.arm_endpoint,
            self.authority_host,
            self.token_scope,
            self.tenant_id or "",
            self.client_id or "",
            secret,
            ",".join(self.auxiliary_tenant_ids),
            self.ca_bundle or "",
            str(self.allow_insecure_loopback),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    @property
    def verify(self) -> str | bool:
        """What requests' ``verify`` gets: a CA bundle path, or True for the default trust store. Never False."""
        return self.ca_bundle or True


def parse_cloud(value: str) -> Cloud:
    key = value.strip().replace("-", "").replace(" ", "").lower()
    cloud = _CLOUD_ALIASES.get(key) or _CLOUD_ALIASES.get(value.strip().lower())
    if cloud is None:
        known = ", ".join(c.value for c in Cloud)
        raise SettingsError(f"unknown cloud {value!r}: set azure-peering:cloud to one of {known}")
    return cloud


def parse_bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise SettingsError(f"azure-peering:{key} must be true or false, not {value!r}")


def parse_list(value: Any) -> tuple[str, ...]:
    """A list from stack config (a real list, or its JSON text) or from the environment (comma separated)."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value).strip()
    if text.startswith("["):
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            raise SettingsError(f"azure-peering:auxiliaryTenantIds is not a valid JSON list: {exc}") from None
        return parse_list(loaded)
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(url: str, key: str, allow_insecure_loopback: bool) -> str:
    """Normalise an endpoint URL; refuse plain http except for loopback when explicitly allowed."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SettingsError(f"azure-peering:{key} must be an https:// URL, not {url!r}")
    if parts.scheme == "http":
        if not _is_loopback(parts.hostname):
            raise SettingsError(
                f"azure-peering:{key} {url!r} uses plain http: only https is allowed "
                "(http only for 127.0.0.1/localhost with azure-peering:allowInsecureLoopback=true)"
            )
        if not allow_insecure_loopback:
            raise SettingsError(
                f"azure-peering:{key} {url!r} uses plain http: set azure-peering:allowInsecureLoopback=true "
                "to allow it for a loopback endpoint, or use https"
            )
    return url.strip().rstrip("/")


def _config_value(config: Mapping[str, Any], key: str) -> Any:
    for candidate in (f"{CONFIG_NAMESPACE}:{key}", key):
        value = config.get(candidate)
        if value is not None and value != "":
            return value
    return None


def resolve_settings(
    overrides: ProviderOverrides | None = None,
    config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings: explicit overrides, then stack config (``azure-peering:*``), then the environment.

    ``config`` is the raw stack config (keys ``azure-peering:<key>``) as the dynamic provider receives it.
    """
    explicit = overrides.as_config() if overrides else {}
    cfg = config or {}
    env = os.environ if environ is None else environ

    def lookup(key: str) -> Any:
        if key in explicit:
            return explicit[key]
        value = _config_value(cfg, key)
        if value is not None:
            return value
        for name in _ENV[key]:
            env_value = env.get(name)
            if env_value:
                return env_value
        return None

    cloud_value = lookup("cloud")
    cloud = parse_cloud(str(cloud_value)) if cloud_value else Cloud.PUBLIC
    defaults = CLOUD_ENDPOINTS[cloud]
    insecure = parse_bool(lookup("allowInsecureLoopback") or False, "allowInsecureLoopback")

    arm_value = lookup("armEndpoint")
    if arm_value:
        arm_endpoint = check_endpoint(str(arm_value), "armEndpoint", insecure)
        token_scope = f"{arm_endpoint}/.default"
    else:
        arm_endpoint = defaults.arm_endpoint
        token_scope = defaults.token_scope

    authority_value = lookup("authorityHost")
    if authority_value:
        text = str(authority_value).strip()
        if "://" not in text:
            text = f"https://{text}"
        authority_host = check_endpoint(text, "authorityHost", insecure)
        if authority_host.startswith("http://"):
            # azure-identity and MSAL talk to an https authority only (they refuse any other when the credential is
            # built): allowing it here would only move the failure to a traceback at the first token
            raise SettingsError(
                f"azure-peering:authorityHost {text!r} uses plain http: the token service must be https "
                "(azure-identity refuses any other authority); azure-peering:allowInsecureLoopback applies to "
                "armEndpoint only"
            )
    else:
        authority_host = defaults.authority_host
    known_authorities = {e.authority_host for e in CLOUD_ENDPOINTS.values()}
    custom_authority = authority_host not in known_authorities

    aux = parse_list(lookup("auxiliaryTenantIds"))
    if len(aux) > MAX_AUXILIARY_TENANTS:
        raise SettingsError(
            f"azure-peering:auxiliaryTenantIds lists {len(aux)} tenants; ARM accepts at most {MAX_AUXILIARY_TENANTS}"
        )

    ca_bundle = lookup("caBundle")
    if ca_bundle is not None:
        ca_bundle = str(ca_bundle)
        if not os.path.isfile(ca_bundle):
            raise SettingsError(f"azure-peering:caBundle {ca_bundle!r} is not a readable file")

    def text_or_none(key: str) -> str | None:
        value = lookup(key)
        return str(value).strip() if value else None

    client_id = text_or_none("clientId")
    client_secret = text_or_none("clientSecret")
    return Settings(
        cloud=cloud,
        arm_endpoint=arm_endpoint,
        authority_host=authority_host,
        token_scope=token_scope,
        custom_authority=custom_authority,
        tenant_id=text_or_none("tenantId"),
        client_id=client_id,
        client_secret=client_secret,
        auxiliary_tenant_ids=aux,
        ca_bundle=ca_bundle,
        allow_insecure_loopback=insecure,
    )
