"""Only ARM's own answer says a peering does not exist (issue 24, invariant 4).

A 404 is "gone" only when its body is ARM's CloudError with a not-found code (``NotFound`` for a peering,
``ResourceNotFound`` for a vnet...). A gateway's or proxy's 404 page in front of ARM (the emulator's ``html404``
fault) says nothing: refresh, delete and azure-peering-recover must fail on it and keep the state, never read it as
"gone". The same through the real CLI: tests/engine/test_non_arm_not_found.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pulumi_azure_peering.provider.arm import ArmClient, Deadline, RetryPolicy
from pulumi_azure_peering.provider.errors import (
    ArmError,
    ArmNotFoundError,
    NonArmNotFoundError,
    PeeringError,
    PeeringOperationError,
)
from pulumi_azure_peering.provider.recovery import Action, arm_lookup, recover_deployment
from pulumi_azure_peering.provider.runtime import Runtime, process_runtime
from pulumi_azure_peering.provider.settings import resolve_settings
from tests.emulator_config import seeded_vnet
from tests.provider_on_emulator.provider_env import Engine, args, estate, new_provider
from tests.reliability.arm_stub import ATTEMPTS, PID, Answer, ArmStub, arm_not_found, client, html

pytestmark = pytest.mark.reliability

NAME = "vnet-hub-to-vnet-payments"
PEERING = f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/{NAME}"
# the gateway's page answers this peering's GET and DELETE only: ARM answers everything else
GATEWAY_404 = f"html404=1;match=GET:virtualNetworkPeerings/{NAME},DELETE:virtualNetworkPeerings/{NAME}"


def fast_retry() -> RetryPolicy:
    """The default policy with short waits and fewer attempts: a gateway page is still retried, then raised."""
    return RetryPolicy(sleep=lambda seconds: time.sleep(min(seconds, 0.02)), max_attempts=ATTEMPTS)


@pytest.fixture
def emu(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The session emulator (default seed), with the process environment pointed at it."""
    with estate(emulator, monkeypatch, []) as emu:
        yield emu


