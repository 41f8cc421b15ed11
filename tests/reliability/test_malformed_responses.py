"""Malformed ARM answers against the provider's real ARM client, over HTTPS from a scripted local stub: HTML pages,
JSON cut short or of the wrong shape, missing fields, unknown enum values, operation URLs on another host.

What must hold: a clear one-line error (retried first when the fault may be transient), or a result that is exactly
what ARM said about the peering that was asked for; never a Python traceback, never a wrong state. The same faults
through the real engine are in test_fault_matrix.py (``malformed-bodies``, the emulator's html/truncate faults).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_azure_peering.provider.arm import Deadline
from pulumi_azure_peering.provider.errors import (
    ArmServerError,
    ArmValidationError,
    MalformedResponseError,
    NonArmNotFoundError,
    OperationTimeoutError,
    PeeringOperationError,
    UntrustedEndpointError,
)
from pulumi_azure_peering.provider.models import PeeringSpec
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from tests.reliability.arm_stub import (
    ATTEMPTS,
    HUB,
    PID,
    SPOKE,
    SUB,
    Answer,
    ArmStub,
    arm_not_found,
    arm_stub,
    client,
    html,
)

pytestmark = pytest.mark.reliability

OP = f"/subscriptions/{SUB}/providers/Microsoft.Network/locations/westeurope/operations/op1"


def peering(**props: Any) -> dict[str, Any]:
    """A well-formed peering as ARM answers it: the first side of a pair, alone, which real Azure reads
    ``Initiated`` / ``RemoteNotInSync`` until the other side exists (recorded traffic: tests/emulator/
    test_one_sided_peering.py)."""
    return {
        "id": PID,
        "name": "hub-to-spoke",
        "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "etag": 'W/"1"',
        "properties": {
            "remoteVirtualNetwork": {"id": SPOKE},
            "allowVirtualNetworkAccess": True,
            "peeringState": "Initiated",
            "peeringSyncLevel": "RemoteNotInSync",
            "provisioningState": "Succeeded",
            **props,
        },
    }


def test_an_html_page_with_200_is_retried_then_named(stub: ArmStub) -> None:
    stub.script("GET", PID, html(200, "Sign in to your account"))
    with pytest.raises(MalformedResponseError) as info:
        client(stub).get_peering(PID, deadline=Deadline(10))
    message = str(info.value)
    assert "HTML page ('Sign in to your account')" in message and "\n" not in message
    assert stub.calls("GET", PID) == ATTEMPTS


def test_json_cut_short_once_is_absorbed(stub: ArmStub) -> None:
    body = Answer(200, '{"id": "' + PID[:20])
    stub.script("GET", PID, body, Answer(200, peering()))
    live = client(stub).get_peering(PID, deadline=Deadline(10))
    assert live is not None and live.id == PID
    assert stub.calls("GET", PID) == 2


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([peering()], "expected a JSON object, got a JSON list"),
        ("null", "expected a JSON object"),
        ({k: v for k, v in peering().items() if k != "id"}, "has no id"),
        ({k: v for k, v in peering().items() if k != "properties"}, "has no properties"),
        (peering(remoteVirtualNetwork=None), "has no remoteVirtualNetwork.id"),
        ({**peering(), "id": f"{HUB}/virtualNetworkPeerings/other"}, "the id of another resource"),
        (peering(allowGatewayTransit="sometimes"), "values of the wrong type (properties.allowGatewayTransit)"),
    ],
    ids=["list", "null", "no-id", "no-properties", "no-remote", "other-id", "wrong-type"],
)
def test_wrong_shapes_are_refused_not_recorded(stub: ArmStub, body: Any, problem: str) -> None:
    stub.script("GET", PID, Answer(200, body))
    with pytest.raises(MalformedResponseError) as info:
        client(stub).get_peering(PID, deadline=Deadline(10))
    assert problem in str(info.value) and "\n" not in str(info.value)


def test_unknown_enum_values_are_recorded_as_ARM_said_and_cause_no_writes(stub: ArmStub) -> None:
    stub.script(
        "GET",
        PID,
        Answer(
            200, peering(peeringState="Reconnecting", peeringSyncLevel="PartiallyInSync", provisioningState="Migrating")
        ),
    )
    provider = VirtualNetworkPeeringProvider()
    arm = client(stub)
    provider.client = lambda: arm  # type: ignore[method-assign]
    props = {"virtual_network_id": HUB, "name": "hub-to-spoke", "remote_virtual_network_id": SPOKE}
    outs = provider.read(PID, {**props, "__provider": "x"}).outs or {}
    assert (outs["peering_state"], outs["peering_sync_level"], outs["provisioning_state"]) == (
        "Reconnecting",
        "PartiallyInSync",
        "Migrating",
    )
    # a state we do not know is no reason to write: the program's inputs alone decide
    diff = provider.diff(PID, outs, {**outs, "__provider": "x"})
    assert not diff.changes


def test_error_answers_of_any_shape_keep_their_status(stub: ArmStub) -> None:
    stub.script("GET", PID, html(502, "502 Bad Gateway"))
    with pytest.raises(ArmServerError) as server:
        client(stub).get_peering(PID, deadline=Deadline(10))
    assert "ARM 502: an HTML page ('502 Bad Gateway')" in str(server.value)
    assert stub.calls("GET", PID) == ATTEMPTS  # a 5xx is retried

    stub.script("GET", PID, Answer(400, {"error": {"code": 5, "message": ["not", "text"], "details": "x"}}))
    with pytest.raises(ArmValidationError) as bad:
        client(stub).get_peering(PID, deadline=Deadline(10))
    assert bad.value.status_code == 400 and "\n" not in str(bad.value)

    stub.script("GET", PID, Answer(404, None))  # not ARM's "does not exist" (test_non_arm_not_found.py)
    with pytest.raises(NonArmNotFoundError):
        client(stub).get_peering(PID, deadline=Deadline(10))
    stub.script("GET", PID, arm_not_found())
    assert client(stub).get_peering(PID, deadline=Deadline(10)) is None


def put_then_poll(stub: ArmStub, *polls: Answer) -> None:
    stub.script("PUT", PID, Answer(201, peering(provisioningState="Updating"), {"Azure-AsyncOperation": "{base}" + OP}))
    stub.script("GET", OP, *polls)
    stub.script("GET", PID, Answer(200, peering()))


def body_of(spec: dict[str, Any]) -> dict[str, Any]:
    return PeeringSpec.model_validate(spec).put_body()


SPEC = {"virtual_network_id": HUB, "name": "hub-to-spoke", "remote_virtual_network_id": SPOKE}


@pytest.mark.parametrize(
    ("polls", "error", "text"),
    [
        ((html(200, "Maintenance"),), MalformedResponseError, "HTML page ('Maintenance')"),
        ((Answer(200, {"status": "Failed", "error": "boom"}),), MalformedResponseError, "operation status"),
        ((Answer(200, None),), MalformedResponseError, "empty body"),
        ((Answer(200, {"status": "Paused"}, {"Retry-After": "soon"}),), OperationTimeoutError, "did not finish"),
    ],
    ids=["html", "error-not-an-object", "empty", "unknown-status"],
)
def test_operation_status_answers(stub: ArmStub, polls: tuple[Answer, ...], error: type, text: str) -> None:
    put_then_poll(stub, *polls)
    with pytest.raises(error) as info:
        client(stub).put_peering(PID, body_of(SPEC), deadline=Deadline(2))
    assert text in str(info.value) and "\n" not in str(info.value)


def test_a_huge_retry_after_is_capped(stub: ArmStub) -> None:
    waits: list[float] = []
    put_then_poll(
        stub, Answer(200, {"status": "InProgress"}, {"Retry-After": "1e9"}), Answer(200, {"status": "Succeeded"})
    )
    arm = client(stub)
    arm.retry.sleep = waits.append
    arm.put_peering(PID, body_of(SPEC), deadline=Deadline(3600))
    assert waits and max(waits) <= 60


def test_credentials_never_follow_an_operation_url_to_another_host(stub: ArmStub, tmp_path: Path) -> None:
    with arm_stub(tmp_path / "elsewhere") as elsewhere:
        stub.script(
            "PUT", PID, Answer(201, peering(), {"Azure-AsyncOperation": elsewhere.url + OP.replace("op1", "x")})
        )
        with pytest.raises(UntrustedEndpointError, match="refusing to send credentials"):
            client(stub).put_peering(PID, body_of(SPEC), deadline=Deadline(10))
        assert elsewhere.seen == []
    assert stub.calls("PUT", PID) == 1  # a refusal, not a fault: no retries

    collection = f"{HUB}/virtualNetworkPeerings"
    stub.script("GET", collection, Answer(200, {"value": [], "nextLink": "https://127.0.0.1:9/next"}))
    with pytest.raises(UntrustedEndpointError):
        client(stub).list_peerings(HUB, deadline=Deadline(10))


def test_create_through_the_provider_fails_in_one_line_and_records_nothing(stub: ArmStub) -> None:
    stub.script("GET", PID, arm_not_found(), Answer(200, {**peering(), "id": f"{HUB}/virtualNetworkPeerings/x"}))
    stub.script("PUT", PID, Answer(201, peering(), {"Azure-AsyncOperation": "{base}" + OP}))
    stub.script("GET", OP, Answer(200, {"status": "Succeeded"}))
    provider = VirtualNetworkPeeringProvider()
    arm = client(stub)
    provider.client = lambda: arm  # type: ignore[method-assign]
    with pytest.raises(PeeringOperationError) as info:
        provider.create({**SPEC, "preflight": False, "__provider": "x"})
    message = str(info.value)
    assert message.startswith("create peering 'hub-to-spoke' (hub -> spoke): ARM 200: ")
    assert "the id of another resource" in message and "nothing was recorded" in message and "\n" not in message
