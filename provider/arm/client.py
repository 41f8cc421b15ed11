"""The ARM client of the provider: the per-resource calls (peerings, virtual networks, gateways) on one pipeline.

Every request goes through the azure-core pipeline of :mod:`.pipeline`: retries by :class:`~.retry.RetryPolicy`
(429, 5xx, connection errors, 409s and the transient ARM codes, Retry-After honoured, bounded by the operation's
:class:`~.deadline.Deadline`), tokens by :mod:`.authentication`, answers read by :mod:`.answers` (only ARM's own
404 means a resource does not exist). Writes wait for their operation through :mod:`.polling` and are counted in
the :class:`~.writes.WriteEpoch` the client is given (its process's); a create learns from ARM's answers whether
it made the peering (:class:`~.writes.WriteOutcome`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from azure.core import PipelineClient
from azure.core.pipeline import PipelineResponse
from azure.core.rest import HttpRequest, HttpResponse
from azure.mgmt.core.tools import parse_resource_id

from ..auth import TokenSource
from ..errors import ArmNotFoundError, MalformedResponseError
from ..progress import WaitNotes
from ..schema import NETWORK_API_VERSION
from ..settings import Settings
from ..tenants import TenantDirectory
from .answers import json_object, malformed, request_id_of
from .authentication import TenantRouting
from .deadline import Deadline
from .options import OPTION, ArmCall
from .origin import ArmEndpoint
from .pipeline import build_pipeline, new_session
from .polling import wait_for_operation
from .retry import RetryPolicy
from .writes import WriteEpoch, WriteOutcome

if TYPE_CHECKING:
    import pydantic

    from .. import models
    from ..models import VirtualNetworkPeeringResource
else:  # imported when a peering's answer first needs them (provider/lazy_exports.py)
    from ..lazy_exports import models, pydantic


class ArmClient:
    """Talks to one ARM endpoint with the credentials of one set of settings. Thread-safe.

    What it shares with the other clients of its process (``session``, ``tokens``, ``tenants``, the ``writes`` it
    counts, the wait ``notes`` it tells) is given by :class:`~.connections.ArmConnections`, which a
    :class:`~pulumi_azure_peering.provider.runtime.Runtime` holds; left out (a test's client), the client has its
    own. ``retry`` is read at each call (a test may replace it or its ``sleep``).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        session: requests.Session | None = None,
        tokens: TokenSource | None = None,
        tenants: TenantDirectory | None = None,
        writes: WriteEpoch | None = None,
        notes: WaitNotes | None = None,
        retry: RetryPolicy | None = None,
        poll_interval: float = 2.0,
        request_timeout: tuple[float, float] = (10.0, 60.0),
        default_timeout: float = 300.0,
    ) -> None:
        self.settings = settings
        self.endpoint = ArmEndpoint(settings.arm_endpoint)
        self._routing = TenantRouting(settings, tokens or TokenSource(settings), tenants or TenantDirectory())
        self.writes = writes or WriteEpoch()
        self.notes = notes or WaitNotes()
        self.retry = retry or RetryPolicy()
        self.poll_interval = poll_interval
        self._default_timeout = default_timeout
        self.session = session or new_session(settings)
        self._pipeline = build_pipeline(
            settings, self.endpoint, self._routing, session=self.session, request_timeout=request_timeout
        )
        # the polling of long-running operations sends its requests through the same pipeline
        self._operations = PipelineClient(settings.arm_endpoint, pipeline=self._pipeline)

    def __repr__(self) -> str:
        return f"ArmClient({self.settings.arm_endpoint!r})"

    # -- HTTP ------------------------------------------------------------------------------------------------

    def url(self, path_or_url: str) -> str:
        """An absolute URL as it is; an ARM path on the endpoint, every segment percent-encoded
        (:meth:`.origin.ArmEndpoint.url`)."""
        return self.endpoint.url(path_or_url)

    def declared_owner(self, path_or_url: str, auxiliary_tenant_ids: Sequence[str]) -> str | None:
        """The tenant known to own the subscription of ``path_or_url`` if the request names it, else
        :class:`~provider.errors.TenantNotConfiguredError` (:meth:`.authentication.TenantRouting.declared_owner`)."""
        return self._routing.declared_owner(self.url(path_or_url), auxiliary_tenant_ids)

    def _call(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
        outcome: WriteOutcome | None = None,
        expect_json: bool = False,
        retry: RetryPolicy | None = None,
    ) -> PipelineResponse[HttpRequest, HttpResponse]:
        url = self.url(path_or_url)
        query = dict(params or {})
        if "api-version=" not in url:
            query.setdefault("api-version", NETWORK_API_VERSION)
        request = HttpRequest(method, url, params=query, json=body, headers={"Accept": "application/json"})
        call = ArmCall(
            what=f"{method} {urlsplit(url).path}",
            deadline=deadline or Deadline(self._default_timeout),
            retry=retry or self.retry,
            auxiliary_tenant_ids=tuple(auxiliary_tenant_ids),
            expect_json=expect_json,
            outcome=outcome,
            notes=self.notes,
        )
        return self._pipeline.run(request, **{OPTION: call})

    def send(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> HttpResponse:
        """One attempt, no retry (the token policy may still send it again with a fresh token, or to the tenant
        ARM's challenge names). Returns 2xx responses; raises a typed :class:`~provider.errors.ArmError` for the
        others."""
        once = replace(self.retry, max_attempts=1, max_busy_attempts=1)
        return self._call(
            method,
            path_or_url,
            params=params,
            body=body,
            auxiliary_tenant_ids=auxiliary_tenant_ids,
            deadline=deadline,
            retry=once,
        ).http_response

    def request_json(
        self,
        method: str,
        path_or_url: str,
        *,
        deadline: Deadline | None = None,
        **kwargs: Any,
    ) -> tuple[HttpResponse, dict[str, Any]]:
        """:meth:`request` for answers that must be a JSON object. A body that is not (an HTML page from a proxy,
        JSON cut short) is retried like a transient fault, then raised as :class:`MalformedResponseError`."""
        response = self._call(method, path_or_url, deadline=deadline, expect_json=True, **kwargs).http_response
        return response, json_object(response, method)

    def get_json(
        self,
        resource_id: str,
        *,
        api_version: str = NETWORK_API_VERSION,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> dict[str, Any] | None:
        """GET a resource; None only when ARM says it does not exist (:class:`ArmNotFoundError`). A 404 that is
        not ARM's (:class:`~provider.errors.NonArmNotFoundError`) is raised like any other error: the caller keeps
        its state."""
        try:
            _, payload = self.request_json(
                "GET",
                resource_id,
                params={"api-version": api_version},
                auxiliary_tenant_ids=auxiliary_tenant_ids,
                deadline=deadline,
            )
        except ArmNotFoundError:
            return None
        return payload

    def list_json(
        self,
        collection_path: str,
        *,
        api_version: str = NETWORK_API_VERSION,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
        enough: Callable[[list[dict[str, Any]]], bool] | None = None,
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """GET a collection, following nextLink; stops after the first page at which ``enough(items so far)``
        holds (the caller has found what it listed for; the rest of a large collection is not fetched).
        ``on_page(items of the page)`` is told of each page as it arrives, before the next one is asked for."""
        items: list[dict[str, Any]] = []
        url: str | None = collection_path
        params: dict[str, str] | None = {"api-version": api_version}
        while url:
            response, payload = self.request_json(
                "GET", url, params=params, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline
            )
            value, next_link = payload.get("value", []), payload.get("nextLink")
            if not isinstance(value, list) or not (next_link is None or isinstance(next_link, str)):
                raise malformed(response, "GET", "a list whose value is not an array or whose nextLink is no URL")
            page = [v for v in value if isinstance(v, dict)]
            items.extend(page)
            if on_page is not None:
                on_page(page)
            if enough is not None and enough(items):
                break
            url = next_link or None
            params = None
        return items

    def write(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str],
        deadline: Deadline,
        body: dict[str, Any] | None = None,
        auxiliary_tenant_ids: Sequence[str] = (),
        outcome: WriteOutcome | None = None,
        on_accepted: Callable[[], None] | None = None,
        what: str | None = None,
    ) -> PipelineResponse[HttpRequest, HttpResponse] | None:
        """A PUT or DELETE, then the wait for its operation (:mod:`.polling`); ARM's answer to the write, or None
        when a DELETE found nothing to delete (a 204, or ARM's own not-found). ``on_accepted`` runs once ARM has
        accepted the write, before the wait. Raises what the write or its operation ended with."""
        try:
            response = self._call(
                method,
                path,
                params=params,
                body=body,
                auxiliary_tenant_ids=auxiliary_tenant_ids,
                deadline=deadline,
                outcome=outcome,
            )
        except ArmNotFoundError:
            if method != "DELETE":
                raise
            return None
        if method == "DELETE" and response.http_response.status_code == 204:
            return None
        if on_accepted is not None:
            on_accepted()
        wait_for_operation(
            self._operations,
            response,
            deadline=deadline,
            retry=self.retry,
            notes=self.notes,
            poll_interval=self.poll_interval,
            what=what or f"{method} {parse_resource_id(path).get('resource_name', path)}",
            auxiliary_tenant_ids=auxiliary_tenant_ids,
        )
        return response

    # -- any resource: resource groups, vnets, gateways (pulumi_azure_peering/azure_native_stand_ins.py) -----------

    def put_resource(self, path: str, body: dict[str, Any], *, api_version: str, deadline: Deadline) -> None:
        """CreateOrUpdate a resource at ``api_version`` and wait for its operation."""
        self.write("PUT", path, params={"api-version": api_version}, body=body, deadline=deadline)

    def delete_resource(self, path: str, *, api_version: str, deadline: Deadline) -> bool:
        """Delete a resource and wait; False when ARM says it was already gone."""
        return self.write("DELETE", path, params={"api-version": api_version}, deadline=deadline) is not None

    # -- peerings --------------------------------------------------------------------------------------------

    def get_peering(
        self,
        peering_id: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> VirtualNetworkPeeringResource | None:
        payload = self.get_json(peering_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
        return peering_from(payload, peering_id) if payload is not None else None

    def list_peerings(
        self, vnet_id: str, *, auxiliary_tenant_ids: Sequence[str] = (), deadline: Deadline | None = None
    ) -> list[VirtualNetworkPeeringResource]:
        items = self.list_json(
            f"{vnet_id}/virtualNetworkPeerings", auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline
        )
        return [peering_from(item, None) for item in items]

    def put_peering(
        self,
        peering_id: str,
        body: dict[str, Any],
        *,
        deadline: Deadline,
        sync_remote_address_space: bool = False,
        auxiliary_tenant_ids: Sequence[str] = (),
        on_accepted: Callable[[], None] | None = None,
        on_settled: Callable[[], None] | None = None,
        outcome: WriteOutcome | None = None,
    ) -> VirtualNetworkPeeringResource:
        """CreateOrUpdate, wait for the operation, and return the peering as ARM then has it.

        ``outcome`` collects ARM's answers to the PUTs (201 created, 200 already there; :class:`WriteOutcome`).

        `on_accepted` runs once ARM has accepted the PUT, before the wait (the caller lets the remote vnet go);
        `on_settled` once the operation has ended, before the final read (the caller lets the local vnet go).
        The whole PUT-and-wait is repeated when the operation itself fails with a transient code.
        """
        params = {"api-version": NETWORK_API_VERSION}
        if sync_remote_address_space:
            params["syncRemoteAddressSpace"] = "true"
        name = parse_resource_id(peering_id).get("resource_name", peering_id)
        what = f"PUT peering {name}"

        def attempt() -> VirtualNetworkPeeringResource:
            with self.writes.writing():
                return write_and_wait()

        def write_and_wait() -> VirtualNetworkPeeringResource:
            response = self.write(
                "PUT",
                peering_id,
                params=params,
                body=body,
                auxiliary_tenant_ids=auxiliary_tenant_ids,
                deadline=deadline,
                outcome=outcome,
                on_accepted=on_accepted,
                what=what,
            )
            assert response is not None  # only a DELETE finds nothing
            if on_settled is not None:
                on_settled()
            final = self.get_peering(peering_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
            if final is None:
                raise ArmNotFoundError(
                    status_code=404,
                    code="NotFound",
                    message=f"peering {name} vanished right after it was written",
                    request_id=request_id_of(response.http_response),
                )
            return final

        return self.retry.for_operations().repeat(attempt, deadline, what, self.notes)

    def delete_peering(
        self,
        peering_id: str,
        *,
        deadline: Deadline,
        auxiliary_tenant_ids: Sequence[str] = (),
        on_accepted: Callable[[], None] | None = None,
    ) -> bool:
        """Delete and wait. Returns False when the peering was already gone (which is success): a 204, or ARM's
        own not-found (:class:`ArmNotFoundError`); a 404 that is not ARM's raises. `on_accepted` runs once ARM has
        accepted the DELETE, before the wait."""
        name = parse_resource_id(peering_id).get("resource_name", peering_id)
        what = f"DELETE peering {name}"

        def attempt() -> bool:
            with self.writes.writing():
                return delete_and_wait()

        def delete_and_wait() -> bool:
            response = self.write(
                "DELETE",
                peering_id,
                params={"api-version": NETWORK_API_VERSION},
                auxiliary_tenant_ids=auxiliary_tenant_ids,
                deadline=deadline,
                on_accepted=on_accepted,
                what=what,
            )
            return response is not None

        return self.retry.for_operations().repeat(attempt, deadline, what, self.notes)

    # -- virtual networks and gateways (read only) -----------------------------------------------------------

    def get_virtual_network(
        self,
        vnet_id: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> dict[str, Any] | None:
        return self.get_json(vnet_id, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)

    def list_virtual_networks(
        self,
        subscription_id: str,
        resource_group: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
        enough: Callable[[list[dict[str, Any]]], bool] | None = None,
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """The virtual networks of a resource group (``VirtualNetworks_List``: the same objects a GET answers)."""
        path = _group_collection(subscription_id, resource_group, "virtualNetworks")
        return self.list_json(
            path, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline, enough=enough, on_page=on_page
        )

    def list_virtual_network_gateways(
        self,
        subscription_id: str,
        resource_group: str,
        *,
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> list[dict[str, Any]]:
        path = _group_collection(subscription_id, resource_group, "virtualNetworkGateways")
        try:  # no resource group (ARM's ResourceGroupNotFound): no gateways; a 404 not from ARM raises
            return self.list_json(path, auxiliary_tenant_ids=auxiliary_tenant_ids, deadline=deadline)
        except ArmNotFoundError:
            return []


def _group_collection(subscription_id: str, resource_group: str, network_type: str) -> str:
    """The path of a resource group's collection of one Microsoft.Network type (``virtualNetworks``, ...)."""
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/Microsoft.Network/{network_type}"
    )


def peering_from(payload: dict[str, Any], expected_id: str | None) -> VirtualNetworkPeeringResource:
    """A peering from ARM's JSON, refusing what would put a wrong state on record: a body without the peering's
    id (or with another resource's), without properties or without its remote vnet, or of the wrong types."""
    where = expected_id or str(payload.get("id") or "a listed peering")
    problem: str | None = None
    props = payload.get("properties")
    if not isinstance(payload.get("id"), str):
        problem = "no id"
    elif expected_id is not None and payload["id"].rstrip("/").lower() != expected_id.rstrip("/").lower():
        problem = f"the id of another resource ({payload['id']})"
    elif not isinstance(props, dict):
        problem = "no properties"
    elif not isinstance(props.get("remoteVirtualNetwork"), dict) or not props["remoteVirtualNetwork"].get("id"):
        problem = "no remoteVirtualNetwork.id"
    if problem is None:
        try:
            return models.VirtualNetworkPeeringResource.model_validate(payload)
        except pydantic.ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
            problem = f"values of the wrong type ({fields})"
    raise MalformedResponseError(
        status_code=200, code=None, message=f"ARM's answer for peering {where} has {problem}; nothing was recorded"
    )
