"""The running emulator's ARM API as the commands use it: the connection, a token, requests, polling, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..connection import NotRunning, running_connection

ARM_SCOPE = "https://management.azure.com/.default"
NETWORK_API_VERSION = "2025-05-01"
RESOURCES_API_VERSION = "2021-04-01"
#: The emulator's own request header: how long a gateway created through the API provisions.
GATEWAY_PROVISIONING_HEADER = "x-emulator-gateway-provisioning-seconds"


class CommandError(Exception):
    """A command that cannot be done; the message says what to do next."""


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def print_json(value: Any) -> None:
    say(json.dumps(value, indent=2))


# --- the emulator and its ARM API ------------------------------------------------------------------------------


class Arm:
    """A client of the emulator's ARM API, one credential and pipeline per tenant of its connection file."""

    def __init__(self, data_dir: Path) -> None:
        try:
            self.connection = running_connection(data_dir)
        except NotRunning as exc:
            raise CommandError(str(exc)) from None
        self.data_dir = data_dir
        self.endpoint = str(self.connection["arm_endpoint"])
        self._clients: dict[str, Any] = {}
        #: The status of the last write's answer (204: a DELETE of something that does not exist).
        self.last_status = 0

    def tenant_of(self, subscription_id: str) -> dict[str, Any]:
        for tenant in self.connection["tenants"]:
            if subscription_id.lower() in (s.lower() for s in tenant.get("subscriptions", ())):
                return dict(tenant)
        raise CommandError(
            f"subscription {subscription_id} is not one of the emulator's ({', '.join(self.subscriptions())}): "
            "pass one of those to --subscription"
        )

    def subscriptions(self) -> list[str]:
        return [s for tenant in self.connection["tenants"] for s in tenant.get("subscriptions", ())]

    def _client(self, tenant: dict[str, Any]) -> Any:
        key = str(tenant["tenant_id"])
        if key not in self._clients:
            from azure.core.pipeline.policies import (
                ContentDecodePolicy,
                HeadersPolicy,
                RequestIdPolicy,
                RetryPolicy,
                UserAgentPolicy,
            )
            from azure.core.pipeline.transport import RequestsTransport
            from azure.identity import ClientSecretCredential
            from azure.mgmt.core import ARMPipelineClient
            from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

            ca_bundle = str(self.connection["ca_bundle"])
            credential = ClientSecretCredential(
                tenant["tenant_id"],
                tenant["client_id"],
                tenant["client_secret"],
                authority=self.connection["authority_host"],
                disable_instance_discovery=True,
                connection_verify=ca_bundle,  # the emulator's CA, whatever the shell's trust store is
            )
            self._clients[key] = ARMPipelineClient(
                base_url=self.endpoint,
                policies=[
                    RequestIdPolicy(),
                    HeadersPolicy(),
                    UserAgentPolicy(sdk_moniker="azure-peering-emulator-cli"),
                    RetryPolicy(),
                    ARMChallengeAuthenticationPolicy(credential, ARM_SCOPE),
                    ContentDecodePolicy(),
                ],
                transport=RequestsTransport(connection_verify=ca_bundle, use_env_settings=False),
            )
        return self._clients[key]

    def send(
        self,
        method: str,
        path: str,
        subscription_id: str,
        *,
        api_version: str = NETWORK_API_VERSION,
        body: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """One ARM request (``path`` under the endpoint); the pipeline response."""
        from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
        from azure.core.rest import HttpRequest

        client = self._client(self.tenant_of(subscription_id))
        url = path if path.startswith("https://") else f"{self.endpoint}{path}"
        query = {"api-version": api_version} if "api-version=" not in url else {}
        request = HttpRequest(method, url, params={**query, **(params or {})}, json=body, headers=headers)
        try:
            return client.send_request(request, _return_pipeline_response=True)
        except ClientAuthenticationError as exc:
            raise CommandError(
                f"the emulator's identity endpoint refused a token ({_first_line(exc)}): restart the emulator "
                f"(`azure-peering-emulator serve --data-dir {self.data_dir} &`) if its identities were changed"
            ) from None
        except ServiceRequestError as exc:
            raise CommandError(
                f"the emulator at {self.endpoint} did not answer ({_first_line(exc)}): is it still running? "
                f"`azure-peering-emulator serve --data-dir {self.data_dir} &` starts it again"
            ) from None

    def call(self, method: str, path: str, subscription_id: str, **kwargs: Any) -> Any:
        """A request whose answer must be a success; its JSON body (None for none)."""
        response = self.send(method, path, subscription_id, **kwargs).http_response
        if response.status_code >= 400:
            raise CommandError(_arm_error(response, method, path))
        return _json(response)

    def write(self, method: str, path: str, subscription_id: str, *, wait: bool = True, **kwargs: Any) -> Any:
        """A PUT or DELETE: its answer, or with ``wait`` its long-running operation's final resource (ARMPolling)."""
        from azure.core.exceptions import HttpResponseError
        from azure.core.polling import LROPoller
        from azure.mgmt.core.polling.arm_polling import ARMPolling

        pipeline_response = self.send(method, path, subscription_id, **kwargs)
        response = pipeline_response.http_response
        self.last_status = response.status_code
        if response.status_code >= 400:
            raise CommandError(_arm_error(response, method, path))
        if not wait or response.status_code == 204:
            return _json(response)
        # polls with the Retry-After the emulator sends, as the Azure SDK does (never faster than 1 s)
        poller = LROPoller(
            self._client(self.tenant_of(subscription_id)),
            pipeline_response,
            lambda final: _json(final.http_response),
            ARMPolling(1),
        )
        try:
            return poller.result()
        except HttpResponseError as exc:
            error = getattr(exc, "error", None)
            code = getattr(error, "code", None) or "OperationFailed"
            message = getattr(error, "message", None) or _first_line(exc)
            raise CommandError(f"{method} {path.split('?')[0]} failed: {code}: {message}") from None

    def pages(self, path: str, subscription_id: str, api_version: str = NETWORK_API_VERSION) -> Iterator[Any]:
        """Every item of a list, following ``nextLink``."""
        body = self.call("GET", path, subscription_id, api_version=api_version)
        while True:
            yield from body.get("value", [])
            link = body.get("nextLink")
            if not link:
                return
            body = self.call("GET", link, subscription_id, api_version=api_version)

    def resource_group(self, name: str, subscription_id: str | None) -> tuple[str, dict[str, Any]]:
        """The subscription holding resource group ``name`` (looked up in every subscription unless given)."""
        candidates = [subscription_id] if subscription_id else self.subscriptions()
        found = []
        for sub in candidates:
            path = f"/subscriptions/{sub}/resourcegroups/{quote(name)}"
            response = self.send("GET", path, sub, api_version=RESOURCES_API_VERSION).http_response
            if response.status_code == 200:
                found.append((sub, _json(response)))
            elif response.status_code != 404:
                raise CommandError(_arm_error(response, "GET", path))
        if not found:
            where = f"subscription {subscription_id}" if subscription_id else "any of the emulator's subscriptions"
            raise CommandError(
                f"no resource group {name!r} in {where}: `azure-peering-emulator dump` lists what there is; "
                f"`azure-peering-emulator group create -n {name} -l westeurope` makes one"
            )
        if len(found) > 1:
            subs = ", ".join(sub for sub, _ in found)
            raise CommandError(f"resource group {name!r} is in several subscriptions ({subs}): pass --subscription")
        return found[0]

    def admin(self, method: str, route: str, body: Any = None) -> Any:
        import requests

        session = requests.Session()
        session.trust_env = False
        try:
            response = session.request(
                method,
                f"{self.endpoint}/_emulator/{route}",
                json=body,
                headers={"x-emulator-admin": str(self.connection["admin_key"])},
                verify=str(self.connection["ca_bundle"]),
                timeout=60,
            )
        except requests.RequestException as exc:
            raise CommandError(
                f"the emulator at {self.endpoint} did not answer ({type(exc).__name__}): "
                f"`azure-peering-emulator serve --data-dir {self.data_dir} &` starts it again"
            ) from None
        finally:
            session.close()
        if response.status_code >= 400:
            raise CommandError(f"the emulator refused {method} /_emulator/{route}: {response.text.strip()}")
        return response.json()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _json(response: Any) -> Any:
    text = response.text()
    return json.loads(text) if text else None


def _arm_error(response: Any, method: str, path: str) -> str:
    try:
        error = (_json(response) or {}).get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code") or f"HTTP {response.status_code}"
    message = error.get("message") or response.text()[:200]
    hint = {
        "ResourceNotFound": " (`azure-peering-emulator vnet list` lists the vnets)",
        "NotFound": " (`azure-peering-emulator vnet peering list -g RG --vnet-name VNET` lists a vnet's peerings)",
        "AnotherOperationInProgress": " (another write is still running: try again once it has finished)",
    }.get(code, "")
    return f"{method} {path.split('?')[0]}: {code}: {message}{hint}"
