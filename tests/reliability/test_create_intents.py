"""Create intents (provider/intents.py): how a create cut off after ARM accepted it is finished by the next run
instead of refused, and why that never takes over a peering the project did not start creating."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_azure_peering.provider.errors import PeeringOperationError
from pulumi_azure_peering.provider.intents import INTENTS, CreateIntents
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from tests.reliability.arm_stub import Answer, ArmStub, arm_stub
from tests.reliability.test_malformed_responses import HUB, OP, PID, SPEC, SPOKE, client, peering

pytestmark = pytest.mark.reliability


def intents(tmp_path: Path, project: str | None = "proj", clock: list[float] | None = None) -> CreateIntents:
    now = clock or [1000.0]
    env = {"PULUMI_PROJECT": project} if project else {}
    return CreateIntents(tmp_path / "intents", environ=env, clock=lambda: now[0])


def test_record_find_forget_and_expiry(tmp_path: Path) -> None:
    clock = [1000.0]
    book = intents(tmp_path, clock=clock)
    assert book.find(PID) is None
    book.record(PID, SPOKE)
    found = book.find(PID.upper())  # ids compare case-insensitively
    assert found is not None and found.remote_virtual_network_id == SPOKE and found.project == "proj"
    assert intents(tmp_path, project="another").find(PID) is None  # per project
    clock[0] += 7 * 24 * 3600 + 1
    assert book.find(PID) is None  # expired
    clock[0] = 1000.0
    book.forget(PID)
    assert book.find(PID) is None
    files = list((tmp_path / "intents").iterdir())
    assert files == []


def test_only_the_resource_that_started_a_create_finishes_it(tmp_path: Path) -> None:
    """A renamed resource (another Pulumi name, same peering id) must not take over what its old self created: the
    old self is still in the state and its delete, in the same run, would remove the peering."""
    book = intents(tmp_path)
    book.record(PID, SPOKE, "hub-payments.hub-to-spoke")
    assert book.find(PID, "hub-payments.hub-to-spoke") is not None
    assert book.find(PID, "hub-pay.hub-to-spoke") is None
    book.record(PID, SPOKE)  # a record from before names were kept still matches
    assert book.find(PID, "hub-pay.hub-to-spoke") is not None


def test_nothing_is_recorded_outside_a_pulumi_run_and_errors_never_escape(tmp_path: Path) -> None:
    outside = intents(tmp_path, project=None)
    outside.record(PID, SPOKE)
    assert not (tmp_path / "intents").exists() and outside.find(PID) is None
    (tmp_path / "blocked").write_text("a file where the directory should be")
    broken = CreateIntents(tmp_path / "blocked" / "intents", environ={"PULUMI_PROJECT": "p"})
    broken.record(PID, SPOKE)  # cannot be written: the create just goes on
    assert broken.find(PID) is None
    broken.forget(PID)


@pytest.fixture
def stub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ArmStub]:
    monkeypatch.setattr(INTENTS, "_root", tmp_path / "intents")
    monkeypatch.setattr(INTENTS, "_environ", {"PULUMI_PROJECT": "proj"})
    with arm_stub(tmp_path) as s:
        yield s


def provider_on(stub: ArmStub) -> VirtualNetworkPeeringProvider:
    provider = VirtualNetworkPeeringProvider()
    arm = client(stub)
    provider.client = lambda: arm  # type: ignore[method-assign]
    return provider


PROPS = {**SPEC, "preflight": False, "__provider": "x"}


def test_a_peering_the_project_started_creating_is_finished_not_refused(stub: ArmStub) -> None:
    # without a record of our own create, an existing peering is someone else's
    stub.script("GET", PID, Answer(200, peering()))
    with pytest.raises(PeeringOperationError, match="adopt_existing=true"):
        provider_on(stub).create(PROPS)
    assert stub.calls("PUT", PID) == 0

    INTENTS.record(PID, SPOKE)  # what the cut-off create wrote before its PUT
    stub.script("PUT", PID, Answer(200, peering(provisioningState="Updating"), {"Azure-AsyncOperation": "{base}" + OP}))
    stub.script("GET", OP, Answer(200, {"status": "Succeeded"}))
    result = provider_on(stub).create(PROPS)
    assert result.id == PID and stub.calls("PUT", PID) == 1
    # once the peering is in a checkpoint, the record goes
    provider_on(stub).diff(PID, result.outs or {}, PROPS)
    assert INTENTS.find(PID) is None


def test_a_recorded_create_with_another_remote_is_still_refused(stub: ArmStub) -> None:
    INTENTS.record(PID, SPOKE)
    other = f"{HUB.rsplit('/', 1)[0]}/elsewhere"
    stub.script("GET", PID, Answer(200, peering(remoteVirtualNetwork={"id": other})))
    with pytest.raises(PeeringOperationError, match="a peering's remote cannot change"):
        provider_on(stub).create(PROPS)


def test_a_put_that_arm_refused_leaves_no_record(stub: ArmStub) -> None:
    stub.script("GET", PID, Answer(404, None))
    stub.script("PUT", PID, Answer(400, {"error": {"code": "VnetAddressSpacesOverlap", "message": "overlap"}}))
    with pytest.raises(PeeringOperationError, match="VnetAddressSpacesOverlap"):
        provider_on(stub).create(PROPS)
    assert INTENTS.find(PID) is None


def test_a_put_whose_fate_is_unknown_keeps_its_record(stub: ArmStub) -> None:
    stub.script("GET", PID, Answer(404, None))
    stub.script("PUT", PID, Answer(201, peering(provisioningState="Updating"), {"Azure-AsyncOperation": "{base}" + OP}))
    stub.script("GET", OP, Answer(200, {"status": "InProgress"}))
    with pytest.raises(PeeringOperationError, match="did not finish within"):
        provider_on(stub).create({**PROPS, "timeouts": {"create": 1}})
    assert INTENTS.find(PID) is not None
