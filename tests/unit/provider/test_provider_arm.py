"""The ARM client: typed errors, the retry policy (what is retried, Retry-After), LRO polling, token handling."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
import requests
import responses

from pulumi_azure_peering.provider.arm import Deadline, RetryPolicy, is_retryable
from pulumi_azure_peering.provider.errors import (
    ArmConflictError,
    ArmConnectionError,
    ArmError,
    ArmNotFoundError,
    ArmThrottledError,
    ArmValidationError,
    OperationFailedError,
    OperationTimeoutError,
    TenantNotConfiguredError,
    ToldProblems,
    describe_failure,
)
from pulumi_azure_peering.provider.models import PeeringSpec
from tests.unit.provider.provider_fakes import ARM, FakeTokens, make_client, peering_id, peering_json, vnet_id

pytestmark = pytest.mark.unit

PID = peering_id("hub", "hub-to-spoke")
URL = ARM + PID
OP = ARM + "/subscriptions/x/providers/Microsoft.Network/locations/westeurope/operations/op1"
PARTNER_SUB = "00000000-0000-0000-0000-0000000000b2"


def challenge(tenant: str) -> dict[str, str]:
    """The WWW-Authenticate header real ARM sends with InvalidAuthenticationTokenTenant."""
    return {
        "WWW-Authenticate": f'Bearer authorization_uri="https://login.windows.net/{tenant}", error="invalid_token", '
        'error_description="The access token is from the wrong issuer."'
    }


def cloud_error(code: str, message: str = "nope") -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": []}}


def spec() -> PeeringSpec:
    return PeeringSpec(
        virtual_network_id=vnet_id("hub"), name="hub-to-spoke", remote_virtual_network_id=vnet_id("spoke")
    )


@responses.activate
def test_get_returns_none_on_404_and_sends_bearer_and_api_version() -> None:
    client, _ = make_client()
    responses.get(URL, status=404, json=cloud_error("NotFound"))
    assert client.get_peering(PID) is None
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == "Bearer token-for-home"
    assert "api-version=2025-05-01" in (sent.url or "")


@responses.activate
def test_errors_are_typed_and_carry_status_code_message_and_request_id() -> None:
    client, sleeps = make_client()
    responses.put(
        URL,
        status=400,
        json=cloud_error("VnetAddressSpacesOverlap", "Cannot peer:\n overlapping 10.0.0.0/16"),
        headers={"x-ms-request-id": "req-123"},
    )
    with pytest.raises(ArmValidationError) as info:
        client.put_peering(PID, spec().put_body(), deadline=Deadline(30))
    err = info.value
    assert (err.status_code, err.code, err.request_id) == (400, "VnetAddressSpacesOverlap", "req-123")
    assert "overlapping 10.0.0.0/16" in err.message
    assert len(responses.calls) == 1 and sleeps.calls == []  # validation errors are never retried
    line = describe_failure("create peering 'hub-to-spoke'", err, ToldProblems())
    assert "\n" not in line
    assert "VnetAddressSpacesOverlap" in line and "req-123" in line and "Fix:" in line


@responses.activate
def test_429_honours_retry_after_then_succeeds() -> None:
    client, sleeps = make_client()
    responses.get(URL, status=429, json=cloud_error("TooManyRequests"), headers={"Retry-After": "7"})
    responses.get(URL, status=200, json=peering_json())
    assert client.get_peering(PID) is not None
    assert sleeps.calls == [7.0]


@responses.activate
@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "InternalServerError"),
        (503, "ServiceUnavailable"),
        (409, "AnotherOperationInProgress"),
        (400, "ReferencedResourceNotProvisioned"),
        (429, "RetryableError"),
    ],
)
def test_transient_failures_are_retried(status: int, code: str) -> None:
    client, sleeps = make_client()
    responses.get(URL, status=status, json=cloud_error(code))
    responses.get(URL, status=status, json=cloud_error(code))
    responses.get(URL, status=200, json=peering_json())
    assert client.get_peering(PID) is not None
    assert len(sleeps.calls) == 2


@responses.activate
def test_connection_errors_are_retried() -> None:
    client, sleeps = make_client()
    responses.get(URL, body=requests.exceptions.ConnectionError("reset"))
    responses.get(URL, status=200, json=peering_json())
    assert client.get_peering(PID) is not None
    assert len(sleeps.calls) == 1


@responses.activate
def test_retries_stop_after_the_attempt_budget() -> None:
    client, sleeps = make_client()
    client.retry = RetryPolicy(max_attempts=3, sleep=sleeps, initial_backoff=0.01, max_backoff=0.01)
    responses.get(URL, status=503, json=cloud_error("ServiceUnavailable"))
    with pytest.raises(ArmError) as info:
        client.get_peering(PID)
    assert info.value.status_code == 503
    assert len(responses.calls) == 3


@responses.activate
def test_a_busy_vnet_is_waited_out_beyond_the_attempt_budget() -> None:
    client, sleeps = make_client()
    client.retry = RetryPolicy(
        max_attempts=2, max_busy_attempts=6, sleep=sleeps, initial_backoff=0.01, max_backoff=0.01
    )
    for _ in range(4):
        responses.get(URL, status=409, json=cloud_error("AnotherOperationInProgress"))
    responses.get(URL, status=400, json=cloud_error("ReferencedResourceNotProvisioned"))
    responses.get(URL, status=200, json=peering_json())
    assert client.get_peering(PID) is not None
    assert len(responses.calls) == 6


@responses.activate
def test_retries_stop_at_the_deadline() -> None:
    client, _ = make_client()
    responses.get(URL, status=429, json=cloud_error("TooManyRequests"), headers={"Retry-After": "0"})
    with pytest.raises(ArmThrottledError):
        client.get_peering(PID, deadline=Deadline(0))
    assert len(responses.calls) == 1


def test_retry_classification() -> None:
    def err(cls: type[ArmError], status: int, code: str | None) -> ArmError:
        return cls(status_code=status, code=code, message="m")

    assert is_retryable(err(ArmConflictError, 409, "Conflict"))
    assert is_retryable(ArmConnectionError("x"))
    assert not is_retryable(err(ArmValidationError, 400, "InvalidRequestFormat"))
    assert not is_retryable(err(ArmNotFoundError, 404, "NotFound"))
    assert not is_retryable(err(OperationFailedError, 200, "VnetAddressSpacesOverlap"))
    assert is_retryable(err(OperationFailedError, 200, "AnotherOperationInProgress"))


@responses.activate
def test_put_polls_azure_async_operation_then_reads_the_result() -> None:
    client, sleeps = make_client()
    responses.put(
        URL,
        status=201,
        json=peering_json(provisioning="Updating"),
        headers={"Azure-AsyncOperation": OP, "Retry-After": "1"},
    )
    responses.get(OP, json={"status": "InProgress"}, headers={"Retry-After": "2"})
    responses.get(OP, json={"status": "Succeeded"})
    responses.get(URL, json=peering_json())
    live = client.put_peering(PID, spec().put_body(), deadline=Deadline(60), sync_remote_address_space=True)
    assert live.properties.provisioning_state == "Succeeded"
    assert sleeps.calls == [1.0, 2.0]
    put = responses.calls[0].request
    assert "syncRemoteAddressSpace=true" in (put.url or "")
    assert json.loads(put.body or b"{}")["properties"]["remoteVirtualNetwork"]["id"] == vnet_id("spoke")


@responses.activate
def test_failed_operation_raises_with_the_arm_code() -> None:
    client, _ = make_client()
    responses.put(URL, status=201, json=peering_json(), headers={"Azure-AsyncOperation": OP})
    responses.get(
        OP,
        json={
            "status": "Failed",
            "error": {"code": "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet", "message": "overlap"},
        },
    )
    with pytest.raises(OperationFailedError) as info:
        client.put_peering(PID, spec().put_body(), deadline=Deadline(60))
    assert info.value.code == "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet"
    assert len([c for c in responses.calls if c.request.method == "PUT"]) == 1


@responses.activate
def test_transient_operation_failure_repeats_the_write() -> None:
    client, _ = make_client()
    responses.put(URL, status=200, json=peering_json(), headers={"Azure-AsyncOperation": OP})
    responses.get(OP, json={"status": "Failed", "error": {"code": "AnotherOperationInProgress", "message": "busy"}})
    responses.get(OP, json={"status": "Succeeded"})
    responses.get(URL, json=peering_json())
    client.put_peering(PID, spec().put_body(), deadline=Deadline(60))
    assert len([c for c in responses.calls if c.request.method == "PUT"]) == 2


@responses.activate
def test_operation_timeout() -> None:
    client, _ = make_client()
    responses.put(URL, status=201, json=peering_json(), headers={"Azure-AsyncOperation": OP})
    responses.get(OP, json={"status": "InProgress"})
    with pytest.raises(OperationTimeoutError, match="timeouts"):
        client.put_peering(PID, spec().put_body(), deadline=Deadline(0.05))


@responses.activate
def test_delete_polls_location_and_treats_absent_as_success() -> None:
    client, _ = make_client()
    loc = ARM + "/subscriptions/x/providers/Microsoft.Network/locations/westeurope/operationResults/op2"
    responses.delete(URL, status=202, headers={"Location": loc})
    responses.get(loc, status=202)
    responses.get(loc, status=200)
    assert client.delete_peering(PID, deadline=Deadline(60)) is True
    responses.delete(URL, status=204)
    assert client.delete_peering(PID, deadline=Deadline(60)) is False


@responses.activate
def test_tokens_never_go_to_another_host() -> None:
    client, _ = make_client()
    responses.put(URL, status=201, json=peering_json(), headers={"Azure-AsyncOperation": "https://evil.test/op"})
    with pytest.raises(ArmConnectionError, match="refusing to send credentials"):
        client.put_peering(PID, spec().put_body(), deadline=Deadline(5))
    assert all("evil.test" not in (c.request.url or "") for c in responses.calls)


@responses.activate
def test_auxiliary_tokens_for_cross_tenant_writes() -> None:
    client, _ = make_client()
    responses.put(URL, status=200, json=peering_json())
    responses.get(URL, status=200, json=peering_json())
    client.put_peering(PID, spec().put_body(), deadline=Deadline(5), auxiliary_tenant_ids=["t2", "t3"])
    put = responses.calls[0].request
    assert put.headers["x-ms-authorization-auxiliary"] == "Bearer token-for-t2, Bearer token-for-t3"


@responses.activate
def test_a_subscription_in_another_tenant_is_read_and_written_with_that_tenants_token() -> None:
    client, _ = make_client()
    vnet = ARM + vnet_id("spoke", sub=PARTNER_SUB)
    peering = f"{vnet}/virtualNetworkPeerings/spoke-to-hub"
    responses.get(vnet, status=401, json=cloud_error("InvalidAuthenticationTokenTenant"), headers=challenge("t2"))
    responses.get(vnet, status=200, json={"id": vnet_id("spoke", sub=PARTNER_SUB), "properties": {}})
    body = {**peering_json("spoke", "spoke-to-hub", "hub"), "id": peering.removeprefix(ARM)}
    responses.put(peering, status=200, json=body)
    responses.get(peering, status=200, json=body)
    assert client.get_virtual_network(vnet_id("spoke", sub=PARTNER_SUB), auxiliary_tenant_ids=["t2"]) is not None
    # the challenge named the owner: the same GET again with its token, the home tenant's as auxiliary
    assert responses.calls[1].request.headers["Authorization"] == "Bearer token-for-t2"
    assert responses.calls[1].request.headers["x-ms-authorization-auxiliary"] == "Bearer token-for-home-tenant"
    # remembered: the write goes with the owner's token at once, no second challenge
    client.put_peering(peering.removeprefix(ARM), spec().put_body(), deadline=Deadline(5), auxiliary_tenant_ids=["t2"])
    put = responses.calls[2].request
    assert (put.method, put.headers["Authorization"]) == ("PUT", "Bearer token-for-t2")
    assert put.headers["x-ms-authorization-auxiliary"] == "Bearer token-for-home-tenant"
    assert len(responses.calls) == 4


@responses.activate
def test_a_tenant_nobody_named_is_an_error_that_says_which_tenant_to_add() -> None:
    client, _ = make_client()
    vnet = ARM + vnet_id("spoke", sub=PARTNER_SUB)
    responses.get(vnet, status=401, json=cloud_error("InvalidAuthenticationTokenTenant"), headers=challenge("t9"))
    with pytest.raises(TenantNotConfiguredError, match="add 't9' to auxiliary_tenant_ids") as caught:
        client.get_virtual_network(vnet_id("spoke", sub=PARTNER_SUB), auxiliary_tenant_ids=["t2"])
    assert (caught.value.tenant_id, caught.value.subscription_id) == ("t9", PARTNER_SUB)
    assert len(responses.calls) == 1  # no token was asked of t9, nothing retried


@responses.activate
def test_a_challenge_that_names_the_tenant_already_used_is_not_retried() -> None:
    client, _ = make_client()
    vnet = ARM + vnet_id("spoke", sub=PARTNER_SUB)
    responses.get(vnet, status=401, json=cloud_error("InvalidAuthenticationTokenTenant"), headers=challenge("t2"))
    with pytest.raises(ArmError, match="InvalidAuthenticationTokenTenant"):
        client.get_virtual_network(vnet_id("spoke", sub=PARTNER_SUB), auxiliary_tenant_ids=["t2"])
    assert len(responses.calls) == 2


@responses.activate
def test_tls_verification_is_always_on() -> None:
    client, _ = make_client()
    seen: list[object] = []

    def capture(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        return (200, {}, json.dumps(peering_json()))

    responses.add_callback(responses.GET, URL, callback=capture)
    original = client.session.request

    def spy(*args: object, **kwargs: object) -> requests.Response:
        seen.append(kwargs.get("verify"))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    client.session.request = spy  # type: ignore[method-assign]
    client.get_peering(PID)
    assert seen == [True]


@responses.activate
def test_an_expired_token_is_replaced_once() -> None:
    tokens = FakeTokens()
    client, _ = make_client(tokens=tokens)
    responses.get(URL, status=401, json=cloud_error("ExpiredAuthenticationToken"))
    responses.get(URL, status=200, json=peering_json())
    assert client.get_peering(PID) is not None
    assert tokens.invalidated == 1


@responses.activate
def test_a_rejected_fresh_token_is_not_retried_forever() -> None:
    client, _ = make_client()
    responses.get(URL, status=401, json=cloud_error("InvalidAuthenticationToken"))
    with pytest.raises(ArmError) as info:
        client.get_peering(PID)
    assert info.value.status_code == 401
    assert len(responses.calls) == 2


@responses.activate
def test_the_http_log_names_the_token_headers_but_never_their_values(caplog: pytest.LogCaptureFixture) -> None:
    client, _ = make_client()
    responses.put(URL, status=200, json=peering_json())
    responses.get(URL, status=200, json=peering_json())
    with caplog.at_level(logging.DEBUG):
        client.put_peering(PID, spec().put_body(), deadline=Deadline(5), auxiliary_tenant_ids=["t2"])
    logged = caplog.text
    # azure-core's logging policy wrote the requests, with both token headers...
    assert "'Authorization': 'REDACTED'" in logged and "'x-ms-authorization-auxiliary': 'REDACTED'" in logged
    # ...and no token or header value of one
    assert "token-for" not in logged and "Bearer" not in logged


@responses.activate
def test_a_write_refused_as_busy_waits_for_the_holders_operation_then_goes_at_once() -> None:
    client, sleeps = make_client()
    holder = f"{OP}?api-version=2025-05-01"
    busy = f"Operation is in progress. To retrieve status of the operation use uri: {holder}."
    responses.put(URL, status=409, json=cloud_error("AnotherOperationInProgress", busy))
    responses.get(OP, json={"status": "InProgress"}, headers={"Retry-After": "3"})
    responses.get(OP, json={"status": "Succeeded"})
    responses.put(URL, status=200, json=peering_json())
    responses.get(URL, json=peering_json())
    client.put_peering(PID, spec().put_body(), deadline=Deadline(60))
    assert [(c.request.method, (c.request.url or "").split("?")[0]) for c in responses.calls] == [
        ("PUT", URL),
        ("GET", OP),
        ("GET", OP),
        ("PUT", URL),
        ("GET", URL),
    ]
    assert sleeps.calls == [3.0, 0.0]  # the holder's Retry-After, then no backoff: it is over


@responses.activate
def test_a_write_refused_while_a_vnet_provisions_reads_it_until_it_is_succeeded() -> None:
    client, sleeps = make_client()
    spoke = ARM + vnet_id("spoke")
    refused = f"Cannot proceed because resource {vnet_id('spoke')} used by resource {PID} is not Succeeded."
    responses.put(URL, status=400, json=cloud_error("ReferencedResourceNotProvisioned", refused))
    responses.get(spoke, json={"id": vnet_id("spoke"), "properties": {"provisioningState": "Updating"}})
    responses.get(spoke, json={"id": vnet_id("spoke"), "properties": {"provisioningState": "Succeeded"}})
    responses.put(URL, status=200, json=peering_json())
    responses.get(URL, json=peering_json())
    client.put_peering(PID, spec().put_body(), deadline=Deadline(60))
    reads = [c.request for c in responses.calls if (c.request.url or "").startswith(spoke)]
    assert len(reads) == 2 and all("api-version=" in (r.url or "") for r in reads)
    assert reads[0].headers["Authorization"] == "Bearer token-for-home"
    assert sleeps.calls == [0.5, 0.0]


@responses.activate
def test_a_busy_write_whose_holder_outlasts_the_deadline_is_not_sent_again() -> None:
    """The wait for the holder ends at the deadline, and so does the write: no PUT after it (a late PUT whose answer
    never came would count as made by this create, and its clean-up would delete what the holder made)."""
    now = [0.0]

    def advance(seconds: float) -> None:
        sleeps.calls.append(seconds)
        now[0] += seconds

    client, sleeps = make_client()
    client.retry = RetryPolicy(sleep=advance, initial_backoff=0.01, max_backoff=30.0)
    holder = f"{OP}?api-version=2025-05-01"
    busy = f"Operation is in progress. To retrieve status of the operation use uri: {holder}."
    responses.put(URL, status=409, json=cloud_error("AnotherOperationInProgress", busy))
    responses.get(OP, json={"status": "InProgress"}, headers={"Retry-After": "4"})

    with pytest.raises(ArmConflictError) as info:
        client.put_peering(PID, spec().put_body(), deadline=Deadline(10, clock=lambda: now[0]))

    assert info.value.code == "AnotherOperationInProgress"
    assert [c.request.method for c in responses.calls if (c.request.url or "").startswith(URL)] == ["PUT"]
    assert now[0] <= 10.0, sleeps.calls


@responses.activate
def test_every_request_carries_the_user_agent_accept_and_its_own_request_id() -> None:
    """Each attempt, the busy wait's reads of the holder and the operation's polls: the same User-Agent, Accept
    JSON, and a request id of their own (version 4: random, nothing of the host in it)."""
    client, _ = make_client()
    holder = f"{OP}?api-version=2025-05-01"
    busy = f"Operation is in progress. To retrieve status of the operation use uri: {holder}."
    responses.put(URL, status=409, json=cloud_error("AnotherOperationInProgress", busy))
    responses.get(OP, json={"status": "Succeeded"})
    responses.put(URL, status=201, json=peering_json(), headers={"Azure-AsyncOperation": holder})
    responses.get(OP, json={"status": "Succeeded"})
    responses.get(URL, json=peering_json())
    client.put_peering(PID, spec().put_body(), deadline=Deadline(60))

    sent = [c.request for c in responses.calls]
    assert [r.method for r in sent] == ["PUT", "GET", "PUT", "GET", "GET"]
    assert {r.headers["User-Agent"] for r in sent} == {"pulumi-azure-peering/0.1.0"}
    assert {r.headers["Accept"] for r in sent} == {"application/json"}
    ids = [uuid.UUID(r.headers["x-ms-client-request-id"]) for r in sent]
    assert len(set(ids)) == len(sent) and {i.version for i in ids} == {4}