@pytest.fixture
def recover_lookup(emu: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The lookup azure-peering-recover reads ARM with (no stack config: the environment's settings), its
    process-wide client retrying with short waits."""
    monkeypatch.setattr(process_runtime().client_for(resolve_settings(None, {})), "retry", fast_retry())
    return arm_lookup({}, wait_seconds=0.0)


@pytest.fixture
def created(emu: Any, monkeypatch: pytest.MonkeyPatch, next_command: Callable[[], Runtime]) -> tuple[Engine, str]:
    """A peering created by the provider (hub -> payments) in one run, and an engine for a later command (refresh,
    destroy: a new provider process, whose run ledger is empty) whose provider's client retries fast."""
    engine = Engine(new_provider())
    assert engine.up("a", args("vnet-hub", "vnet-payments")) == "create"
    assert engine.ids["a"].lower() == PEERING.lower()
    next_command()
    provider = engine.provider
    arm = ArmClient(provider.settings(), retry=fast_retry(), poll_interval=0.05)
    monkeypatch.setattr(provider, "client", lambda: arm)
    return engine, engine.ids["a"]


def in_arm(emu: Any, peering_id: str) -> bool:
    emu.set_faults("")
    response = emu.arm("GET", peering_id)
    assert response.status_code in (200, 404), response.text
    return bool(response.status_code == 200)


def assert_not_from_arm(exc: BaseException) -> None:
    message = str(exc)
    assert "HTTP 404 not from ARM" in message and "an HTML page ('404 Not Found')" in message, message
    assert "nothing was concluded from it" in message and "\n" not in message
    assert isinstance(getattr(exc, "cause", exc), NonArmNotFoundError)


# --- through the provider, against the emulator -----------------------------------------------------------------


def test_refresh_through_a_gateway_404_fails_and_keeps_the_peering(created: tuple[Engine, str], emu: Any) -> None:
    engine, pid = created
    outputs = dict(engine.outputs["a"])
    emu.set_faults(GATEWAY_404)
    with pytest.raises(PeeringOperationError) as info:
        engine.provider.read(pid, outputs)  # never a ReadResult with an empty id: that drops it from the state
    assert_not_from_arm(info.value)
    assert str(info.value).startswith(f"read peering '{NAME}'")
    assert emu.faults()["injected"] == {"html404": ATTEMPTS}  # retried like any malformed answer, then raised
    assert in_arm(emu, pid)
    # the engine's refresh keeps the resource: the read raised, the state is as before
    assert engine.ids["a"] == pid and engine.outputs["a"] == outputs


def test_a_passing_gateway_404_is_ridden_out(created: tuple[Engine, str], emu: Any) -> None:
    engine, pid = created
    emu.set_faults(f"{GATEWAY_404};max={ATTEMPTS - 1}")
    read = engine.provider.read(pid, engine.outputs["a"])
    assert read.id == pid and (read.outs or {})["peering_state"] == "Initiated"


def test_delete_through_a_gateway_404_fails_and_the_peering_stays(created: tuple[Engine, str], emu: Any) -> None:
    engine, pid = created
    emu.set_faults(GATEWAY_404)
    with pytest.raises(PeeringOperationError) as info:
        engine.provider.delete(pid, engine.outputs["a"])  # not "already gone, success"
    assert_not_from_arm(info.value)
    assert str(info.value).startswith(f"delete peering '{NAME}'")
    assert emu.faults()["injected"] == {"html404": ATTEMPTS}
    assert in_arm(emu, pid)


def test_arms_own_404_still_means_gone(created: tuple[Engine, str], emu: Any) -> None:
    engine, pid = created
    assert emu.arm("DELETE", pid).status_code in (200, 202, 204)
    emu.finish_operations()
    missing = emu.arm("GET", pid)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "NotFound")
    read = engine.provider.read(pid, engine.outputs["a"])
    assert read.id == ""  # gone: refresh drops it from the state
    engine.provider.delete(pid, engine.outputs["a"])  # already gone: success
    # a peering of a vnet that does not exist (ARM's ResourceNotFound): gone too
    arm = engine.provider.client()
    assert arm.get_peering(f"{seeded_vnet('vnet-nowhere')}/virtualNetworkPeerings/x", deadline=Deadline(30)) is None


# --- azure-peering-recover ----------------------------------------------------------------------------------------

TYPE = "pulumi-python:dynamic/azure-peering:VirtualNetworkPeering"
STACK = "urn:pulumi:test::proj::pulumi:pulumi:Stack::proj-test"
PROVIDER = "urn:pulumi:test::proj::pulumi:providers:pulumi-python::default::0000"


def pending_create(name: str) -> dict[str, Any]:
    """A checkpoint with one pending create of a peering hub -> payments named ``name`` (a killed `pulumi up`)."""
    inputs = {
        "virtual_network_id": seeded_vnet("vnet-hub"),
        "remote_virtual_network_id": seeded_vnet("vnet-payments"),
        "name": name,
        "adopt_existing": False,
        "preflight": False,
    }
    resource = {
        "urn": f"urn:pulumi:test::proj::{TYPE}::{name}",
        "custom": True,
        "type": TYPE,
        "inputs": inputs,
        "parent": STACK,
        "provider": PROVIDER,
    }
    return {
        "manifest": {},
        "resources": [
            {"urn": STACK, "custom": False, "type": "pulumi:pulumi:Stack"},
            {"urn": PROVIDER, "custom": True, "id": "0000", "type": "pulumi:providers:pulumi-python"},
        ],
        "pending_operations": [{"type": "creating", "resource": resource}],
    }


def test_recover_leaves_a_pending_create_it_reads_through_a_gateway_404(
    created: tuple[Engine, str], emu: Any, recover_lookup: Any
) -> None:
    emu.set_faults(GATEWAY_404)
    inputs = pending_create(NAME)["pending_operations"][0]["resource"]["inputs"]
    with pytest.raises(PeeringError) as info:
        recover_lookup(inputs, PEERING)  # never None ("not in ARM")
    assert_not_from_arm(info.value)

    result = recover_deployment(pending_create(NAME), recover_lookup)
    (finding,) = result.findings
    assert finding.action is Action.LEAVE, finding  # not CLEAR: the create may well have reached ARM
    assert len(result.deployment["pending_operations"]) == 1
    assert in_arm(emu, PEERING)


def test_recover_clears_a_pending_create_arm_says_is_absent(emu: Any, recover_lookup: Any) -> None:
    inputs = pending_create(NAME)["pending_operations"][0]["resource"]["inputs"]
    assert recover_lookup(inputs, PEERING) is None  # ARM's NotFound
    result = recover_deployment(pending_create(NAME), recover_lookup)
    (finding,) = result.findings
    assert finding.action is Action.CLEAR, finding
    assert result.deployment["pending_operations"] == []


# --- what a 404 means, answer by answer (the real client, a scripted ARM over HTTPS) ------------------------------


@pytest.mark.parametrize(
    "code", ["NotFound", "ResourceNotFound", "ResourceGroupNotFound", "ParentResourceNotFound", "SubscriptionNotFound"]
)
def test_arms_not_found_codes_mean_gone(stub: ArmStub, code: str) -> None:
    stub.script("GET", PID, arm_not_found(code))
    assert client(stub).get_peering(PID, deadline=Deadline(10)) is None
    stub.script("DELETE", PID, arm_not_found(code))
    assert client(stub).delete_peering(PID, deadline=Deadline(10)) is False
    assert stub.calls("GET", PID) == 1 and stub.calls("DELETE", PID) == 1  # ARM's answer: not retried


@pytest.mark.parametrize(
    ("answer", "described"),
    [
        (html(404, "404 Not Found"), "an HTML page ('404 Not Found')"),
        (Answer(404, None), "an empty body"),
        (Answer(404, "Not Found", content_type="text/plain"), "text/plain 'Not Found'"),
        (Answer(404, {"statusCode": 404, "message": "Resource not found"}), "application/json"),
        (Answer(404, {"code": "NotFound", "message": "no"}), "application/json"),  # not a CloudError
        (Answer(404, {"error": {"message": "no code"}}), "application/json"),
        (Answer(404, {"error": "NotFound"}), "application/json"),
    ],
    ids=["html", "empty", "text", "other-json", "unwrapped", "no-code", "error-not-an-object"],
)
def test_any_other_404_is_an_error_after_retries(stub: ArmStub, answer: Answer, described: str) -> None:
    stub.script("GET", PID, answer)
    stub.script("DELETE", PID, answer)
    for call in (
        lambda: client(stub).get_peering(PID, deadline=Deadline(10)),
        lambda: client(stub).delete_peering(PID, deadline=Deadline(10)),
    ):
        with pytest.raises(NonArmNotFoundError) as info:
            call()
        assert not isinstance(info.value, ArmNotFoundError)
        message = str(info.value)
        assert message.startswith("HTTP 404 not from ARM: ") and described in message, message
        assert "nothing was concluded from it" in message and "\n" not in message
    assert stub.calls("GET", PID) == ATTEMPTS and stub.calls("DELETE", PID) == ATTEMPTS


def test_a_cloud_error_404_with_another_code_is_arms_error_not_gone(stub: ArmStub) -> None:
    stub.script("GET", PID, Answer(404, {"error": {"code": "InvalidResourceType", "message": "no such type"}}))
    with pytest.raises(ArmError) as info:
        client(stub).get_peering(PID, deadline=Deadline(10))
    assert not isinstance(info.value, ArmNotFoundError | NonArmNotFoundError)
    assert str(info.value) == "ARM 404 InvalidResourceType: no such type"
    assert stub.calls("GET", PID) == 1  # ARM's answer, not a fault: raised at once


def test_listings_and_gateway_lists_raise_on_a_404_not_from_arm(stub: ArmStub) -> None:
    hub = PID.rsplit("/virtualNetworkPeerings/", 1)[0]
    group = hub.split("/providers/", 1)[0]
    stub.script("GET", f"{hub}/virtualNetworkPeerings", html(404, "404 Not Found"))
    with pytest.raises(NonArmNotFoundError):
        client(stub).list_peerings(hub, deadline=Deadline(10))
    gateways = f"{group}/providers/Microsoft.Network/virtualNetworkGateways"
    subscription, resource_group = group.split("/")[2], group.split("/")[4]
    stub.script("GET", gateways, html(404, "404 Not Found"))
    with pytest.raises(NonArmNotFoundError):
        client(stub).list_virtual_network_gateways(subscription, resource_group, deadline=Deadline(10))
    stub.script("GET", gateways, arm_not_found("ResourceGroupNotFound"))
    assert client(stub).list_virtual_network_gateways(subscription, resource_group, deadline=Deadline(10)) == []
